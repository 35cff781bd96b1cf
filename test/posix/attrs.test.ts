// storage/posix attributes, xattrs, directories, locks, credentials and gfid persistence.
import { chmodSync, lstatSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Dict } from '../../runtime/dict.js';
import { Errno } from '../../runtime/errno.js';
import { Iatt, SetAttr } from '../../runtime/iatt.js';
import { LockCmd, LockType, type Flock } from '../../runtime/lock.js';
import { PosixFixture, user } from './helpers.js';

let fx: PosixFixture;
beforeAll(async () => {
  fx = await PosixFixture.create();
});
afterAll(() => fx.remove());

function stbuf(fields: Partial<Iatt>): Iatt {
  return Object.assign(new Iatt(), fields);
}

describe('attributes', () => {
  it('stat, fstat, statfs and access', async () => {
    const { loc, fd } = await fx.create('/st', 'abc');
    const s = await syncop.stat(fx.posix, loc, null);
    const f = await syncop.fstat(fx.posix, fd, null);
    expect([s.buf!.size, f.buf!.size, s.buf!.gfid]).toEqual([3, 3, f.buf!.gfid]);
    const fs = await syncop.statfs(fx.posix, loc, null);
    expect(fs.opRet).toBe(0);
    expect(fs.buf!.blocks).toBeGreaterThan(0);
    expect(fs.buf!.bsize).toBeGreaterThan(0);
    expect((await syncop.access(fx.posix, loc, 4, null)).opRet).toBe(0);
    const missing = await syncop.stat(fx.posix, await fx.loc('/no'), null);
    expect([missing.opRet, missing.opErrno]).toEqual([-1, Errno.ENOENT]);
  });

  it('setattr changes mode, owner, size and times with nanoseconds', async () => {
    const { loc } = await fx.create('/attrs', '0123456789');
    const valid = SetAttr.MODE | SetAttr.UID | SetAttr.GID | SetAttr.SIZE | SetAttr.ATIME | SetAttr.MTIME;
    const r = await syncop.setattr(
      fx.posix, loc,
      stbuf({ mode: 0o600, uid: 1234, gid: 5678, size: 4, atime: 1_000_000_000, atimeNsec: 123_456_789, mtime: 1_500_000_000, mtimeNsec: 987_654_321 }),
      valid, null,
    );
    expect(r.opRet).toBe(0);
    expect([r.statpre!.size, r.statpost!.size]).toEqual([10, 4]);
    const st = lstatSync(`${fx.dir}/attrs`, { bigint: true });
    expect([Number(st.mode) & 0o7777, Number(st.uid), Number(st.gid)]).toEqual([0o600, 1234, 5678]);
    expect(st.atimeNs).toBe(1_000_000_000_123_456_789n);
    expect(st.mtimeNs).toBe(1_500_000_000_987_654_321n);
    expect([r.statpost!.mtime, r.statpost!.mtimeNsec]).toEqual([1_500_000_000, 987_654_321]);
  });

  it('MTIME_NOW sets the time to now and leaves atime alone', async () => {
    const { loc } = await fx.create('/now');
    await syncop.setattr(fx.posix, loc, stbuf({ atime: 100, mtime: 100 }), SetAttr.ATIME | SetAttr.MTIME, null);
    const before = Date.now() / 1000;
    const r = await syncop.setattr(fx.posix, loc, stbuf({}), SetAttr.MTIME | SetAttr.MTIME_NOW, null);
    expect(r.statpost!.atime).toBe(100);
    expect(r.statpost!.mtime).toBeGreaterThanOrEqual(Math.floor(before));
  });

  it('fsetattr works through an fd', async () => {
    const { fd } = await fx.create('/fattrs', 'x');
    const r = await syncop.fsetattr(fx.posix, fd, stbuf({ mode: 0o640 }), SetAttr.MODE, null);
    expect([r.opRet, r.statpost!.mode & 0o7777]).toEqual([0, 0o640]);
  });
});

