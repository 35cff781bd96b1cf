// FUSE requests on names and attributes: LOOKUP, FORGET, GETATTR, SETATTR, READLINK, SYMLINK,
// MKNOD, MKDIR, UNLINK, RMDIR, RENAME(2), LINK, ACCESS, STATFS.
import { encodeFuseStatfsOut, FUSE_STATFS_OUT_SIZE } from '../../generated/fuse-abi.js';
import type { FuseHandlers } from '../../generated/fuse-opcodes.js';
import { Fop } from '../../generated/fops.js';
import {
  windAccess, windFsetattr, windFstat, windFtruncate, windLink, windLookup, windMkdir, windMknod, windReadlink, windRename, windRmdir,
  windSetattr, windStat, windStatfs, windSymlink, windTruncate, windUnlink,
} from '../../generated/wind.js';
import { Dict } from '../dict.js';
import { Errno } from '../errno.js';
import { newGfid } from '../gfid.js';
import type { Iatt } from '../iatt.js';
import type { Loc } from '../loc.js';
import type { Frame } from '../stack.js';
import { FAttr, setattrFromFuse } from './attr.js';
import type { FuseBridge } from './bridge.js';

const FUSE_GETATTR_FH = 1;

/** xdata for a new entry: the gfid the client picks, as GlusterFS's bridge sends it. */
function newEntryXdata(): Dict {
  return Dict.of({ 'gfid-req': newGfid() });
}

export function entryHandlers(b: FuseBridge): Partial<FuseHandlers> {
  /** Reply to a fop that made a new name (MKNOD, MKDIR, SYMLINK, LINK). */
  const entryCbk = (unique: number, loc: Loc) => (f: Frame, _c: unknown, _x: unknown, opRet: number, opErrno: number, _inode: unknown, buf: Iatt | null) => {
    f.root.destroy();
    if (opRet < 0 || buf === null) return b.reply.error(unique, opErrno);
    b.reply.entry(unique, b.linkEntry(loc, buf), buf);
  };
  const attrCbk = (unique: number, nodeid: number) => (f: Frame, _c: unknown, _x: unknown, opRet: number, opErrno: number, buf: Iatt | null) => {
    f.root.destroy();
    if (opRet < 0 || buf === null) return b.reply.error(unique, opErrno);
    b.reply.attr(unique, buf, nodeid);
  };

  return {
    lookup(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windLookup(b.stack(h, Fop.LOOKUP), (f, _c, _x, opRet, opErrno, _inode, buf) => {
        f.root.destroy();
        if (opRet < 0 || buf === null) {
          // The name is gone: forget what the table knew under it.
          if (opErrno === Errno.ENOENT && loc.parent !== null) b.table.unlink(loc.parent, loc.name);
          if (opErrno === Errno.ENOENT && b.config.negativeTimeout > 0) return b.reply.negativeEntry(h.unique);
          return b.reply.error(h.unique, opErrno);
        }
        b.reply.entry(h.unique, b.linkEntry(loc, buf), buf);
      }, b.top, loc, null);
    },

    forget(h, req) {
      b.forgetNodeid(h.nodeid, req.nlookup);
    },

    batchForget(_h, req) {
      for (let i = 0; i < req.count && (i + 1) * 16 <= req.data.length; i++) {
        const at = i * 16;
        b.forgetNodeid(req.data.readUInt32LE(at) + req.data.readUInt32LE(at + 4) * 4294967296, req.data.readUInt32LE(at + 8) + req.data.readUInt32LE(at + 12) * 4294967296);
      }
    },

    getattr(h, req) {
      const fd = (req.getattrFlags & FUSE_GETATTR_FH) !== 0 ? b.fd(req.fh) : undefined;
      if (fd !== undefined) return windFstat(b.stack(h, Fop.FSTAT), attrCbk(h.unique, h.nodeid), b.top, fd, null);
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windStat(b.stack(h, Fop.STAT), attrCbk(h.unique, h.nodeid), b.top, loc, null);
    },

    setattr(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      const fd = (req.valid & FAttr.FH) !== 0 ? b.fd(req.fh) : undefined;
      if (loc === null && fd === undefined) return b.reply.error(h.unique, Errno.ESTALE);
      const { valid, stbuf } = setattrFromFuse(req);
      const sizeChange = (req.valid & FAttr.SIZE) !== 0;
      // As GlusterFS: attributes by setattr/fsetattr, then the size by (f)truncate.
      const truncate = () => {
        const cbk = (f: Frame, _c: unknown, _x: unknown, opRet: number, opErrno: number, _pre: Iatt | null, post: Iatt | null) => {
          f.root.destroy();
          if (opRet < 0 || post === null) return b.reply.error(h.unique, opErrno);
          b.reply.attr(h.unique, post, h.nodeid);
        };
        if (fd !== undefined) windFtruncate(b.stack(h, Fop.FTRUNCATE), cbk, b.top, fd, req.size, null);
        else windTruncate(b.stack(h, Fop.TRUNCATE), cbk, b.top, loc!, req.size, null);
      };
      if (valid === 0) {
        if (sizeChange) return truncate();
        if (fd !== undefined) return windFstat(b.stack(h, Fop.FSTAT), attrCbk(h.unique, h.nodeid), b.top, fd, null);
        return windStat(b.stack(h, Fop.STAT), attrCbk(h.unique, h.nodeid), b.top, loc!, null);
      }
      const cbk = (f: Frame, _c: unknown, _x: unknown, opRet: number, opErrno: number, _pre: Iatt | null, post: Iatt | null) => {
        f.root.destroy();
        if (opRet < 0 || post === null) return b.reply.error(h.unique, opErrno);
        if (sizeChange) return truncate();
        b.reply.attr(h.unique, post, h.nodeid);
      };
      if (fd !== undefined) windFsetattr(b.stack(h, Fop.FSETATTR), cbk, b.top, fd, stbuf, valid, null);
      else windSetattr(b.stack(h, Fop.SETATTR), cbk, b.top, loc!, stbuf, valid, null);
    },

    readlink(h) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windReadlink(b.stack(h, Fop.READLINK), (f, _c, _x, opRet, opErrno, path) => {
        f.root.destroy();
        if (opRet < 0 || path === null) return b.reply.error(h.unique, opErrno);
        b.reply.data(h.unique, [Buffer.from(path)]);
      }, b.top, loc, 4096, null);
    },

    symlink(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windSymlink(b.stack(h, Fop.SYMLINK), entryCbk(h.unique, loc), b.top, req.linkname, loc, 0, newEntryXdata());
    },

    mknod(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windMknod(b.stack(h, Fop.MKNOD), entryCbk(h.unique, loc), b.top, loc, req.mode, req.rdev, req.umask, newEntryXdata());
    },

    mkdir(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windMkdir(b.stack(h, Fop.MKDIR), entryCbk(h.unique, loc), b.top, loc, req.mode, req.umask, newEntryXdata());
    },

    unlink(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windUnlink(b.stack(h, Fop.UNLINK), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.table.unlink(loc.parent!, loc.name);
        b.reply.empty(h.unique);
      }, b.top, loc, 0, null);
    },

    rmdir(h, req) {
      const loc = b.entryLoc(h.nodeid, req.name);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windRmdir(b.stack(h, Fop.RMDIR), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.table.unlink(loc.parent!, loc.name);
        b.reply.empty(h.unique);
      }, b.top, loc, 0, null);
    },

    rename(h, req) {
      rename(b, h.unique, h, h.nodeid, req.oldname, req.newdir, req.newname, 0);
    },

    rename2(h, req) {
      // RENAME_WHITEOUT (4) is for overlay filesystems; NOREPLACE and EXCHANGE go to the fop.
      if ((req.flags & ~3) !== 0) return b.reply.error(h.unique, Errno.EINVAL);
      rename(b, h.unique, h, h.nodeid, req.oldname, req.newdir, req.newname, req.flags);
    },

    link(h, req) {
      const oldloc = b.inodeLoc(req.oldnodeid);
      const newloc = b.entryLoc(h.nodeid, req.newname);
      if (oldloc === null || newloc === null) return b.reply.error(h.unique, Errno.ESTALE);
      newloc.inode = oldloc.inode;
      windLink(b.stack(h, Fop.LINK), entryCbk(h.unique, newloc), b.top, oldloc, newloc, null);
    },

    access(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      windAccess(b.stack(h, Fop.ACCESS), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.reply.empty(h.unique);
      }, b.top, loc, req.mask, null);
    },

    statfs(h) {
      const loc = b.inodeLoc(h.nodeid) ?? b.inodeLoc(1)!;
      windStatfs(b.stack(h, Fop.STATFS), (f, _c, _x, opRet, opErrno, buf) => {
        f.root.destroy();
        if (opRet < 0 || buf === null) return b.reply.error(h.unique, opErrno);
        const out = b.session!.replyBuffer(FUSE_STATFS_OUT_SIZE);
        encodeFuseStatfsOut(out, 16, {
          st: { blocks: buf.blocks, bfree: buf.bfree, bavail: buf.bavail, files: buf.files, ffree: buf.ffree, bsize: buf.bsize, namelen: buf.namemax, frsize: buf.frsize },
        });
        b.session!.send(h.unique, out);
      }, b.top, loc, null);
    },
  };
}

