// performance/io-threads over posix: a fop with a free slot goes down at once; no more than
// thread-count fops are in flight below it; a waiting stat overtakes waiting writes; every fop
// still gets its own answer.
import { afterEach, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import type { IoThreads } from '../../xlators/performance/io-threads/index.js';
import { type Gate, StackFixture, stackVolfile } from '../support/stack.js';

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function stack(options: Record<string, string> = {}): Promise<StackFixture> {
  const fx = await StackFixture.create(
    stackVolfile([
      { name: 'posix', type: 'storage/posix', options: { directory: '@DATA@' } },
      { name: 'probe', type: 'test/probe' },
      { name: 'gate', type: 'test/gate' },
      { name: 'iot', type: 'performance/io-threads', options },
    ]),
  );
  open.push(fx);
  return fx;
}

it('sends a fop down at once when a slot is free and nothing waits', async () => {
  const fx = await stack();
  const { loc } = await fx.create('/f', 'x');
  fx.probe().reset();
  const pending = syncop.stat(fx.top, loc, null);
  expect(fx.probe().calls).toEqual(['stat']); // not queued: below before the wind returned
  expect((await pending).buf!.size).toBe(1);
  expect(fx.xlator<IoThreads>('iot').dump()).toMatchObject({ inFlight: 0, queued: { hi: 0 } });
});

it('keeps at most thread-count fops in flight, and lets a stat overtake waiting writes', async () => {
  const fx = await stack({ 'thread-count': '1' });
  const { fd, loc } = await fx.create('/w');
  const gate = fx.xlator<Gate>('gate');
  gate.held.add('writev');
  fx.probe().reset();
  const writes = [0, 1, 2].map((i) => syncop.writev(fx.top, fd, [Buffer.from(`${i}`)], 1, i, 0, null, null));
  await new Promise((r) => setTimeout(r, 20));
  expect(gate.waitingCount).toBe(1); // one in flight, two queued in io-threads
  expect(fx.xlator<IoThreads>('iot').dump()).toMatchObject({ inFlight: 1, queued: { lo: 2 } });
  const stat = syncop.stat(fx.top, loc, null);
  await new Promise((r) => setTimeout(r, 20));
  gate.releaseHeld();
  expect((await Promise.all(writes)).map((w) => w.opRet)).toEqual([1, 1, 1]);
  expect((await stat).opRet).toBe(0);
  expect(fx.probe().calls).toEqual(['writev', 'stat', 'writev', 'writev']);
});

it('sends internal callers to the least class, one at a time', async () => {
  const fx = await stack({ 'least-prio-threads': '1' });
  const { loc } = await fx.create('/i');
  const r = await Promise.all([1, 2, 3].map(() => syncop.stat(fx.top, loc, null, { credentials: { uid: 0, gid: 0, pid: -4, groups: [] } })));
  expect(r.every((s) => s.opRet === 0)).toBe(true);
  expect(fx.xlator<IoThreads>('iot').served.least).toBe(3);
});
