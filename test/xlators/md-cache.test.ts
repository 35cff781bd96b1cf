// performance/md-cache over posix: a stat within the timeout does not reach posix; every change
// made through the stack shows at once; a change made behind its back shows after the timeout.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DefaultXlator } from '../../generated/defaults.js';
import type { FopReturn } from '../../generated/fop-types.js';
import { syncop } from '../../generated/syncop.js';
import { unwindGetxattr, unwindStat, windGetxattr, windStat } from '../../generated/wind.js';
import { Dict } from '../../runtime/dict.js';
import { Errno } from '../../runtime/errno.js';
import { Fd } from '../../runtime/fd.js';
import { Graph } from '../../runtime/graph.js';
import { SetAttr } from '../../runtime/iatt.js';
import type { Loc } from '../../runtime/loc.js';
import { findXlator, registerXlator } from '../../runtime/registry.js';
import type { Frame } from '../../runtime/stack.js';
import { overPosix, StackFixture, stackVolfile } from '../support/stack.js';

/** Test layer: while `hold` is set, stat and getxattr answers wait (as if a change overtook them on the way up). */
class HoldAnswers extends DefaultXlator {
  static override readonly description = 'Test layer: holds stat and getxattr answers.';
  hold = false;
  readonly held: Array<() => void> = [];

  private answer(go: () => void): void {
    if (this.hold) this.held.push(go);
    else go();
  }

  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    windStat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => this.answer(() => unwindStat(frame, opRet, opErrno, buf, x)), this.firstChild, loc, xdata);
  }

  override getxattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn {
    windGetxattr(frame, (_f, _c, _x, opRet, opErrno, dict, x) => this.answer(() => unwindGetxattr(frame, opRet, opErrno, dict, x)), this.firstChild, loc, name, xdata);
  }

  /** Stop holding and let the held answers go up, in order. */
  letGo(): void {
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }
}
if (findXlator('test/hold-answers') === undefined) registerXlator('test/hold-answers', HoldAnswers);

async function heldStack(): Promise<StackFixture> {
  const fx = await StackFixture.create(
    stackVolfile([
      { name: 'posix', type: 'storage/posix', options: { directory: '@DATA@' } },
      { name: 'hold', type: 'test/hold-answers' },
      { name: 'mdc', type: 'performance/md-cache', options: { 'md-cache-timeout': '5', 'xattr-cache-list': 'user.*' } },
    ]),
  );
  open.push(fx);
  return fx;
}

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function stack(options: Record<string, string> = {}): Promise<StackFixture> {
  const fx = await StackFixture.create(overPosix({ name: 'mdc', type: 'performance/md-cache', options: { 'md-cache-timeout': '1', ...options } }));
  open.push(fx);
  return fx;
}

it('answers a second stat within the timeout without posix, and asks again after it', async () => {
  const fx = await stack();
  const { loc } = await fx.create('/f', 'abc');
  fx.probe().reset();
  const first = await syncop.stat(fx.top, loc, null);
  const second = await syncop.stat(fx.top, loc, null);
  expect(second.buf!.size).toBe(3);
  expect(second.buf!.gfid).toBe(first.buf!.gfid);
  expect(fx.probe().count('stat')).toBe(0); // the create's reply filled the cache
  // Changed behind md-cache's back: still the cached size until the timeout ends.
  writeFileSync(join(fx.dir, 'f'), 'abcdef');
  expect((await syncop.stat(fx.top, loc, null)).buf!.size).toBe(3);
  await new Promise((r) => setTimeout(r, 1100));
  expect((await syncop.stat(fx.top, loc, null)).buf!.size).toBe(6);
  expect(fx.probe().count('stat')).toBe(1);
});

it('answers a revalidating lookup and fstat from the cache', async () => {
  const fx = await stack();
  const { loc, fd } = await fx.create('/g', 'x');
  fx.probe().reset();
  expect((await syncop.lookup(fx.top, loc, null)).buf!.size).toBe(1);
  expect((await syncop.fstat(fx.top, fd, null)).buf!.size).toBe(1);
  expect(fx.probe().calls).toEqual([]);
});

it('shows every change made through the stack at once', async () => {
  const fx = await stack();
  const { loc, fd, buf } = await fx.create('/h');
  await syncop.stat(fx.top, loc, null);
  await syncop.writev(fx.top, fd, [Buffer.from('hello')], 1, 0, 0, null, null);
  expect((await syncop.stat(fx.top, loc, null)).buf!.size).toBe(5);
  const want = buf.clone();
  want.mode = 0o600;
  await syncop.setattr(fx.top, loc, want, SetAttr.MODE, null);
  expect((await syncop.stat(fx.top, loc, null)).buf!.mode & 0o7777).toBe(0o600);
  await syncop.ftruncate(fx.top, fd, 2, null);
  expect((await syncop.fstat(fx.top, fd, null)).buf!.size).toBe(2);
  await syncop.unlink(fx.top, loc, 0, null);
  const gone = await syncop.stat(fx.top, loc, null);
  expect([gone.opRet, gone.opErrno]).toEqual([-1, Errno.ENOENT]);
});

