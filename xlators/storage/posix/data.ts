// Data fops on open files: open, read, write, truncate, sync, space management, seek, copy, checksum.
import { createHash } from 'node:crypto';
import { close, constants, fdatasync, fsync as fsyncCb, ftruncateSync, read, truncateSync, writev as writevCb } from 'node:fs';
import { promisify } from 'node:util';
import {
  unwindCopyFileRange, unwindDiscard, unwindFallocate, unwindFlush, unwindFsync, unwindFtruncate, unwindOpen, unwindRchecksum,
  unwindReadv, unwindSeek, unwindTruncate, unwindWritev, unwindZerofill, unwindFsyncdir,
} from '../../../generated/wind.js';
import type { Dict } from '../../../runtime/dict.js';
import type { Fd } from '../../../runtime/fd.js';
import { type Iatt, iattFromStats } from '../../../runtime/iatt.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Frame } from '../../../runtime/stack.js';
import {
  copyFileRange, fallocate as fallocateC, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE, lseek, SEEK_DATA, SEEK_HOLE, SysError,
} from '../../../runtime/sys/libc.js';
import { E, statOf, withBackingPath } from './handle.js';
import type { FileCtx, Posix } from './index.js';
import { openMask, requireAccess } from './permission.js';
import { openFd } from './entries.js';
import { fstat as fstatSyncBig } from './meta-io.js';
import { stampFd, stampPath } from './times.js';

const closeP = promisify(close);
const ftruncateP = async (fd: number, len: number): Promise<void> => ftruncateSync(fd, len);
const truncateP = async (path: string, len: number): Promise<void> => truncateSync(path, len);
const fsyncP = promisify(fsyncCb);
const fdatasyncP = promisify(fdatasync);
const readP = promisify(read);

/**
 * Flags for opening the backing file. O_CREAT/O_EXCL belong to create and O_NOCTTY means nothing
 * here. O_DIRECT is dropped: the kernel already keeps an O_DIRECT open of the mount out of its page
 * cache, and direct I/O on the backing file would need page-aligned buffers, which Node's are not
 * (GlusterFS's client has the same switch, filter-O_DIRECT).
 */
export function backingOpenFlags(flags: number): number {
  return flags & ~(constants.O_CREAT | constants.O_EXCL | constants.O_NOCTTY | constants.O_DIRECT);
}

/** Attributes of an open file, from the descriptor. */
export async function fdStat(ctx: FileCtx): Promise<Iatt> {
  return fdStatSync(ctx);
}

function fdStatSync(ctx: FileCtx): Iatt {
  return withBackingPath(iattFromStats(fstatSyncBig(ctx.fd), ctx.gfid), ctx.real);
}

export async function open(px: Posix, frame: Frame, loc: Loc, flags: number, fd: Fd): Promise<void> {
  try {
    const real = px.real(loc.path);
    const st = await statOf(real);
    requireAccess(frame.root, st, openMask(flags));
    const handle = await openFd(real, backingOpenFlags(flags));
    px.setFileCtx(fd, handle, real, st.gfid);
    unwindOpen(frame, 0, 0, fd, null);
  } catch (e) {
    unwindOpen(frame, -1, px.errno(e), null, null);
  }
}

export function readv(px: Posix, frame: Frame, fd: Fd, size: number, offset: number): void {
  const ctx = px.fileCtx(fd);
  if (ctx === undefined) return unwindReadv(frame, -1, E.EBADF, null, -1, null, null, null);
  const buf = Buffer.allocUnsafe(size);
  read(ctx.fd, buf, 0, size, offset, (err, bytes) => {
    if (err) return unwindReadv(frame, -1, px.errno(err), null, -1, null, null, null);
    let stbuf: Iatt;
    try {
      stbuf = fdStatSync(ctx);
    } catch (e) {
      return unwindReadv(frame, -1, px.errno(e), null, -1, null, null, null);
    }
    unwindReadv(frame, bytes, 0, [buf.subarray(0, bytes)], 1, stbuf, null, null);
  });
}

export function writev(px: Posix, frame: Frame, fd: Fd, vector: Buffer[], offset: number): void {
  const ctx = px.fileCtx(fd);
  if (ctx === undefined) return unwindWritev(frame, -1, E.EBADF, null, null, null);
  let pre: Iatt;
  try {
    pre = fdStatSync(ctx);
  } catch (e) {
    return unwindWritev(frame, -1, px.errno(e), null, null, null);
  }
  writevCb(ctx.fd, vector, offset, (err, bytes) => {
    if (err) return unwindWritev(frame, -1, px.errno(err), null, null, null);
    let post: Iatt;
    try {
      stampFd(frame.root, ctx.fd);
      post = fdStatSync(ctx);
    } catch (e) {
      return unwindWritev(frame, -1, px.errno(e), null, null, null);
    }
    unwindWritev(frame, bytes, 0, pre, post, null);
  });
}

export async function truncate(px: Posix, frame: Frame, loc: Loc, offset: number): Promise<void> {
  try {
    const real = px.real(loc.path);
    const pre = await statOf(real);
    requireAccess(frame.root, pre, 2);
    await truncateP(real, offset);
    stampPath(frame.root, real);
    unwindTruncate(frame, 0, 0, pre, await statOf(real), null);
  } catch (e) {
    unwindTruncate(frame, -1, px.errno(e), null, null, null);
  }
}

