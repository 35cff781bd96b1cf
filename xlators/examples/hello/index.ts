// examples/hello: a leaf that serves one read-only file, /hello, containing "Hello World!\n" —
// libfuse's hello example as a translator. It is the smallest complete leaf: the fops a `ls` and a
// `cat` need, each answering by unwinding its frame. Stack debug/trace on it to watch a request.
import { DefaultXlator } from '../../../generated/defaults.js';
import {
  unwindAccess, unwindFlush, unwindGetxattr, unwindLookup, unwindOpen, unwindOpendir, unwindReaddir, unwindReaddirp, unwindReadv, unwindStat,
  unwindStatfs, unwindFstat,
} from '../../../generated/wind.js';
import { type Dirent, DirentType } from '../../../runtime/dirent.js';
import type { Dict } from '../../../runtime/dict.js';
import { Errno } from '../../../runtime/errno.js';
import type { Fd } from '../../../runtime/fd.js';
import { gfidToIno, ROOT_GFID } from '../../../runtime/gfid.js';
import { Iatt } from '../../../runtime/iatt.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

const CONTENT = Buffer.from('Hello World!\n');
const HELLO_GFID = '00000000-0000-0000-0000-00000000beef';

function attrs(gfid: string): Iatt {
  const ia = new Iatt();
  ia.gfid = gfid;
  ia.ino = gfidToIno(gfid);
  if (gfid === ROOT_GFID) {
    ia.mode = 0o040755;
    ia.nlink = 2;
  } else {
    ia.mode = 0o100444;
    ia.nlink = 1;
    ia.size = CONTENT.length;
    ia.blocks = 1;
  }
  return ia;
}

export class Hello extends DefaultXlator {
  static override readonly description = 'Serves one read-only file, /hello (the libfuse hello example as a translator).';
  static override readonly options: readonly OptionDecl[] = [];
  static readonly subvolumes = { min: 0, max: 0 };

  /** Which object a loc names: the root, /hello, or nothing. */
  private objectOf(path: string): string | null {
    return path === '/' ? ROOT_GFID : path === '/hello' ? HELLO_GFID : null;
  }

  override lookup(frame: Frame, loc: Loc): void {
    const gfid = this.objectOf(loc.path);
    if (gfid === null) return unwindLookup(frame, -1, Errno.ENOENT, null, null, null, null);
    unwindLookup(frame, 0, 0, loc.inode, attrs(gfid), null, attrs(ROOT_GFID));
  }

  override stat(frame: Frame, loc: Loc): void {
    const gfid = this.objectOf(loc.path);
    if (gfid === null) return unwindStat(frame, -1, Errno.ENOENT, null, null);
    unwindStat(frame, 0, 0, attrs(gfid), null);
  }

  override fstat(frame: Frame, fd: Fd): void {
    unwindFstat(frame, 0, 0, attrs(fd.inode.gfid), null);
  }

  override access(frame: Frame, loc: Loc, mask: number): void {
    // Read-only: nothing may be written, the directory may be searched, the file read.
    if ((mask & 2) !== 0) return unwindAccess(frame, -1, Errno.EACCES, null);
    unwindAccess(frame, this.objectOf(loc.path) === null ? -1 : 0, this.objectOf(loc.path) === null ? Errno.ENOENT : 0, null);
  }

  override open(frame: Frame, loc: Loc, flags: number, fd: Fd): void {
    if (this.objectOf(loc.path) !== HELLO_GFID) return unwindOpen(frame, -1, Errno.ENOENT, null, null);
    if ((flags & 3) !== 0) return unwindOpen(frame, -1, Errno.EACCES, null, null);
    unwindOpen(frame, 0, 0, fd, null);
  }

  override readv(frame: Frame, _fd: Fd, size: number, offset: number): void {
    const data = CONTENT.subarray(Math.min(offset, CONTENT.length), Math.min(offset + size, CONTENT.length));
    unwindReadv(frame, data.length, 0, [data], 1, attrs(HELLO_GFID), null, null);
  }

  override flush(frame: Frame): void {
    unwindFlush(frame, 0, 0, null);
  }

  override opendir(frame: Frame, loc: Loc, fd: Fd): void {
    if (loc.path !== '/') return unwindOpendir(frame, -1, Errno.ENOTDIR, null, null);
    unwindOpendir(frame, 0, 0, fd, null);
  }

  private entries(offset: number, plus: boolean, fd: Fd): Dirent[] {
    const all: Dirent[] = [
      { name: '.', offset: 1, ino: gfidToIno(ROOT_GFID), type: DirentType.DIR },
      { name: '..', offset: 2, ino: gfidToIno(ROOT_GFID), type: DirentType.DIR },
      { name: 'hello', offset: 3, ino: gfidToIno(HELLO_GFID), type: DirentType.REG },
    ];
    if (plus) {
      for (const e of all) e.stat = attrs(e.name === 'hello' ? HELLO_GFID : ROOT_GFID);
      all[2]!.inode = fd.inode.table.find(HELLO_GFID) ?? fd.inode.table.newInode();
    }
    return all.slice(offset);
  }

  override readdir(frame: Frame, fd: Fd, _size: number, offset: number): void {
    unwindReaddir(frame, 0, 0, this.entries(offset, false, fd), null);
  }

  override readdirp(frame: Frame, fd: Fd, _size: number, offset: number): void {
    unwindReaddirp(frame, 0, 0, this.entries(offset, true, fd), null);
  }

  override getxattr(frame: Frame, _loc: Loc, _name: string, _xdata: Dict | null): void {
    unwindGetxattr(frame, -1, Errno.ENODATA, null, null);
  }

  override statfs(frame: Frame): void {
    unwindStatfs(frame, 0, 0, { bsize: 4096, frsize: 4096, blocks: 1, bfree: 0, bavail: 0, files: 2, ffree: 0, favail: 0, fsid: 0, flag: 1, namemax: 255 }, null);
  }
}