describe('credentials: a non-root caller', () => {
  it('owns what it creates', async () => {
    const root = await fx.mkdir('/shared', 0o777);
    void root;
    const created = await fx.create('/shared/mine', '', user);
    expect([created.buf.uid, created.buf.gid]).toEqual([1000, 1000]);
  });

  it('gets EACCES where the mode bits say so', async () => {
    mkdirSync(`${fx.dir}/locked`, { mode: 0o755 });
    const mkdirDenied = await syncop.mkdir(fx.posix, await fx.loc('/locked/sub'), 0o755, 0, null, { credentials: user });
    expect([mkdirDenied.opRet, mkdirDenied.opErrno]).toEqual([-1, Errno.EACCES]);
    writeFileSync(`${fx.dir}/secret`, 'top');
    chmodSync(`${fx.dir}/secret`, 0o600);
    const openDenied = await fx.open('/secret', 0, user);
    expect([openDenied.opRet, openDenied.opErrno]).toEqual([-1, Errno.EACCES]);
    const accessDenied = await syncop.access(fx.posix, await fx.loc('/secret'), 4, null, { credentials: user });
    expect([accessDenied.opRet, accessDenied.opErrno]).toEqual([-1, Errno.EACCES]);
    const rootOpen = await fx.open('/secret', 0);
    expect(rootOpen.opRet).toBe(0);
  });

  it('may not chown, nor chmod what it does not own (EPERM)', async () => {
    const { loc } = await fx.create('/rootfile');
    const chown = await syncop.setattr(fx.posix, loc, stbuf({ uid: 1000 }), SetAttr.UID, null, { credentials: user });
    expect([chown.opRet, chown.opErrno]).toEqual([-1, Errno.EPERM]);
    const chmod = await syncop.setattr(fx.posix, loc, stbuf({ mode: 0o777 }), SetAttr.MODE, null, { credentials: user });
    expect([chmod.opRet, chmod.opErrno]).toEqual([-1, Errno.EPERM]);
  });

  it('respects the sticky bit', async () => {
    mkdirSync(`${fx.dir}/tmpdir`, { mode: 0o1777 });
    chmodSync(`${fx.dir}/tmpdir`, 0o1777);
    writeFileSync(`${fx.dir}/tmpdir/roots`, '');
    const r = await syncop.unlink(fx.posix, await fx.loc('/tmpdir/roots'), 0, null, { credentials: user });
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EPERM]);
  });
});

describe('extended attributes', () => {
  it('set, get one, get all, remove; ENODATA when absent; EEXIST with XATTR_CREATE', async () => {
    const { loc, fd } = await fx.create('/xa');
    expect((await syncop.setxattr(fx.posix, loc, PosixFixture.dict({ 'user.a': '1', 'user.b': 'two' }), 0, null)).opRet).toBe(0);
    const one = await syncop.getxattr(fx.posix, loc, 'user.b', null);
    expect(one.dict!.getString('user.b')).toBe('two');
    const all = await syncop.fgetxattr(fx.posix, fd, '', null);
    expect([...all.dict!.keys()].sort()).toEqual(['user.a', 'user.b']);
    const create = await syncop.setxattr(fx.posix, loc, PosixFixture.dict({ 'user.a': 'x' }), 1, null);
    expect([create.opRet, create.opErrno]).toEqual([-1, Errno.EEXIST]);
    expect((await syncop.removexattr(fx.posix, loc, 'user.a', null)).opRet).toBe(0);
    const gone = await syncop.getxattr(fx.posix, loc, 'user.a', null);
    expect([gone.opRet, gone.opErrno]).toEqual([-1, Errno.ENODATA]);
    expect((await syncop.fsetxattr(fx.posix, fd, PosixFixture.dict({ 'user.c': 'fd' }), 0, null)).opRet).toBe(0);
    expect((await syncop.fremovexattr(fx.posix, fd, 'user.c', null)).opRet).toBe(0);
  });

  it('protects the gfid: EPERM to change it, hidden from listings', async () => {
    const { loc } = await fx.create('/guarded');
    const set = await syncop.setxattr(fx.posix, loc, PosixFixture.dict({ 'trusted.gfid': 'x'.repeat(16) }), 0, null);
    expect([set.opRet, set.opErrno]).toEqual([-1, Errno.EPERM]);
    const all = await syncop.getxattr(fx.posix, loc, '', null);
    expect(all.dict!.has('trusted.gfid')).toBe(false);
  });

  it('xattrop adds arrays of 32-bit big-endian counters', async () => {
    const { loc } = await fx.create('/counters');
    const add = (values: number[]) => {
      const b = Buffer.alloc(values.length * 4);
      values.forEach((v, i) => b.writeInt32BE(v, i * 4));
      return new Dict([['trusted.afr.c', b]]);
    };
    await syncop.xattrop(fx.posix, loc, 0, add([1, 2, 3]), null);
    const r = await syncop.xattrop(fx.posix, loc, 0, add([10, -2, 0]), null);
    const out = r.dict!.getBuffer('trusted.afr.c')!;
    expect([out.readInt32BE(0), out.readInt32BE(4), out.readInt32BE(8)]).toEqual([11, 0, 3]);
  });
});

