// features/utime over storage/posix: the time utime stamps on the call stack is the time posix
// gives the object and its parent, to the nanosecond, so every brick would agree on it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { MdataFlags } from '../../runtime/stack.js';
import { overPosix, StackFixture } from '../support/stack.js';

let fx: StackFixture;
beforeAll(async () => {
  fx = await StackFixture.create(overPosix({ name: 'utime', type: 'features/utime' }));
});
afterAll(() => fx.close());

it('gives a new file and its parent the stamped time', async () => {
  await fx.mkdir('/d');
  fx.probe().reset();
  const { buf } = await fx.create('/d/f');
  const stack = fx.probe().stacks[fx.probe().calls.indexOf('create')]!;
  expect(stack.flags & MdataFlags.MTIME).toBeTruthy();
  expect([buf.mtime, buf.mtimeNsec]).toEqual([stack.ctimeSec, stack.ctimeNsec]);
  expect([buf.atime, buf.atimeNsec]).toEqual([stack.ctimeSec, stack.ctimeNsec]);
  const parent = await syncop.stat(fx.top, await fx.loc('/d'), null);
  expect([parent.buf!.mtime, parent.buf!.mtimeNsec]).toEqual([stack.ctimeSec, stack.ctimeNsec]);
});

it('gives a written file the write’s stamped mtime and leaves its atime', async () => {
  const { fd, buf: created } = await fx.create('/w');
  await new Promise((r) => setTimeout(r, 20));
  fx.probe().reset();
  const w = await syncop.writev(fx.top, fd, [Buffer.from('data')], 1, 0, 0, null, null);
  const stack = fx.probe().stacks[0]!;
  expect([w.postbuf!.mtime, w.postbuf!.mtimeNsec]).toEqual([stack.ctimeSec, stack.ctimeNsec]);
  expect([w.postbuf!.atime, w.postbuf!.atimeNsec]).toEqual([created.atime, created.atimeNsec]);
});

it('stamps the parent of an unlinked name', async () => {
  await fx.create('/d/gone');
  fx.probe().reset();
  const u = await syncop.unlink(fx.top, await fx.loc('/d/gone'), 0, null);
  const stack = fx.probe().stacks[fx.probe().calls.indexOf('unlink')]!;
  expect([u.postparent!.mtime, u.postparent!.mtimeNsec]).toEqual([stack.ctimeSec, stack.ctimeNsec]);
});
