// storage/posix entry fops on a real directory: lookup, mkdir, mknod, symlink, readlink, create,
// link, unlink, rmdir, rename, with their error cases.
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Dict } from '../../runtime/dict.js';
import { Errno } from '../../runtime/errno.js';
import { ROOT_GFID } from '../../runtime/gfid.js';
import { makedev } from '../../runtime/sys/libc.js';
import { PosixFixture } from './helpers.js';

let fx: PosixFixture;
beforeAll(async () => {
  fx = await PosixFixture.create();
});
afterAll(() => fx.remove());

describe('lookup', () => {
  it('finds the root with the root gfid', async () => {
    const r = await syncop.lookup(fx.posix, await fx.loc('/'), null);
    expect(r.opRet).toBe(0);
    expect(r.buf!.gfid).toBe(ROOT_GFID);
    expect(r.buf!.isDirectory()).toBe(true);
  });

  it('answers ENOENT for a missing name, with no attributes', async () => {
    const r = await syncop.lookup(fx.posix, await fx.loc('/missing'), null);
    expect(r).toEqual({ opRet: -1, opErrno: Errno.ENOENT, inode: null, buf: null, xdata: null, postparent: null });
  });

  it('returns the object and its parent for an existing name', async () => {
    await fx.create('/looked', 'abc');
    const r = await syncop.lookup(fx.posix, await fx.loc('/looked'), null);
    expect(r.opRet).toBe(0);
    expect(r.buf!.size).toBe(3);
    expect(r.postparent!.gfid).toBe(ROOT_GFID);
  });

  it('answers ENOTDIR when a parent is a file', async () => {
    await fx.create('/plain');
    const r = await syncop.lookup(fx.posix, { ...(await fx.loc('/plain')), path: '/plain/child', name: 'child' }, null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.ENOTDIR]);
  });
});

describe('creating entries', () => {
  it('mkdir creates a directory with the mode masked by umask, EEXIST the second time', async () => {
    const loc = await fx.loc('/d1');
    const r = await syncop.mkdir(fx.posix, loc, 0o777, 0o022, null);
    expect(r.opRet).toBe(0);
    expect(statSync(`${fx.dir}/d1`).mode & 0o7777).toBe(0o755);
    expect(r.buf!.isDirectory()).toBe(true);
    expect(r.postparent!.gfid).toBe(ROOT_GFID);
    const again = await syncop.mkdir(fx.posix, await fx.loc('/d1'), 0o777, 0o022, null);
    expect([again.opRet, again.opErrno]).toEqual([-1, Errno.EEXIST]);
  });

  it('mknod makes fifos and device nodes', async () => {
    const fifo = await syncop.mknod(fx.posix, await fx.loc('/fifo'), 0o010644, 0, 0, null);
    expect(fifo.opRet).toBe(0);
    expect(lstatSync(`${fx.dir}/fifo`).isFIFO()).toBe(true);
    const dev = await syncop.mknod(fx.posix, await fx.loc('/null'), 0o020666, makedev(1, 3), 0, null);
    expect(dev.opRet).toBe(0);
    expect(lstatSync(`${fx.dir}/null`).isCharacterDevice()).toBe(true);
    expect(lstatSync(`${fx.dir}/null`).rdev).toBe(makedev(1, 3));
    const reg = await syncop.mknod(fx.posix, await fx.loc('/regular'), 0o100600, 0, 0, null);
    expect(reg.buf!.isRegular()).toBe(true);
  });

  it('symlink and readlink', async () => {
    const r = await syncop.symlink(fx.posix, '../target/path', await fx.loc('/link'), 0, null);
    expect(r.opRet).toBe(0);
    expect(r.buf!.isSymlink()).toBe(true);
    const l = await fx.loc('/link');
    fx.link(l, r.buf!);
    const rl = await syncop.readlink(fx.posix, l, 4096, null);
    expect([rl.opRet, rl.path]).toEqual([14, '../target/path']);
    const notLink = await syncop.readlink(fx.posix, await fx.loc('/looked'), 4096, null);
    expect([notLink.opRet, notLink.opErrno]).toEqual([-1, Errno.EINVAL]);
  });

  it('create with O_EXCL fails with EEXIST on an existing name', async () => {
    await fx.create('/excl');
    const loc = await fx.loc('/excl');
    const { Fd } = await import('../../runtime/fd.js');
    const r = await syncop.create(fx.posix, loc, 0o302, 0o644, 0, new Fd(loc.inode, 2), null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EEXIST]);
  });

  it('takes the gfid the caller asks for', async () => {
    const gfid = '11111111-2222-3333-4444-555555555555';
    const r = await syncop.mkdir(fx.posix, await fx.loc('/with-gfid'), 0o755, 0, Dict.of({ 'gfid-req': gfid }));
    expect(r.buf!.gfid).toBe(gfid);
  });

  it('refuses a name longer than 255 bytes with ENAMETOOLONG', async () => {
    const r = await syncop.mkdir(fx.posix, await fx.loc('/' + 'n'.repeat(256)), 0o755, 0, null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.ENAMETOOLONG]);
  });

  it('refuses names that would leave the export', async () => {
    const loc = await fx.loc('/x');
    const r = await syncop.mkdir(fx.posix, { ...loc, path: '/../escape', name: '..' }, 0o755, 0, null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EINVAL]);
    expect(existsSync(`${fx.dir}/../escape`)).toBe(false);
  });
});

