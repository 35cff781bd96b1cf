// FUSE requests on open files: CREATE, OPEN, READ, WRITE, FLUSH, FSYNC, RELEASE, FALLOCATE,
// LSEEK, COPY_FILE_RANGE and the POSIX/flock locks (GETLK, SETLK, SETLKW).
import { FuseInitFlag, encodeFuseLkOut, encodeFuseLseekOut, encodeFuseOpenOut, encodeFuseWriteOut, FUSE_ENTRY_OUT_SIZE, FUSE_LK_OUT_SIZE, FUSE_LSEEK_OUT_SIZE, FUSE_OPEN_OUT_SIZE, FUSE_WRITE_OUT_SIZE, type FuseInHeader, type FuseLkIn } from '../../generated/fuse-abi.js';
import type { FuseHandlers } from '../../generated/fuse-opcodes.js';
import { Fop } from '../../generated/fops.js';
import {
  windCopyFileRange, windCreate, windDiscard, windFallocate, windFgetxattr, windFlush, windFsync, windLk, windOpen, windReadv, windSeek, windWritev, windZerofill,
} from '../../generated/wind.js';
import { Dict } from '../dict.js';
import { Errno } from '../errno.js';
import { Fd } from '../fd.js';
import { newGfid } from '../gfid.js';
import type { Iatt } from '../iatt.js';
import { LockCmd, LockType, type Flock } from '../lock.js';
import type { Frame } from '../stack.js';
import type { FuseBridge } from './bridge.js';

const FOPEN_DIRECT_IO = 1;
const FOPEN_KEEP_CACHE = 2;
const FALLOC_FL_KEEP_SIZE = 1;
const FALLOC_FL_PUNCH_HOLE = 2;
const FALLOC_FL_ZERO_RANGE = 0x10;
const SEEK_DATA = 3;
const SEEK_HOLE = 4;
const OFFSET_MAX = 0x7fffffffffffffffn;
/** The virtual xattr that cancels the caller's blocked lock (GlusterFS's name for it). */
export const INTERRUPT_LOCK_KEY = 'glusterfs.intrlk.tposix.kblocked';
/**
 * Set in an open reply's xdata by a translator whose file changes size behind the kernel's back
 * (meta's virtual files): the kernel is told to bypass its page cache and read until EOF.
 */
export const DIRECT_IO_KEY = 'xlfs.fuse.direct-io';

function ownerBytes(owner: number | bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(BigInt(owner));
  return buf;
}

