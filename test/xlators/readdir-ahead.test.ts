// performance/readdir-ahead over posix: a large directory read in small readdirp calls returns
// every entry once, from far fewer readdirps below; a seek back still lists correctly; attributes
// changed through the stack are not served stale from the buffer; releasedir frees the buffer.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Fd } from '../../runtime/fd.js';
import type { ReaddirAhead } from '../../xlators/performance/readdir-ahead/index.js';
import { overPosix, StackFixture } from '../support/stack.js';

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function dirWith(count: number) {
  const fx = await StackFixture.create(overPosix({ name: 'rda', type: 'performance/readdir-ahead' }));
  open.push(fx);
  const loc = await fx.mkdir('/big');
  for (let i = 0; i < count; i++) writeFileSync(join(fx.dir, 'big', `file-${i}`), '');
  const fd = new Fd(loc.inode, 0);
  expect((await syncop.opendir(fx.top, loc, fd, null)).opRet).toBe(0);
  return { fx, loc, fd };
}

async function readAll(fx: StackFixture, fd: Fd, from = 0): Promise<{ names: string[]; calls: number }> {
  const names: string[] = [];
  let offset = from;
  let calls = 0;
  for (;;) {
    const r = await syncop.readdirp(fx.top, fd, 4096, offset, null);
    expect(r.opRet).toBeGreaterThanOrEqual(0);
    calls++;
    if (r.entries!.length === 0) return { names, calls };
    for (const e of r.entries!) if (e.name !== '.' && e.name !== '..') names.push(e.name);
    offset = r.entries![r.entries!.length - 1]!.offset;
  }
}

it('lists every entry once, from far fewer readdirps below than above', async () => {
  const { fx, fd } = await dirWith(1000);
  const { names, calls } = await readAll(fx, fd);
  expect(names.sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `file-${i}`).sort());
  const below = fx.probe().count('readdirp');
  expect(calls).toBeGreaterThan(30);
  expect(below).toBeLessThan(calls / 4);
  expect(fx.xlator<ReaddirAhead>('rda').stats.served).toBeGreaterThan(30);
});

it('lists correctly after a seek back, by passing through', async () => {
  const { fx, fd } = await dirWith(200);
  const first = await syncop.readdirp(fx.top, fd, 4096, 0, null);
  expect(first.entries!.length).toBeGreaterThan(2);
  const again = await readAll(fx, fd, 0); // a rewind: not the next sequential offset
  expect(again.names.length).toBe(200);
  expect(fx.xlator<ReaddirAhead>('rda').stats.disabled).toBe(1);
});

it('drops a buffered entry’s attributes when it changes through the stack', async () => {
  const { fx, fd } = await dirWith(3);
  await new Promise((r) => setTimeout(r, 20)); // let the read-ahead fill the buffer
  const fileLoc = await fx.loc('/big/file-1');
  const l = await syncop.lookup(fx.top, fileLoc, null);
  fx.link(fileLoc, l.buf!);
  const { fd: wfd } = await fx.open('/big/file-1', 2);
  await syncop.writev(fx.top, wfd, [Buffer.from('grown')], 1, 0, 0, null, null);
  const r = await syncop.readdirp(fx.top, fd, 65536, 0, null);
  const entry = r.entries!.find((e) => e.name === 'file-1')!;
  expect(entry.stat?.size ?? 'no attributes').not.toBe(0); // never the size before the write
});

it('frees the buffer at releasedir', async () => {
  const { fx, fd } = await dirWith(50);
  await new Promise((r) => setTimeout(r, 20));
  const rda = fx.xlator<ReaddirAhead>('rda');
  expect(rda.dump()).toMatchObject({ buffers: 1 });
  fx.top.releasedir(fd);
  expect(rda.dump()).toMatchObject({ buffers: 0, bytes: 0 });
});