export async function ftruncate(px: Posix, frame: Frame, fd: Fd, offset: number): Promise<void> {
  try {
    const ctx = px.requireFile(fd);
    const pre = await fdStat(ctx);
    await ftruncateP(ctx.fd, offset);
    stampFd(frame.root, ctx.fd);
    unwindFtruncate(frame, 0, 0, pre, await fdStat(ctx), null);
  } catch (e) {
    unwindFtruncate(frame, -1, px.errno(e), null, null, null);
  }
}

export function flush(px: Posix, frame: Frame, fd: Fd): void {
  if (px.fileCtx(fd) === undefined && px.dirCtx(fd) === undefined) return unwindFlush(frame, -1, E.EBADF, null);
  unwindFlush(frame, 0, 0, null);
}

export async function fsync(px: Posix, frame: Frame, fd: Fd, flags: number): Promise<void> {
  try {
    const ctx = px.requireFile(fd);
    const pre = await fdStat(ctx);
    await (flags !== 0 ? fdatasyncP(ctx.fd) : fsyncP(ctx.fd));
    unwindFsync(frame, 0, 0, pre, await fdStat(ctx), null);
  } catch (e) {
    unwindFsync(frame, -1, px.errno(e), null, null, null);
  }
}

export async function fsyncdir(px: Posix, frame: Frame, fd: Fd): Promise<void> {
  try {
    const dir = px.requireDir(fd);
    const handle = await openFd(dir.real, 0);
    try {
      await fsyncP(handle);
    } finally {
      await closeP(handle);
    }
    unwindFsyncdir(frame, 0, 0, null);
  } catch (e) {
    unwindFsyncdir(frame, -1, px.errno(e), null);
  }
}

type SpaceUnwind = (frame: Frame, opRet: number, opErrno: number, pre: Iatt | null, post: Iatt | null, xdata: Dict | null) => void;

async function space(px: Posix, frame: Frame, fd: Fd, mode: number, offset: number, len: number, unwind: SpaceUnwind): Promise<void> {
  try {
    const ctx = px.requireFile(fd);
    const pre = await fdStat(ctx);
    try {
      fallocateC(ctx.fd, mode, offset, len);
    } catch (e) {
      // Filesystems without ZERO_RANGE get the zeroes written.
      if (!(mode === FALLOC_FL_ZERO_RANGE && e instanceof SysError && e.errno === E.EOPNOTSUPP)) throw e;
      await writeZeroes(ctx.fd, offset, len);
    }
    stampFd(frame.root, ctx.fd);
    unwind(frame, 0, 0, pre, await fdStat(ctx), null);
  } catch (e) {
    unwind(frame, -1, px.errno(e), null, null, null);
  }
}

async function writeZeroes(fd: number, offset: number, len: number): Promise<void> {
  const chunk = Buffer.alloc(Math.min(len, 1 << 20));
  const write = promisify(writevCb);
  for (let done = 0; done < len; ) {
    const n = Math.min(chunk.length, len - done);
    done += (await write(fd, [chunk.subarray(0, n)], offset + done)).bytesWritten;
  }
}

export function fallocate(px: Posix, frame: Frame, fd: Fd, keepSize: number, offset: number, len: number): Promise<void> {
  return space(px, frame, fd, keepSize !== 0 ? FALLOC_FL_KEEP_SIZE : 0, offset, len, unwindFallocate);
}
export function discard(px: Posix, frame: Frame, fd: Fd, offset: number, len: number): Promise<void> {
  return space(px, frame, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len, unwindDiscard);
}
export function zerofill(px: Posix, frame: Frame, fd: Fd, offset: number, len: number): Promise<void> {
  return space(px, frame, fd, FALLOC_FL_ZERO_RANGE, offset, len, unwindZerofill);
}

export function seek(px: Posix, frame: Frame, fd: Fd, offset: number, what: number): void {
  try {
    const ctx = px.requireFile(fd);
    unwindSeek(frame, 0, 0, lseek(ctx.fd, offset, what === 1 ? SEEK_HOLE : SEEK_DATA), null);
  } catch (e) {
    unwindSeek(frame, -1, px.errno(e), -1, null);
  }
}

export async function copyRange(px: Posix, frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number): Promise<void> {
  try {
    const src = px.requireFile(fdIn);
    const dst = px.requireFile(fdOut);
    const pre = await fdStat(dst);
    const copied = copyFileRange(src.fd, offIn, dst.fd, offOut, len, flags);
    unwindCopyFileRange(frame, copied, 0, await fdStat(src), pre, await fdStat(dst), null);
  } catch (e) {
    unwindCopyFileRange(frame, -1, px.errno(e), null, null, null, null);
  }
}

/** Weak checksum: adler32, as rsync and GlusterFS's self-heal use for a quick comparison. */
export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export async function rchecksum(px: Posix, frame: Frame, fd: Fd, offset: number, len: number): Promise<void> {
  try {
    const ctx = px.requireFile(fd);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await readP(ctx.fd, buf, 0, len, offset);
    const data = buf.subarray(0, bytesRead);
    unwindRchecksum(frame, 0, 0, adler32(data), createHash('sha256').update(data).digest(), null);
  } catch (e) {
    unwindRchecksum(frame, -1, px.errno(e), -1, null, null);
  }
}
