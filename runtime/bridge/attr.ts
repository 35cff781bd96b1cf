// Translating between GlusterFS's iatt and the FUSE kernel's attributes and setattr bits.
import type { FuseAttr, FuseSetattrIn } from '../../generated/fuse-abi.js';
import { Iatt, SetAttr } from '../iatt.js';

export function fuseAttr(ia: Iatt, nodeid: number): FuseAttr {
  return {
    // The kernel shows st_ino; the root is 1 as on every GlusterFS mount.
    ino: nodeid === 1 ? 1n : ia.ino,
    size: ia.size,
    blocks: ia.blocks,
    atime: ia.atime,
    mtime: ia.mtime,
    ctime: ia.ctime,
    atimensec: ia.atimeNsec,
    mtimensec: ia.mtimeNsec,
    ctimensec: ia.ctimeNsec,
    mode: ia.mode,
    nlink: ia.nlink,
    uid: ia.uid,
    gid: ia.gid,
    rdev: ia.rdev,
    blksize: ia.blksize,
    flags: 0,
  };
}

/** FATTR_* bits of a SETATTR request. */
export const FAttr = {
  MODE: 1 << 0,
  UID: 1 << 1,
  GID: 1 << 2,
  SIZE: 1 << 3,
  ATIME: 1 << 4,
  MTIME: 1 << 5,
  FH: 1 << 6,
  ATIME_NOW: 1 << 7,
  MTIME_NOW: 1 << 8,
  LOCKOWNER: 1 << 9,
  CTIME: 1 << 10,
} as const;

/** The setattr `valid` mask and attributes for everything but the size (which truncate handles). */
export function setattrFromFuse(req: FuseSetattrIn): { valid: number; stbuf: Iatt } {
  let valid = 0;
  if (req.valid & FAttr.MODE) valid |= SetAttr.MODE;
  if (req.valid & FAttr.UID) valid |= SetAttr.UID;
  if (req.valid & FAttr.GID) valid |= SetAttr.GID;
  if (req.valid & FAttr.ATIME) valid |= SetAttr.ATIME;
  if (req.valid & FAttr.MTIME) valid |= SetAttr.MTIME;
  if (req.valid & FAttr.ATIME_NOW) valid |= SetAttr.ATIME | SetAttr.ATIME_NOW;
  if (req.valid & FAttr.MTIME_NOW) valid |= SetAttr.MTIME | SetAttr.MTIME_NOW;
  if (req.valid & FAttr.CTIME) valid |= SetAttr.CTIME;
  const stbuf = new Iatt();
  stbuf.mode = req.mode;
  stbuf.uid = req.uid;
  stbuf.gid = req.gid;
  stbuf.size = req.size;
  stbuf.atime = req.atime;
  stbuf.atimeNsec = req.atimensec;
  stbuf.mtime = req.mtime;
  stbuf.mtimeNsec = req.mtimensec;
  stbuf.ctime = req.ctime;
  stbuf.ctimeNsec = req.ctimensec;
  return { valid, stbuf };
}

/** Seconds as a double → whole seconds and nanoseconds. */
export function splitSeconds(seconds: number): [number, number] {
  const whole = Math.floor(seconds);
  return [whole, Math.round((seconds - whole) * 1e9)];
}
