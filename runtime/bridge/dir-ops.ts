// FUSE requests on directories: OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR.
import { encodeFuseDirent, encodeFuseOpenOut, FUSE_DIRENT_SIZE, FUSE_ENTRY_OUT_SIZE, FUSE_OPEN_OUT_SIZE } from '../../generated/fuse-abi.js';
import type { FuseHandlers } from '../../generated/fuse-opcodes.js';
import { Fop } from '../../generated/fops.js';
import { windFsyncdir, windOpendir, windReaddir, windReaddirp } from '../../generated/wind.js';
import type { Dirent } from '../dirent.js';
import { Errno } from '../errno.js';
import { Fd } from '../fd.js';
import { childLoc } from '../loc.js';
import type { FuseBridge } from './bridge.js';

/** Entries encoded as fuse_dirent (or fuse_direntplus) records, as many as fit in `size`. */
function encodeEntries(b: FuseBridge, dir: Fd, entries: readonly Dirent[], size: number, plus: boolean): Buffer {
  const records: Buffer[] = [];
  let total = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const head = (plus ? FUSE_ENTRY_OUT_SIZE : 0) + FUSE_DIRENT_SIZE;
    const len = (head + name.length + 7) & ~7;
    if (total + len > size) break;
    const rec = Buffer.alloc(len);
    let nodeid = 0;
    if (plus && e.stat !== undefined && e.name !== '.' && e.name !== '..') {
      // Each entry handed out with a nodeid is a lookup the kernel now holds.
      const loc = childLoc(b.table, dir.inode, e.name);
      if (e.inode !== undefined && e.inode.gfid === e.stat.gfid) loc.inode = e.inode;
      nodeid = b.linkEntry(loc, e.stat);
    }
    if (plus) {
      if (nodeid !== 0) b.encodeEntry(rec, 0, nodeid, e.stat!);
    }
    encodeFuseDirent(rec, plus ? FUSE_ENTRY_OUT_SIZE : 0, { ino: e.ino, off: e.offset, namelen: name.length, type: e.type });
    name.copy(rec, head);
    records.push(rec);
    total += len;
  }
  return Buffer.concat(records, total);
}

export function dirHandlers(b: FuseBridge): Partial<FuseHandlers> {
  const list = (plus: boolean) => (h: Parameters<NonNullable<FuseHandlers['readdir']>>[0], req: Parameters<NonNullable<FuseHandlers['readdir']>>[1]) => {
    const fd = b.fd(req.fh);
    if (fd === undefined) return b.reply.error(h.unique, Errno.EBADF);
    const wind = plus ? windReaddirp : windReaddir;
    wind(b.stack(h, plus ? Fop.READDIRP : Fop.READDIR), (f, _c, _x, opRet, opErrno, entries) => {
      f.root.destroy();
      if (opRet < 0) return b.reply.error(h.unique, opErrno);
      b.reply.data(h.unique, [encodeEntries(b, fd, entries ?? [], req.size, plus)]);
    }, b.top, fd, req.size, req.offset, null);
  };

  return {
    opendir(h, req) {
      const loc = b.inodeLoc(h.nodeid);
      if (loc === null) return b.reply.error(h.unique, Errno.ESTALE);
      const fd = new Fd(loc.inode, req.flags, h.pid);
      windOpendir(b.stack(h, Fop.OPENDIR), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        const out = b.session!.replyBuffer(FUSE_OPEN_OUT_SIZE);
        encodeFuseOpenOut(out, 16, { fh: b.registerFd(fd), openFlags: 0 });
        b.session!.send(h.unique, out);
      }, b.top, loc, fd, null);
    },
    readdir: list(false),
    readdirplus: list(true),
    releasedir(h, req) {
      b.releaseFd(req.fh);
      b.reply.empty(h.unique);
    },
    fsyncdir(h, req) {
      const fd = b.fd(req.fh);
      if (fd === undefined) return b.reply.error(h.unique, Errno.EBADF);
      windFsyncdir(b.stack(h, Fop.FSYNCDIR), (f, _c, _x, opRet, opErrno) => {
        f.root.destroy();
        if (opRet < 0) return b.reply.error(h.unique, opErrno);
        b.reply.empty(h.unique);
      }, b.top, fd, req.fsyncFlags & 1, null);
    },
  };
}
