// performance/open-behind over posix: an open never needed never reaches posix; the first fd fop
// opens for real, once, before it; fops queued behind the open keep their order; a deferred open
// that fails reports its errno on the fop that needed it; O_TRUNC opens at once.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Errno } from '../../runtime/errno.js';
import { Fd } from '../../runtime/fd.js';
import { overPosix, StackFixture } from '../support/stack.js';

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function stack(options: Record<string, string> = {}): Promise<StackFixture> {
  const fx = await StackFixture.create(overPosix({ name: 'ob', type: 'performance/open-behind', options }));
  open.push(fx);
  return fx;
}

async function existing(fx: StackFixture, name: string, content = '') {
  writeFileSync(join(fx.dir, name), content);
  const loc = await fx.loc(`/${name}`);
  fx.link(loc, (await syncop.lookup(fx.top, loc, null)).buf!);
  return loc;
}

it('never opens a file that is closed without an fd fop', async () => {
  const fx = await stack();
  const loc = await existing(fx, 'untouched');
  fx.probe().reset();
  const fd = new Fd(loc.inode, 0);
  expect((await syncop.open(fx.top, loc, 0, fd, null)).opRet).toBe(0);
  expect((await syncop.flush(fx.top, fd, null)).opRet).toBe(0);
  fx.top.release(fd);
  expect(fx.probe().calls).toEqual([]);
});

it('opens once, before the first write, and keeps queued writes in order', async () => {
  const fx = await stack();
  const loc = await existing(fx, 'written');
  fx.probe().reset();
  const fd = new Fd(loc.inode, 1);
  await syncop.open(fx.top, loc, 1, fd, null);
  const [a, b] = await Promise.all([
    syncop.writev(fx.top, fd, [Buffer.from('first ')], 1, 0, 0, null, null),
    syncop.writev(fx.top, fd, [Buffer.from('second')], 1, 6, 0, null, null),
  ]);
  expect([a.opRet, b.opRet]).toEqual([6, 6]);
  expect(fx.probe().calls).toEqual(['open', 'writev', 'writev']);
  expect(readFileSync(join(fx.dir, 'written'), 'utf8')).toBe('first second');
});

it('reports a deferred open that fails on the fop that needed it', async () => {
  const fx = await stack();
  const loc = await existing(fx, 'vanishing', 'data');
  const fd = new Fd(loc.inode, 0);
  expect((await syncop.open(fx.top, loc, 0, fd, null)).opRet).toBe(0);
  rmSync(join(fx.dir, 'vanishing')); // removed behind the stack's back before the real open
  const r = await syncop.readv(fx.top, fd, 10, 0, 0, null);
  expect([r.opRet, r.opErrno]).toEqual([-1, Errno.ENOENT]);
  const s = await syncop.fstat(fx.top, fd, null);
  expect([s.opRet, s.opErrno]).toEqual([-1, Errno.ENOENT]);
});

it('opens at once when the open truncates', async () => {
  const fx = await stack();
  const loc = await existing(fx, 'truncated', 'old content');
  fx.probe().reset();
  await syncop.open(fx.top, loc, 0o1001, new Fd(loc.inode, 0o1001), null);
  expect(fx.probe().calls).toEqual(['open']);
  expect(readFileSync(join(fx.dir, 'truncated'), 'utf8')).toBe('');
});

it('finishes a deferred open before the file is unlinked, so its reader keeps the data', async () => {
  const fx = await stack();
  const loc = await existing(fx, 'kept', 'still here');
  const fd = new Fd(loc.inode, 0);
  await syncop.open(fx.top, loc, 0, fd, null);
  expect((await syncop.unlink(fx.top, loc, 0, null)).opRet).toBe(0);
  expect(await fx.read(fd, 100)).toBe('still here');
});

it('opens at once with lazy-open off', async () => {
  const fx = await stack({ 'lazy-open': 'no' });
  const loc = await existing(fx, 'eager');
  fx.probe().reset();
  await syncop.open(fx.top, loc, 0, new Fd(loc.inode, 0), null);
  expect(fx.probe().calls).toEqual(['open']);
});