function rename(b: FuseBridge, unique: number, h: Parameters<NonNullable<FuseHandlers['rename']>>[0], olddir: number, oldname: string, newdir: number, newname: string, flags: number): void {
  const oldloc = b.entryLoc(olddir, oldname);
  const newloc = b.entryLoc(newdir, newname);
  if (oldloc === null || newloc === null) return b.reply.error(unique, Errno.ESTALE);
  windRename(b.stack(h, Fop.RENAME), (f, _c, _x, opRet, opErrno, buf) => {
    f.root.destroy();
    if (opRet < 0 || buf === null) return b.reply.error(unique, opErrno);
    if (flags === 2) {
      // RENAME_EXCHANGE: both names stay, pointing at each other's objects.
      const a = b.table.grep(oldloc.parent!, oldname);
      const c = b.table.grep(newloc.parent!, newname);
      b.table.unlink(oldloc.parent!, oldname);
      b.table.unlink(newloc.parent!, newname);
      if (a !== undefined) b.table.link(a, newloc.parent!, newname, Object.assign(buf.clone(), { gfid: a.gfid, mode: a.type }));
      if (c !== undefined) b.table.link(c, oldloc.parent!, oldname, Object.assign(buf.clone(), { gfid: c.gfid, mode: c.type }));
    } else {
      b.table.rename(oldloc.parent!, oldname, newloc.parent!, newname, buf);
    }
    b.reply.empty(unique);
  }, b.top, oldloc, newloc, flags !== 0 ? Dict.of({ 'rename-flags': flags }) : null);
}
