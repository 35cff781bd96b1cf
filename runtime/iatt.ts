// struct iatt: a file's attributes as translators pass them around, with its gfid.
import type { BigIntStats } from 'node:fs';
import { type Gfid, NULL_GFID, gfidToIno } from './gfid.js';

/** setattr/fsetattr `valid` bits (GF_SET_ATTR_*). */
export const SetAttr = {
  MODE: 0x1,
  UID: 0x2,
  GID: 0x4,
  SIZE: 0x8,
  ATIME: 0x10,
  MTIME: 0x20,
  CTIME: 0x40,
  ATIME_NOW: 0x80,
  MTIME_NOW: 0x100,
} as const;

export class Iatt {
  gfid: Gfid = NULL_GFID;
  ino = 0n;
  dev = 0;
  /** st_mode: type and permission bits together. */
  mode = 0;
  nlink = 0;
  uid = 0;
  gid = 0;
  rdev = 0;
  size = 0;
  blksize = 4096;
  blocks = 0;
  atime = 0;
  atimeNsec = 0;
  mtime = 0;
  mtimeNsec = 0;
  ctime = 0;
  ctimeNsec = 0;
  btime = 0;
  btimeNsec = 0;

  get type(): number {
    return this.mode & 0o170000;
  }
  isDirectory(): boolean {
    return this.type === 0o040000;
  }
  isSymlink(): boolean {
    return this.type === 0o120000;
  }
  isRegular(): boolean {
    return this.type === 0o100000;
  }

  /** A copy (caches hand out copies: a caller may change what it is given). Field by field: far cheaper than Object.assign on every cached answer. */
  clone(): Iatt {
    const c = new Iatt();
    c.gfid = this.gfid;
    c.ino = this.ino;
    c.dev = this.dev;
    c.mode = this.mode;
    c.nlink = this.nlink;
    c.uid = this.uid;
    c.gid = this.gid;
    c.rdev = this.rdev;
    c.size = this.size;
    c.blksize = this.blksize;
    c.blocks = this.blocks;
    c.atime = this.atime;
    c.atimeNsec = this.atimeNsec;
    c.mtime = this.mtime;
    c.mtimeNsec = this.mtimeNsec;
    c.ctime = this.ctime;
    c.ctimeNsec = this.ctimeNsec;
    c.btime = this.btime;
    c.btimeNsec = this.btimeNsec;
    return c;
  }
}

const NS_PER_S = 1_000_000_000n;

/** An Iatt from fs.lstat(..., { bigint: true }), keeping nanoseconds. */
export function iattFromStats(st: BigIntStats, gfid: Gfid): Iatt {
  const ia = new Iatt();
  ia.gfid = gfid;
  ia.ino = gfid === NULL_GFID ? st.ino : gfidToIno(gfid);
  ia.dev = Number(st.dev);
  ia.mode = Number(st.mode);
  ia.nlink = Number(st.nlink);
  ia.uid = Number(st.uid);
  ia.gid = Number(st.gid);
  ia.rdev = Number(st.rdev);
  ia.size = Number(st.size);
  ia.blksize = Number(st.blksize);
  ia.blocks = Number(st.blocks);
  ia.atime = Number(st.atimeNs / NS_PER_S);
  ia.atimeNsec = Number(st.atimeNs % NS_PER_S);
  ia.mtime = Number(st.mtimeNs / NS_PER_S);
  ia.mtimeNsec = Number(st.mtimeNs % NS_PER_S);
  ia.ctime = Number(st.ctimeNs / NS_PER_S);
  ia.ctimeNsec = Number(st.ctimeNs % NS_PER_S);
  ia.btime = Number(st.birthtimeNs / NS_PER_S);
  ia.btimeNsec = Number(st.birthtimeNs % NS_PER_S);
  return ia;
}

/** struct statvfs. */
export interface Statvfs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  fsid: number;
  flag: number;
  namemax: number;
}
