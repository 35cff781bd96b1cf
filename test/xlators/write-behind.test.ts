// performance/write-behind over a real posix directory: writes answered before they reach the
// brick, aggregated, kept in order with the fops that depend on them, errors met behind the
// application's back returned on the fd's next write, fsync or flush, nothing lost at fini.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Errno } from '../../runtime/errno.js';
import { Graph } from '../../runtime/graph.js';
import { Iobref } from '../../runtime/iobref.js';
import type { WriteBehind } from '../../xlators/performance/write-behind/index.js';
import { type Gate, StackFixture, stackVolfile } from '../support/stack.js';

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

/** posix, a probe, a gate (to make the brick slow on demand), [error-gen], write-behind. */
async function stack(wbOptions: Record<string, string> = {}, failWrites = false): Promise<StackFixture> {
  const fx = await StackFixture.create(
    stackVolfile([
      { name: 'posix', type: 'storage/posix', options: { directory: '@DATA@' } },
      { name: 'probe', type: 'test/probe' },
      { name: 'gate', type: 'test/gate' },
      ...(failWrites ? [{ name: 'errors', type: 'debug/error-gen', options: { enable: 'writev', 'error-no': 'ENOSPC' } }] : []),
      { name: 'wb', type: 'performance/write-behind', options: wbOptions },
    ]),
  );
  open.push(fx);
  return fx;
}

const onDisk = (fx: StackFixture, path: string) => readFileSync(join(fx.dir, path));
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('acknowledging early', () => {
  it('answers a write before the brick has it, and a stat waits for it', async () => {
    const fx = await stack();
    const { fd, loc } = await fx.create('/f');
    const gate = fx.xlator<Gate>('gate');
    gate.held.add('writev');
    const w = await syncop.writev(fx.top, fd, [Buffer.from('behind')], 1, 0, 0, null, null);
    expect(w.opRet).toBe(6);
    expect(gate.waitingCount).toBe(1);
    expect(onDisk(fx, 'f').length).toBe(0);

    let statDone = false;
    const stat = syncop.stat(fx.top, loc, null).then((r) => ((statDone = true), r));
    await settle();
    expect(statDone).toBe(false); // the stat must not see the size before the write
    gate.releaseHeld();
    expect((await stat).buf!.size).toBe(6);
    expect(onDisk(fx, 'f').toString()).toBe('behind');
  });

  it('keeps a copy: the caller may reuse its buffer once answered', async () => {
    const fx = await stack();
    const { fd } = await fx.create('/copy');
    fx.xlator<Gate>('gate').held.add('writev');
    const buf = Buffer.from('original');
    await syncop.writev(fx.top, fd, [buf], 1, 0, 0, null, null);
    buf.write('CLOBBER!');
    fx.xlator<Gate>('gate').releaseHeld();
    await fx.xlator<WriteBehind>('wb').drained();
    expect(onDisk(fx, 'copy').toString()).toBe('original');
  });

  it('holds a write by reference when its iobref is stable, and lets go once it is written', async () => {
    const fx = await stack();
    const { fd } = await fx.create('/byref');
    const gate = fx.xlator<Gate>('gate');
    gate.held.add('writev');
    let released = false;
    const data = Buffer.from('by reference');
    const iobref = new Iobref(() => (released = true)).add(data);
    const w = await syncop.writev(fx.top, fd, [data], 1, 0, 0, iobref, null);
    expect(w.opRet).toBe(data.length); // answered before the brick has it
    iobref.unref(); // the owner's own reference, as the FUSE session drops it once it has replied
    expect(released).toBe(false); // write-behind still holds the buffer
    gate.releaseHeld();
    await fx.xlator<WriteBehind>('wb').drained();
    expect(released).toBe(true);
    expect(onDisk(fx, 'byref').toString()).toBe('by reference');
  });

  it('acknowledges writes until the window is overdrawn, as GlusterFS does; the next one waits for the brick', async () => {
    const fx = await stack({ 'cache-size': '512KB' });
    const { fd } = await fx.create('/big');
    const gate = fx.xlator<Gate>('gate');
    gate.held.add('writev');
    // The window is not overdrawn yet, so this write is acknowledged though it is larger than it.
    const first = await syncop.writev(fx.top, fd, [Buffer.alloc(600 * 1024, 1)], 1, 0, 0, null, null);
    expect(first.opRet).toBe(600 * 1024);
    let answered = false;
    const w = syncop.writev(fx.top, fd, [Buffer.alloc(4096, 2)], 1, 600 * 1024, 0, null, null).then((r) => ((answered = true), r));
    await settle();
    expect(answered).toBe(false);
    gate.releaseHeld();
    expect((await w).opRet).toBe(4096);
    await fx.xlator<WriteBehind>('wb').drained();
    expect(onDisk(fx, 'big').length).toBe(600 * 1024 + 4096);
  });

  it('does not hold writes of an O_SYNC file', async () => {
    const fx = await stack();
    await fx.create('/sync');
    const { fd } = await fx.open('/sync', 0o4010001);
    const gate = fx.xlator<Gate>('gate');
    gate.held.add('writev');
    let answered = false;
    const w = syncop.writev(fx.top, fd, [Buffer.from('x')], 1, 0, 0, null, null).then((r) => ((answered = true), r));
    await settle();
    expect(answered).toBe(false);
    gate.releaseHeld();
    expect((await w).opRet).toBe(1);
  });
});