it('caches chosen xattrs, including their absence, and drops them when they change', async () => {
  const fx = await stack({ 'xattr-cache-list': 'user.*' });
  const { loc } = await fx.create('/x');
  fx.probe().reset();
  expect((await syncop.getxattr(fx.top, loc, 'user.a', null)).opErrno).toBe(Errno.ENODATA);
  expect((await syncop.getxattr(fx.top, loc, 'user.a', null)).opErrno).toBe(Errno.ENODATA);
  expect(fx.probe().count('getxattr')).toBe(1);
  await syncop.setxattr(fx.top, loc, Dict.of({ 'user.a': Buffer.from('1') }), 0, null);
  expect((await syncop.getxattr(fx.top, loc, 'user.a', null)).dict!.getString('user.a')).toBe('1');
  expect((await syncop.getxattr(fx.top, loc, 'user.a', null)).dict!.getString('user.a')).toBe('1');
  expect(fx.probe().count('getxattr')).toBe(2);
  // Not in the list: always asked.
  await syncop.getxattr(fx.top, loc, 'trusted.b', null);
  await syncop.getxattr(fx.top, loc, 'trusted.b', null);
  expect(fx.probe().count('getxattr')).toBe(4);
});

it('caches nothing with md-cache-timeout 0', async () => {
  const fx = await stack({ 'md-cache-timeout': '0' });
  const { loc } = await fx.create('/z');
  fx.probe().reset();
  await syncop.stat(fx.top, loc, null);
  chmodSync(join(fx.dir, 'z'), 0o600);
  expect((await syncop.stat(fx.top, loc, null)).buf!.mode & 0o777).toBe(0o600);
  expect(fx.probe().count('stat')).toBe(2);
});

it('fills the cache from a directory listing', async () => {
  const fx = await stack();
  await fx.mkdir('/d');
  writeFileSync(join(fx.dir, 'd/listed'), 'data');
  const dir = await fx.loc('/d');
  const l = await syncop.lookup(fx.top, dir, null);
  fx.link(dir, l.buf!);
  const dfd = new Fd(dir.inode, 0);
  await syncop.opendir(fx.top, dir, dfd, null);
  const r = await syncop.readdir(fx.top, dfd, 4096, 0, null);
  expect(r.entries!.map((e) => e.name)).toContain('listed');
  expect(fx.probe().count('readdirp')).toBe(1); // force-readdirp
  expect(fx.probe().count('readdir')).toBe(0);
});

it('rejects a timeout beyond GlusterFS range', () => {
  expect(() => Graph.fromText(overPosix({ name: 'mdc', type: 'performance/md-cache', options: { 'md-cache-timeout': '601' } }).replace('@DATA@', '/tmp'))).toThrow(/md-cache-timeout/);
});

it('does not cache an answer that a change overtook on its way up', async () => {
  const fx = await heldStack();
  const { loc, fd } = await fx.create('/appended', 'a');
  await syncop.setxattr(fx.top, loc, Dict.of({ 'user.x': Buffer.from('1') }), 0, null); // drops the cached attributes
  const hold = fx.xlator<HoldAnswers>('hold');
  hold.hold = true;
  const early = syncop.stat(fx.top, loc, null); // answered by posix now (size 1), held on its way up
  await new Promise((r) => setTimeout(r, 50));
  expect(hold.held.length).toBe(1);
  expect((await syncop.writev(fx.top, fd, [Buffer.from('b')], 1, 1, 0, null, null)).opRet).toBe(1);
  hold.letGo();
  expect((await early).buf!.size).toBe(1); // what it saw, passed on as it is
  // What md-cache now answers is the write's size, not the older answer that arrived after it.
  expect((await syncop.stat(fx.top, loc, null)).buf!.size).toBe(2);
  expect((await syncop.fstat(fx.top, fd, null)).buf!.size).toBe(2);
});

it('does not cache an xattr answer that a change overtook on its way up', async () => {
  const fx = await heldStack();
  const { loc } = await fx.create('/coloured');
  await syncop.setxattr(fx.top, loc, Dict.of({ 'user.colour': Buffer.from('blue') }), 0, null);
  const hold = fx.xlator<HoldAnswers>('hold');
  hold.hold = true;
  const early = syncop.getxattr(fx.top, loc, 'user.colour', null); // reads "blue", held on its way up
  await new Promise((r) => setTimeout(r, 50));
  expect(hold.held.length).toBe(1);
  expect((await syncop.setxattr(fx.top, loc, Dict.of({ 'user.colour': Buffer.from('red') }), 0, null)).opRet).toBe(0);
  hold.letGo();
  expect((await early).dict!.getString('user.colour')).toBe('blue');
  expect((await syncop.getxattr(fx.top, loc, 'user.colour', null)).dict!.getString('user.colour')).toBe('red');
});