describe('removing entries', () => {
  it('unlink removes a file and reports EISDIR for a directory, ENOENT for nothing', async () => {
    await fx.create('/gone', 'x');
    expect((await syncop.unlink(fx.posix, await fx.loc('/gone'), 0, null)).opRet).toBe(0);
    expect(existsSync(`${fx.dir}/gone`)).toBe(false);
    await fx.mkdir('/adir');
    const dir = await syncop.unlink(fx.posix, await fx.loc('/adir'), 0, null);
    expect([dir.opRet, dir.opErrno]).toEqual([-1, Errno.EISDIR]);
    const none = await syncop.unlink(fx.posix, await fx.loc('/nothing'), 0, null);
    expect([none.opRet, none.opErrno]).toEqual([-1, Errno.ENOENT]);
  });

  it('rmdir removes an empty directory, ENOTEMPTY otherwise, ENOTDIR for a file', async () => {
    await fx.mkdir('/full');
    await fx.create('/full/f');
    const full = await syncop.rmdir(fx.posix, await fx.loc('/full'), 0, null);
    expect([full.opRet, full.opErrno]).toEqual([-1, Errno.ENOTEMPTY]);
    await fx.mkdir('/empty');
    expect((await syncop.rmdir(fx.posix, await fx.loc('/empty'), 0, null)).opRet).toBe(0);
    await fx.create('/afile');
    const file = await syncop.rmdir(fx.posix, await fx.loc('/afile'), 0, null);
    expect([file.opRet, file.opErrno]).toEqual([-1, Errno.ENOTDIR]);
  });
});

describe('rename and link', () => {
  it('renames over an existing file: the target content and gfid are gone, the source keeps its gfid', async () => {
    const src = await fx.create('/src', 'new');
    const dst = await fx.create('/dst', 'old');
    const r = await syncop.rename(fx.posix, await fx.loc('/src'), await fx.loc('/dst'), null);
    expect(r.opRet).toBe(0);
    expect(r.buf!.gfid).toBe(src.buf.gfid);
    expect(r.buf!.gfid).not.toBe(dst.buf.gfid);
    expect(readFileSync(`${fx.dir}/dst`, 'utf8')).toBe('new');
    expect(existsSync(`${fx.dir}/src`)).toBe(false);
  });

  it('renames across directories and reports the rename(2) errors', async () => {
    await fx.mkdir('/ra');
    await fx.mkdir('/rb');
    await fx.create('/ra/f', 'moved');
    expect((await syncop.rename(fx.posix, await fx.loc('/ra/f'), await fx.loc('/rb/f'), null)).opRet).toBe(0);
    expect(readFileSync(`${fx.dir}/rb/f`, 'utf8')).toBe('moved');
    await fx.mkdir('/rc');
    await fx.create('/rc/x');
    const dirOverFile = await syncop.rename(fx.posix, await fx.loc('/rb'), await fx.loc('/rc/x'), null);
    expect([dirOverFile.opRet, dirOverFile.opErrno]).toEqual([-1, Errno.ENOTDIR]);
    const overNonEmpty = await syncop.rename(fx.posix, await fx.loc('/ra'), await fx.loc('/rc'), null);
    expect([overNonEmpty.opRet, overNonEmpty.opErrno]).toEqual([-1, Errno.ENOTEMPTY]);
    const missing = await syncop.rename(fx.posix, await fx.loc('/nope'), await fx.loc('/rc/y'), null);
    expect([missing.opRet, missing.opErrno]).toEqual([-1, Errno.ENOENT]);
  });

  it('RENAME_NOREPLACE and RENAME_EXCHANGE through xdata', async () => {
    await fx.create('/ex1', 'one');
    await fx.create('/ex2', 'two');
    const noreplace = await syncop.rename(fx.posix, await fx.loc('/ex1'), await fx.loc('/ex2'), Dict.of({ 'rename-flags': 1 }));
    expect([noreplace.opRet, noreplace.opErrno]).toEqual([-1, Errno.EEXIST]);
    expect((await syncop.rename(fx.posix, await fx.loc('/ex1'), await fx.loc('/ex2'), Dict.of({ 'rename-flags': 2 }))).opRet).toBe(0);
    expect([readFileSync(`${fx.dir}/ex1`, 'utf8'), readFileSync(`${fx.dir}/ex2`, 'utf8')]).toEqual(['two', 'one']);
  });

  it('link makes a second name that shares the gfid, and counts links', async () => {
    const f = await fx.create('/orig', 'data');
    const r = await syncop.link(fx.posix, f.loc, await fx.loc('/second'), null);
    expect(r.opRet).toBe(0);
    expect(r.buf!.gfid).toBe(f.buf.gfid);
    expect(r.buf!.nlink).toBe(2);
    const exists = await syncop.link(fx.posix, f.loc, await fx.loc('/second'), null);
    expect([exists.opRet, exists.opErrno]).toEqual([-1, Errno.EEXIST]);
  });
});