describe('aggregating', () => {
  it('joins contiguous small writes into aggregate-size writes', async () => {
    const fx = await stack({ 'trickling-writes': 'off', 'aggregate-size': '128KB' });
    const { fd } = await fx.create('/agg');
    fx.probe().reset();
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(4096, i));
    for (const [i, c] of chunks.entries()) expect((await syncop.writev(fx.top, fd, [c], 1, i * 4096, 0, null, null)).opRet).toBe(4096);
    await syncop.fsync(fx.top, fd, 0, null);
    expect(fx.probe().count('writev')).toBe(2);
    expect(onDisk(fx, 'agg').equals(Buffer.concat(chunks))).toBe(true);
  });
});

describe('ordering', () => {
  it('holds a truncate until the writes before it land, and writes after it until it is done', async () => {
    const fx = await stack();
    const { fd } = await fx.create('/t');
    const gate = fx.xlator<Gate>('gate');
    gate.held.add('writev');
    await syncop.writev(fx.top, fd, [Buffer.from('0123456789')], 1, 0, 0, null, null);
    const truncated = syncop.ftruncate(fx.top, fd, 4, null);
    await syncop.writev(fx.top, fd, [Buffer.from('AB')], 1, 6, 0, null, null);
    await settle();
    expect(fx.probe().calls.filter((c) => c === 'ftruncate' || c === 'writev')).toEqual([]);
    gate.releaseHeld();
    expect((await truncated).opRet).toBe(0);
    await fx.xlator<WriteBehind>('wb').drained();
    expect(fx.probe().calls.filter((c) => c === 'ftruncate' || c === 'writev')).toEqual(['writev', 'ftruncate', 'writev']);
    expect(onDisk(fx, 't').toString('latin1')).toBe('0123\0\0AB');
  });

  it('reads what was written before the read', async () => {
    const fx = await stack();
    const { fd } = await fx.create('/r');
    fx.xlator<Gate>('gate').held.add('writev');
    await syncop.writev(fx.top, fd, [Buffer.from('read me')], 1, 0, 0, null, null);
    const read = fx.read(fd, 100);
    setTimeout(() => fx.xlator<Gate>('gate').releaseHeld(), 10);
    expect(await read).toBe('read me');
  });
});

describe('flush-behind', () => {
  it('answers close of a written file at once even with nothing held, the flush following on its own; off, or never written, close waits', async () => {
    for (const [flushBehind, written] of [['on', true], ['on', false], ['off', true]] as const) {
      const fx = await stack({ 'flush-behind': flushBehind });
      const { fd } = await fx.create('/closed');
      if (written) {
        await syncop.writev(fx.top, fd, [Buffer.from('x')], 1, 0, 0, null, null);
        await fx.xlator<WriteBehind>('wb').drained(); // nothing held any more
      }
      const gate = fx.xlator<Gate>('gate');
      gate.held.add('flush');
      let answered = false;
      const flush = syncop.flush(fx.top, fd, null).then((r) => ((answered = true), r));
      await settle();
      expect([flushBehind, written, answered, gate.waitingCount]).toEqual([flushBehind, written, flushBehind === 'on' && written, 1]);
      gate.releaseHeld();
      expect((await flush).opRet).toBe(0);
      await settle();
      expect(gate.waitingCount).toBe(0);
    }
  });
});

describe('errors met behind the application', () => {
  it('returns a failed write on close (flush)', async () => {
    for (const flushBehind of ['on', 'off']) {
      const fx = await stack({ 'flush-behind': flushBehind }, true);
      const { fd } = await fx.create('/e');
      const w = await syncop.writev(fx.top, fd, [Buffer.from('lost')], 1, 0, 0, null, null);
      expect(w.opRet).toBe(4); // acknowledged: the failure comes later
      await settle();
      const f = await syncop.flush(fx.top, fd, null);
      expect([flushBehind, f.opRet, f.opErrno]).toEqual([flushBehind, -1, Errno.ENOSPC]);
      // Reported once.
      expect((await syncop.flush(fx.top, fd, null)).opRet).toBe(0);
    }
  });

  it('returns a failed write on fsync and on the next write', async () => {
    const fx = await stack({}, true);
    const { fd } = await fx.create('/e2');
    await syncop.writev(fx.top, fd, [Buffer.from('a')], 1, 0, 0, null, null);
    const s = await syncop.fsync(fx.top, fd, 0, null);
    expect([s.opRet, s.opErrno]).toEqual([-1, Errno.ENOSPC]);
    await syncop.writev(fx.top, fd, [Buffer.from('b')], 1, 0, 0, null, null);
    await settle();
    const next = await syncop.writev(fx.top, fd, [Buffer.from('c')], 1, 1, 0, null, null);
    expect([next.opRet, next.opErrno]).toEqual([-1, Errno.ENOSPC]);
  });
});

describe('shutting down', () => {
  it('writes everything it acknowledged before the graph finishes', async () => {
    const fx = await stack({ 'trickling-writes': 'off', 'aggregate-size': '1MB' });
    const { fd } = await fx.create('/held');
    await syncop.writev(fx.top, fd, [Buffer.from('kept')], 1, 0, 0, null, null);
    await settle();
    expect(fx.probe().count('writev')).toBe(0); // held: less than an aggregate, nothing forces it
    await fx.graph.fini();
    expect(onDisk(fx, 'held').toString()).toBe('kept');
  });

  it('rejects a window outside GlusterFS range', () => {
    expect(() => Graph.fromText(stackVolfile([
      { name: 'posix', type: 'storage/posix', options: { directory: '/tmp' } },
      { name: 'wb', type: 'performance/write-behind', options: { 'cache-size': '100KB' } },
    ]))).toThrow(/cache-size/);
  });
});
