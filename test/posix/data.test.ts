// storage/posix data fops on a real directory: read, write, truncate, sync, fallocate, discard,
// zerofill, seek, copy_file_range, rchecksum, put.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Errno } from '../../runtime/errno.js';
import { adler32 } from '../../xlators/storage/posix/data.js';
import { PosixFixture } from './helpers.js';

let fx: PosixFixture;
beforeAll(async () => {
  fx = await PosixFixture.create();
});
afterAll(() => fx.remove());

describe('read and write', () => {
  it('writes several buffers at an offset and reads them back, short at end of file', async () => {
    const { fd } = await fx.create('/rw');
    const w = await syncop.writev(fx.posix, fd, [Buffer.from('hello '), Buffer.from('world')], 2, 0, 0, null, null);
    expect(w.opRet).toBe(11);
    expect([w.prebuf!.size, w.postbuf!.size]).toEqual([0, 11]);
    const mid = await syncop.writev(fx.posix, fd, [Buffer.from('W')], 1, 6, 0, null, null);
    expect(mid.opRet).toBe(1);
    const r = await syncop.readv(fx.posix, fd, 100, 0, 0, null);
    expect(r.opRet).toBe(11);
    expect(Buffer.concat(r.vector!).toString()).toBe('hello World');
    expect(r.stbuf!.size).toBe(11);
    const past = await syncop.readv(fx.posix, fd, 10, 50, 0, null);
    expect([past.opRet, Buffer.concat(past.vector!).length]).toEqual([0, 0]);
  });

  it('opens existing files with O_TRUNC and O_APPEND', async () => {
    await fx.create('/opened', 'abcdef');
    const trunc = await fx.open('/opened', 0o1002);
    expect(trunc.opRet).toBe(0);
    expect(statSync(`${fx.dir}/opened`).size).toBe(0);
    const append = await fx.open('/opened', 0o2001);
    await syncop.writev(fx.posix, append.fd, [Buffer.from('12')], 1, 0, 0, null, null);
    await syncop.writev(fx.posix, append.fd, [Buffer.from('34')], 1, 0, 0, null, null);
    expect(readFileSync(`${fx.dir}/opened`, 'utf8')).toBe('1234');
    const missing = await fx.open('/not-there', 0);
    expect([missing.opRet, missing.opErrno]).toEqual([-1, Errno.ENOENT]);
  });

  it('truncate and ftruncate set the size, with attributes before and after', async () => {
    const { loc, fd } = await fx.create('/sized', '0123456789');
    const t = await syncop.truncate(fx.posix, loc, 4, null);
    expect([t.opRet, t.prebuf!.size, t.postbuf!.size]).toEqual([0, 10, 4]);
    const ft = await syncop.ftruncate(fx.posix, fd, 8192, null);
    expect([ft.opRet, ft.prebuf!.size, ft.postbuf!.size]).toEqual([0, 4, 8192]);
    expect(readFileSync(`${fx.dir}/sized`).subarray(0, 5).toString()).toBe('0123\0');
  });

  it('flush and fsync (full and data-only) succeed on an open file', async () => {
    const { fd } = await fx.create('/synced', 'durable');
    expect((await syncop.flush(fx.posix, fd, null)).opRet).toBe(0);
    const full = await syncop.fsync(fx.posix, fd, 0, null);
    const dataOnly = await syncop.fsync(fx.posix, fd, 1, null);
    expect([full.opRet, dataOnly.opRet, full.postbuf!.size]).toEqual([0, 0, 7]);
  });
});

describe('space, holes and seek', () => {
  it('fallocate grows the file unless keepSize, discard punches a hole, seek finds data and holes', async () => {
    const { fd } = await fx.create('/sparse');
    const grow = await syncop.fallocate(fx.posix, fd, 0, 0, 1 << 20, null);
    expect([grow.opRet, grow.post!.size]).toEqual([0, 1 << 20]);
    const keep = await syncop.fallocate(fx.posix, fd, 1, 1 << 20, 1 << 20, null);
    expect([keep.opRet, keep.post!.size]).toEqual([0, 1 << 20]);
    await syncop.writev(fx.posix, fd, [Buffer.alloc(1 << 20, 0x61)], 1, 0, 0, null, null);
    const punch = await syncop.discard(fx.posix, fd, 256 << 10, 256 << 10, null);
    expect([punch.opRet, punch.post!.size]).toEqual([0, 1 << 20]);
    const hole = await syncop.seek(fx.posix, fd, 0, 1, null);
    expect(hole.offset).toBe(256 << 10);
    const data = await syncop.seek(fx.posix, fd, 256 << 10, 0, null);
    expect(data.offset).toBe(512 << 10);
    const beyond = await syncop.seek(fx.posix, fd, 4 << 20, 0, null);
    expect([beyond.opRet, beyond.opErrno]).toEqual([-1, Errno.ENXIO]);
    const bytes = readFileSync(`${fx.dir}/sparse`);
    expect([bytes[0], bytes[(256 << 10) + 5], bytes[(512 << 10) + 1]]).toEqual([0x61, 0, 0x61]);
  });

  it('zerofill writes zeroes over a range', async () => {
    const { fd } = await fx.create('/zeroed', 'xxxxxxxxxx');
    const z = await syncop.zerofill(fx.posix, fd, 2, 5, null);
    expect(z.opRet).toBe(0);
    expect(readFileSync(`${fx.dir}/zeroed`).toString('hex')).toBe('7878' + '00'.repeat(5) + '787878');
  });
});

describe('copy_file_range, rchecksum, put', () => {
  it('copies a byte range between two open files', async () => {
    const a = await fx.create('/copy-src', 'abcdefghij');
    const b = await fx.create('/copy-dst', '----------');
    const r = await syncop.copyFileRange(fx.posix, a.fd, 2, b.fd, 4, 3, 0, null);
    expect(r.opRet).toBe(3);
    expect(readFileSync(`${fx.dir}/copy-dst`, 'utf8')).toBe('----cde---');
    expect([r.stbuf!.size, r.postbufDst!.size]).toEqual([10, 10]);
  });

  it('checksums a range: adler32 and sha256', async () => {
    const { fd } = await fx.create('/sum', 'Wikipedia and more');
    const r = await syncop.rchecksum(fx.posix, fd, 0, 9, null);
    expect(r.weakChecksum).toBe(0x11e60398); // adler32("Wikipedia"), the textbook example
    expect(r.strongChecksum!.toString('hex')).toBe(createHash('sha256').update('Wikipedia').digest('hex'));
    expect(adler32(Buffer.from(''))).toBe(1);
  });

  it('put creates a file with content and xattrs in one call', async () => {
    const loc = await fx.loc('/put');
    const r = await syncop.put(fx.posix, loc, 0o100640, 0, 0, [Buffer.from('all at once')], 1, 0, null, PosixFixture.dict({ 'user.tag': 'v' }), null);
    expect(r.opRet).toBe(0);
    expect(readFileSync(`${fx.dir}/put`, 'utf8')).toBe('all at once');
    expect(r.buf!.mode).toBe(0o100640);
    expect(r.buf!.size).toBe(11);
  });

  it('fd fops on a directory fd fail with EISDIR, on an unopened fd with EBADF', async () => {
    const { Fd } = await import('../../runtime/fd.js');
    const loc = await fx.loc('/');
    const r = await syncop.ftruncate(fx.posix, new Fd(loc.inode, 0), 0, null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EBADF]);
  });
});