export function fileHandlers(b: FuseBridge): Partial<FuseHandlers> {
  const keepCache = (): boolean =>
    b.config.keepCache === 'auto' ? ((b.session?.negotiated?.flags ?? 0) & FuseInitFlag.AUTO_INVAL_DATA) !== 0 : b.config.keepCache;
  const openFlags = (): number => (b.config.directIo ? FOPEN_DIRECT_IO : 0) | (keepCache() ? FOPEN_KEEP_CACHE : 0);
  const emptyCbk = (unique: number) => (f: Frame, _c: unknown, _x: unknown, opRet: number, opErrno: number) => {
    f.root.destroy();
    if (opRet < 0) return b.reply.error(unique, opErrno);
    b.reply.empty(unique);
  };
  const withFd = (h: FuseInHeader, fh: number): Fd | undefined => {
    const fd = b.fd(fh);
    if (fd === undefined) b.reply.error(h.unique, Errno.EBADF);
    return fd;
  };

  const lock = (h: FuseInHeader, req: FuseLkIn, cmd: number) => {
    const fd = withFd(h, req.fh);
    if (fd === undefined) return;
    const owner = ownerBytes(req.owner);
    const flock: Flock = {
      type: req.lk.type === 0 ? LockType.RDLCK : req.lk.type === 1 ? LockType.WRLCK : LockType.UNLCK,
      whence: 0,
      start: req.lk.start,
      len: req.lk.end >= OFFSET_MAX ? 0 : Number(req.lk.end) - req.lk.start + 1,
      pid: req.lk.pid,
      owner,
    };
    // A blocking lock can wait for ever: remember it so that INTERRUPT can cancel it.
    if (cmd === LockCmd.SETLKW) b.blockedLocks.set(h.unique, { fd, owner, header: h });
    windLk(b.stack(h, Fop.LK, owner), (f, _c, _x, opRet, opErrno, got) => {
      f.root.destroy();
      b.blockedLocks.delete(h.unique);
      if (opRet < 0) return b.reply.error(h.unique, opErrno);
      if (cmd !== LockCmd.GETLK) return b.reply.empty(h.unique);
      const l = got ?? { ...flock, type: LockType.UNLCK };
      const out = b.session!.replyBuffer(FUSE_LK_OUT_SIZE);
      encodeFuseLkOut(out, 16, {
        lk: { start: l.start, end: l.len === 0 ? OFFSET_MAX : BigInt(l.start + l.len - 1), type: l.type === LockType.RDLCK ? 0 : l.type === LockType.WRLCK ? 1 : 2, pid: l.pid },
      });
      b.session!.send(h.unique, out);
    }, b.top, fd, cmd, flock, null);
  };

  return {
    create(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      const fd = new Fd(loc.inode, req.flags, h.pid);
      windCreate(b.stack(h, Fop.CREATE), (f, _c, _x, opRet, opErrno, _fd, _inode, buf) => {
        f.root.destroy();
        if (opRet < 0 || buf === null) return b.reply.error(h.unique, opErrno);
        const nodeid = b.linkEntry(loc, buf);
        // The fd was made for loc.inode; after linking, the table's inode is the one to hold.
        const linked = b.inode(nodeid)!;
        const opened = linked === fd.inode ? fd : Object.assign(new Fd(linked, fd.flags, fd.pid), { ctx: fd.ctx });
        const out = b.reply.entry(h.unique, nodeid, buf, FUSE_OPEN_OUT_SIZE);
        encodeFuseOpenOut(out, 16 + FUSE_ENTRY_OUT_SIZE, { fh: b.registerFd(opened), openFlags: openFlags() });
        b.session!.send(h.unique, out);
      }, b.top, loc, req.flags, req.mode, req.umask, fd, Dict.of({ 'gfid-req': newGfid() }));
    },

    open(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      const fd = new Fd(loc.inode, req.flags, h.pid);
      windOpen(b.stack(h, Fop.OPEN), (f, _c, _x, opRet, opErrno, _fd, xdata) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const out = b.session!.replyBuffer(FUSE_OPEN_OUT_SIZE);
        const direct = xdata?.has(DIRECT_IO_KEY) ? FOPEN_DIRECT_IO : 0;
        encodeFuseOpenOut(out, 16, { fh: b.registerFd(fd), openFlags: openFlags() | direct });
        b.session!.send(h.unique, out);
      }, b.top, loc, req.flags, fd, null);
    },

    read(h, req) {
      const fd = withFd(h, req.fh);
      if (fd === undefined) return;
      windReadv(b.stack(h, Fop.READ), (f, _c, _x, opRet, opErrno, vector) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.reply.data(h.unique, vector ?? []);
      }, b.top, fd, req.size, req.offset, req.flags, null);
    },

    write(h, req) {
      const fd = withFd(h, req.fh);
      if (fd === undefined) return;
      windWritev(b.stack(h, Fop.WRITE), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const out = b.session!.replyBuffer(FUSE_WRITE_OUT_SIZE);
        encodeFuseWriteOut(out, 16, { size: opRet });
        b.session!.send(h.unique, out);
      }, b.top, fd, [req.data.subarray(0, req.size)], 1, req.offset, req.flags, b.session!.iobrefOf?.(h.unique) ?? null, null);
    },

    flush(h, req) {
      const fd = withFd(h, req.fh);
      if (fd === undefined) return;
      windFlush(b.stack(h, Fop.FLUSH, ownerBytes(req.lockOwner)), emptyCbk(h.unique), b.top, fd, null);
    },

    fsync(h, req) {
      const fd = withFd(h, req.fh);
      if (fd === undefined) return;
      windFsync(b.stack(h, Fop.FSYNC), emptyCbk(h.unique), b.top, fd, req.fsyncFlags & 1, null);
    },

    release(h, req) {
      b.releaseFd(req.fh);
      b.reply.empty(h.unique);
    },

    fallocate(h, req) {
      const fd = withFd(h, req.fh);
      if (fd === undefined) return;
      const cbk = (f: Frame, _c: unknown, _x: unknown, opRet: number, opErrno: number, _pre: Iatt | null, _post: Iatt | null) => emptyCbk(h.unique)(f, _c, _x, opRet, opErrno);
      if ((req.mode & FALLOC_FL_PUNCH_HOLE) !== 0) windDiscard(b.stack(h, Fop.DISCARD), cbk, b.top, fd, req.offset, req.length, null);
      else if ((req.mode & FALLOC_FL_ZERO_RANGE) !== 0) windZerofill(b.stack(h, Fop.ZEROFILL), cbk, b.top, fd, req.offset, req.length, null);
      else if ((req.mode & ~FALLOC_FL_KEEP_SIZE) !== 0) b.reply.error(h.unique, Errno.EOPNOTSUPP);
      else windFallocate(b.stack(h, Fop.FALLOCATE), cbk, b.top, fd, req.mode & FALLOC_FL_KEEP_SIZE, req.offset, req.length, null);
    },

    lseek(h, req) {
      const fd = withFd(h, req.fh);
      if (fd === undefined) return;
      // The kernel does SEEK_SET/CUR/END itself; only data and holes need the filesystem.
      if (req.whence !== SEEK_DATA && req.whence !== SEEK_HOLE) return b.reply.error(h.unique, Errno.EINVAL);
      windSeek(b.stack(h, Fop.SEEK), (f, _c, _x, opRet, opErrno, offset) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const out = b.session!.replyBuffer(FUSE_LSEEK_OUT_SIZE);
        encodeFuseLseekOut(out, 16, { offset });
        b.session!.send(h.unique, out);
      }, b.top, fd, req.offset, req.whence === SEEK_DATA ? 0 : 1, null);
    },

    copyFileRange(h, req) {
      const fdIn = withFd(h, req.fhIn);
      if (fdIn === undefined) return;
      const fdOut = withFd(h, req.fhOut);
      if (fdOut === undefined) return;
      windCopyFileRange(b.stack(h, Fop.COPY_FILE_RANGE), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const out = b.session!.replyBuffer(FUSE_WRITE_OUT_SIZE);
        encodeFuseWriteOut(out, 16, { size: opRet });
        b.session!.send(h.unique, out);
      }, b.top, fdIn, req.offIn, fdOut, req.offOut, req.len, 0, null);
    },

    /**
     * The kernel gives up waiting for a request (a signal). Only a blocked SETLKW can wait long
     * enough to matter: as GlusterFS does, ask the lock's keeper to cancel it with an fgetxattr of
     * glusterfs.intrlk.tposix.kblocked; the SETLKW then answers EINTR. INTERRUPT itself has no reply.
     */
    interrupt(_h, req) {
      const blocked = b.blockedLocks.get(req.unique);
      if (blocked === undefined) return;
      windFgetxattr(b.stack(blocked.header, Fop.FGETXATTR, blocked.owner), (f) => f.root.destroy(), b.top, blocked.fd, INTERRUPT_LOCK_KEY, null);
    },

    getlk(h, req) {
      lock(h, req, LockCmd.GETLK);
    },
    setlk(h, req) {
      lock(h, req, LockCmd.SETLK);
    },
    setlkw(h, req) {
      lock(h, req, LockCmd.SETLKW);
    },
  };
}