describe('directories', () => {
  it('readdir lists ., .., and entries with offsets that continue a listing', async () => {
    await fx.mkdir('/list');
    for (const n of ['a', 'b', 'c', 'd']) await fx.create(`/list/${n}`);
    const loc = await fx.loc('/list');
    const l = await syncop.lookup(fx.posix, loc, null);
    fx.link(loc, l.buf!);
    const { Fd } = await import('../../runtime/fd.js');
    const fd = new Fd(loc.inode, 0);
    expect((await syncop.opendir(fx.posix, loc, fd, null)).opRet).toBe(0);
    const first = await syncop.readdir(fx.posix, fd, 80, 0, null);
    expect(first.entries!.length).toBeGreaterThan(0);
    expect(first.entries!.length).toBeLessThan(6);
    const rest = await syncop.readdir(fx.posix, fd, 4096, first.entries!.at(-1)!.offset, null);
    const names = [...first.entries!, ...rest.entries!].map((e) => e.name).sort();
    expect(names).toEqual(['.', '..', 'a', 'b', 'c', 'd']);
    const end = await syncop.readdir(fx.posix, fd, 4096, rest.entries!.at(-1)!.offset, null);
    expect(end.entries).toEqual([]);
    const plus = await syncop.readdirp(fx.posix, fd, 65536, 0, null);
    const a = plus.entries!.find((e) => e.name === 'a')!;
    expect(a.stat!.isRegular()).toBe(true);
    expect(a.inode).toBeDefined();
    const notDir = await syncop.opendir(fx.posix, await fx.loc('/list/a'), new Fd(loc.inode, 0), null);
    expect([notDir.opRet, notDir.opErrno]).toEqual([-1, Errno.ENOTDIR]);
  });
});

describe('locks', () => {
  const lock = (type: number, start: number, len: number, owner: string): Flock => ({ type, whence: 0, start, len, pid: 1, owner: Buffer.from(owner) });

  it('conflicting owners: EAGAIN for SETLK, GETLK reports the holder, SETLKW waits for the unlock', async () => {
    const { fd } = await fx.create('/locked-file', 'x');
    expect((await syncop.lk(fx.posix, fd, LockCmd.SETLK, lock(LockType.WRLCK, 0, 10, 'A'), null)).opRet).toBe(0);
    const clash = await syncop.lk(fx.posix, fd, LockCmd.SETLK, lock(LockType.RDLCK, 5, 1, 'B'), null);
    expect([clash.opRet, clash.opErrno]).toEqual([-1, Errno.EAGAIN]);
    const get = await syncop.lk(fx.posix, fd, LockCmd.GETLK, lock(LockType.RDLCK, 5, 1, 'B'), null);
    expect([get.lock!.type, get.lock!.start, get.lock!.len]).toEqual([LockType.WRLCK, 0, 10]);
    const outside = await syncop.lk(fx.posix, fd, LockCmd.SETLK, lock(LockType.WRLCK, 10, 5, 'B'), null);
    expect(outside.opRet).toBe(0);
    let granted = false;
    const waiting = syncop.lk(fx.posix, fd, LockCmd.SETLKW, lock(LockType.WRLCK, 0, 1, 'B'), null).then((r) => ((granted = r.opRet === 0), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(granted).toBe(false);
    await syncop.lk(fx.posix, fd, LockCmd.SETLK, lock(LockType.UNLCK, 0, 0, 'A'), null);
    expect((await waiting).opRet).toBe(0);
  });
});

describe('gfids', () => {
  it('survive a fresh translator on the same directory (a remount), and hard links share one', async () => {
    const f = await fx.create('/persist', 'p');
    await syncop.link(fx.posix, f.loc, await fx.loc('/persist-link'), null);
    const again = await PosixFixture.create(fx.dir);
    const a = await syncop.lookup(again.posix, await again.loc('/persist'), null);
    const b = await syncop.lookup(again.posix, await again.loc('/persist-link'), null);
    expect(a.buf!.gfid).toBe(f.buf.gfid);
    expect(b.buf!.gfid).toBe(f.buf.gfid);
  });

  it('are given to objects made behind the translator\'s back, on lookup', async () => {
    writeFileSync(`${fx.dir}/outsider`, 'o');
    const r = await syncop.lookup(fx.posix, await fx.loc('/outsider'), null);
    expect(r.buf!.gfid).toMatch(/^[0-9a-f]{8}-/);
    const again = await syncop.lookup(fx.posix, await fx.loc('/outsider'), null);
    expect(again.buf!.gfid).toBe(r.buf!.gfid);
    expect(statSync(`${fx.dir}/outsider`).size).toBe(1);
  });
});

describe('fops with no meaning for a local directory', () => {
  it('answer ENOSYS or EOPNOTSUPP', async () => {
    const loc = await fx.loc('/');
    expect((await syncop.getspec(fx.posix, 'x', 0)).opErrno).toBe(Errno.ENOSYS);
    expect((await syncop.ipc(fx.posix, 1, null)).opErrno).toBe(Errno.EOPNOTSUPP);
    expect((await syncop.icreate(fx.posix, loc, 0o644, null)).opErrno).toBe(Errno.ENOSYS);
    expect((await syncop.entrylk(fx.posix, 'd', loc, 'n', 0, 1, null)).opErrno).toBe(Errno.ENOSYS);
  });
});
