// meta: a virtual, read-only /.meta directory showing the process and its graph: version, command
// line, process uuid, the volfile, and per translator its type, options, subvolumes, state dump
// and io-stats profile (GlusterFS's meta translator, loaded on top of every client graph).
// Everything under /.meta is answered here and never reaches the subvolume; /.meta is not listed
// in the root directory, so tools that walk the volume do not walk into it.
import { allFops, type FopInfo } from '../../generated/fops.js';
import type { FopReturn } from '../../generated/fop-types.js';
import { DefaultXlator } from '../../generated/defaults.js';
import {
  errorUnwinders, unwindAccess, unwindFgetxattr, unwindFlush, unwindFstat, unwindFsync, unwindGetxattr, unwindLookup, unwindOpen,
  unwindOpendir, unwindReaddir, unwindReaddirp, unwindReadlink, unwindReadv, unwindStat, windStatfs, unwindStatfs,
} from '../../generated/wind.js';
import { DIRECT_IO_KEY } from '../../runtime/bridge/file-ops.js';
import { Dict } from '../../runtime/dict.js';
import { type Dirent, DirentType } from '../../runtime/dirent.js';
import { Errno } from '../../runtime/errno.js';
import type { Fd } from '../../runtime/fd.js';
import { type Gfid, NULL_GFID, ROOT_GFID, gfidToIno } from '../../runtime/gfid.js';
import { Iatt } from '../../runtime/iatt.js';
import type { Loc } from '../../runtime/loc.js';
import type { OptionDecl } from '../../runtime/options.js';
import type { Frame } from '../../runtime/stack.js';
import { type MetaNode, MetaTree, metaGfid } from './tree.js';

export const META_DIR = '.meta';
const W_OK = 2;
const O_ACCMODE = 3;
const O_TRUNC = 0o1000;

/** What a meta fd was opened on, and what it saw then: a file's bytes or a directory's names. */
interface MetaOpen {
  path: string;
  content?: Buffer;
  names?: string[];
}

/** The fops answered here for /.meta objects; every other fop on one fails with EPERM. */
const ANSWERED = new Set([
  'lookup', 'stat', 'fstat', 'access', 'open', 'readv', 'flush', 'fsync', 'opendir', 'readdir', 'readdirp', 'readlink',
  'getxattr', 'fgetxattr', 'statfs',
]);

export class Meta extends DefaultXlator {
  static override readonly description = 'A read-only /.meta directory showing the graph, the volfile and the process (GlusterFS meta).';
  static override readonly options: readonly OptionDecl[] = [];

  private readonly tree = new MetaTree(() => this.graph);
  /** /.meta objects handed out so far, by gfid: their path under /.meta. */
  private readonly paths = new Map<Gfid, string>([[metaGfid(''), '']]);
  private readonly born = Math.floor(Date.now() / 1000);

  override init(): void {
    // Whatever would change /.meta, or create or remove a name in it, is refused before it goes down.
    const self = this as unknown as Record<string, (frame: Frame, ...args: unknown[]) => FopReturn>;
    for (const fop of allFops) {
      if (ANSWERED.has(fop.name)) continue;
      const passOn = self[fop.method]!.bind(this);
      self[fop.method] = (frame: Frame, ...args: unknown[]) => (this.touchesMeta(fop, args) ? errorUnwinders[fop.number]!(frame, Errno.EPERM) : passOn(frame, ...args));
    }
  }

  private touchesMeta(fop: FopInfo, args: unknown[]): boolean {
    return fop.argTypes.some((type, i) => {
      if (type === 'Fd') return this.paths.has((args[i] as Fd).inode.gfid);
      if (type !== 'Loc') return false;
      const loc = args[i] as Loc;
      return this.pathOf(loc) !== undefined || (loc.parent !== null && this.paths.has(loc.parent.gfid));
    });
  }

  /** The /.meta path a loc names, when it names a /.meta object. */
  private pathOf(loc: Loc): string | undefined {
    const known = this.paths.get(loc.inode.gfid) ?? this.paths.get(loc.gfid);
    if (known !== undefined) return known;
    if (loc.parent === null) return undefined;
    if (loc.parent.gfid === ROOT_GFID) return loc.name === META_DIR ? '' : undefined;
    const parent = this.paths.get(loc.parent.gfid);
    if (parent === undefined) return undefined;
    return parent === '' ? loc.name : `${parent}/${loc.name}`;
  }

  private node(path: string): MetaNode | undefined {
    const node = this.tree.resolve(path);
    if (node !== undefined) this.paths.set(metaGfid(path), path);
    return node;
  }

  private iatt(path: string, node: MetaNode, content?: Buffer): Iatt {
    const ia = new Iatt();
    ia.gfid = metaGfid(path);
    ia.ino = gfidToIno(ia.gfid);
    ia.atime = ia.mtime = ia.ctime = ia.btime = this.born;
    ia.blksize = 4096;
    switch (node.kind) {
      case 'dir':
        ia.mode = 0o040555;
        ia.nlink = 2;
        ia.size = 4096;
        break;
      case 'file':
        ia.mode = 0o100444;
        ia.nlink = 1;
        ia.size = (content ?? Buffer.from(node.content())).length;
        break;
      case 'link':
        ia.mode = 0o120777;
        ia.nlink = 1;
        ia.size = Buffer.byteLength(node.target());
        break;
    }
    ia.blocks = Math.ceil(ia.size / 512);
    return ia;
  }

  override lookup(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    const path = this.pathOf(loc);
    if (path === undefined) return super.lookup(frame, loc, xdata);
    const node = this.node(path);
    if (node === undefined) return unwindLookup(frame, -1, Errno.ENOENT, null, null, null, null);
    const parentPath = path === '' ? undefined : path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const parentNode = parentPath === undefined ? undefined : this.tree.resolve(parentPath);
    const postparent = parentPath !== undefined && parentNode !== undefined ? this.iatt(parentPath, parentNode) : null;
    unwindLookup(frame, 0, 0, loc.inode, this.iatt(path, node), null, postparent);
  }

  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    const path = this.pathOf(loc);
    if (path === undefined) return super.stat(frame, loc, xdata);
    const node = this.tree.resolve(path);
    if (node === undefined) return unwindStat(frame, -1, Errno.ENOENT, null, null);
    unwindStat(frame, 0, 0, this.iatt(path, node), null);
  }

  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    const path = this.paths.get(fd.inode.gfid);
    if (path === undefined) return super.fstat(frame, fd, xdata);
    const node = this.tree.resolve(path);
    if (node === undefined) return unwindFstat(frame, -1, Errno.ENOENT, null, null);
    unwindFstat(frame, 0, 0, this.iatt(path, node, this.opened(fd)?.content), null);
  }

  override access(frame: Frame, loc: Loc, mask: number, xdata: Dict | null): FopReturn {
    const path = this.pathOf(loc);
    if (path === undefined) return super.access(frame, loc, mask, xdata);
    unwindAccess(frame, mask & W_OK ? -1 : 0, mask & W_OK ? Errno.EACCES : 0, null);
  }

  override readlink(frame: Frame, loc: Loc, size: number, xdata: Dict | null): FopReturn {
    const path = this.pathOf(loc);
    if (path === undefined) return super.readlink(frame, loc, size, xdata);
    const node = this.tree.resolve(path);
    if (node?.kind !== 'link') return unwindReadlink(frame, -1, node === undefined ? Errno.ENOENT : Errno.EINVAL, null, null, null);
    unwindReadlink(frame, Buffer.byteLength(node.target()), 0, node.target(), this.iatt(path, node), null);
  }

  override open(frame: Frame, loc: Loc, flags: number, fd: Fd, xdata: Dict | null): FopReturn {
    const path = this.pathOf(loc);
    if (path === undefined) return super.open(frame, loc, flags, fd, xdata);
    const node = this.tree.resolve(path);
    if (node === undefined) return unwindOpen(frame, -1, Errno.ENOENT, null, null);
    if ((flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0) return unwindOpen(frame, -1, Errno.EPERM, null, null);
    if (node.kind !== 'file') return unwindOpen(frame, -1, node.kind === 'dir' ? Errno.EISDIR : Errno.ELOOP, null, null);
    // What the reader sees is what there was at open; reads bypass the page cache, because the
    // size changes under the kernel's feet (a profile grows as it is read).
    fd.ctx.set(this, { path, content: Buffer.from(node.content()) } satisfies MetaOpen);
    unwindOpen(frame, 0, 0, fd, new Dict([[DIRECT_IO_KEY, 1]]));
  }

  private opened(fd: Fd): MetaOpen | undefined {
    return fd.ctx.get(this) as MetaOpen | undefined;
  }

  override readv(frame: Frame, fd: Fd, size: number, offset: number, flags: number, xdata: Dict | null): FopReturn {
    const path = this.paths.get(fd.inode.gfid);
    if (path === undefined) return super.readv(frame, fd, size, offset, flags, xdata);
    const node = this.tree.resolve(path);
    if (node?.kind !== 'file') return unwindReadv(frame, -1, node === undefined ? Errno.ENOENT : Errno.EISDIR, null, 0, null, null, null);
    const content = this.opened(fd)?.content ?? Buffer.from(node.content());
    const data = content.subarray(Math.min(offset, content.length), Math.min(offset + size, content.length));
    unwindReadv(frame, data.length, 0, [Buffer.from(data)], 1, this.iatt(path, node, content), null, null);
  }

  override flush(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    if (!this.paths.has(fd.inode.gfid)) return super.flush(frame, fd, xdata);
    unwindFlush(frame, 0, 0, null);
  }

  override fsync(frame: Frame, fd: Fd, flags: number, xdata: Dict | null): FopReturn {
    const path = this.paths.get(fd.inode.gfid);
    if (path === undefined) return super.fsync(frame, fd, flags, xdata);
    unwindFsync(frame, 0, 0, null, null, null);
  }

  override opendir(frame: Frame, loc: Loc, fd: Fd, xdata: Dict | null): FopReturn {
    const path = this.pathOf(loc);
    if (path === undefined) return super.opendir(frame, loc, fd, xdata);
    const node = this.node(path);
    if (node === undefined) return unwindOpendir(frame, -1, Errno.ENOENT, null, null);
    if (node.kind !== 'dir') return unwindOpendir(frame, -1, Errno.ENOTDIR, null, null);
    fd.ctx.set(this, { path, names: node.children() } satisfies MetaOpen);
    unwindOpendir(frame, 0, 0, fd, null);
  }

  /** The entries of a /.meta directory from `offset` on ('.' and '..' first, as a directory lists them). */
  private entries(fd: Fd, offset: number, plus: boolean): Dirent[] | number {
    const opened = this.opened(fd);
    const path = opened?.path ?? this.paths.get(fd.inode.gfid)!;
    const dir = this.tree.resolve(path);
    if (dir?.kind !== 'dir') return Errno.ENOTDIR;
    const names = ['.', '..', ...(opened?.names ?? dir.children())];
    const out: Dirent[] = [];
    for (let i = offset; i < names.length; i++) {
      const name = names[i]!;
      const childPath = name === '.' ? path : name === '..' ? parentOf(path) : path === '' ? name : `${path}/${name}`;
      const node = childPath === null ? this.tree.resolve('') : this.node(childPath);
      if (node === undefined) continue; // a translator gone since opendir
      const stat = childPath === null ? rootLike() : this.iatt(childPath, node);
      out.push({ name, offset: i + 1, ino: stat.ino, type: direntType(node), ...(plus ? { stat } : {}) });
    }
    return out;
  }

  override readdir(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn {
    if (!this.paths.has(fd.inode.gfid)) return super.readdir(frame, fd, size, offset, xdata);
    const got = this.entries(fd, offset, false);
    if (typeof got === 'number') return unwindReaddir(frame, -1, got, null, null);
    unwindReaddir(frame, got.length, 0, got, null);
  }

  override readdirp(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn {
    if (!this.paths.has(fd.inode.gfid)) return super.readdirp(frame, fd, size, offset, xdata);
    const got = this.entries(fd, offset, true);
    if (typeof got === 'number') return unwindReaddirp(frame, -1, got, null, null);
    unwindReaddirp(frame, got.length, 0, got, null);
  }

  override getxattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn {
    if (this.pathOf(loc) === undefined) return super.getxattr(frame, loc, name, xdata);
    // /.meta objects have no extended attributes: an empty list, and no value for any name.
    if (!name) return unwindGetxattr(frame, 0, 0, new Dict(), null);
    unwindGetxattr(frame, -1, Errno.ENODATA, null, null);
  }

  override fgetxattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn {
    if (!this.paths.has(fd.inode.gfid)) return super.fgetxattr(frame, fd, name, xdata);
    if (!name) return unwindFgetxattr(frame, 0, 0, new Dict(), null);
    unwindFgetxattr(frame, -1, Errno.ENODATA, null, null);
  }

  override statfs(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    if (this.pathOf(loc) === undefined) return super.statfs(frame, loc, xdata);
    // /.meta lives on the volume: report the volume's figures.
    const root = loc.inode.table.root;
    const rootLoc: Loc = { path: '/', name: '', parent: null, inode: root, gfid: ROOT_GFID, pargfid: NULL_GFID };
    windStatfs(frame, (_f, _c, _x, opRet, opErrno, buf, x) => unwindStatfs(frame, opRet, opErrno, buf, x), this.firstChild, rootLoc, xdata);
  }

  override dump(): Record<string, unknown> {
    return { processUuid: this.tree.processUuid, graph: this.tree.graphId, objectsHandedOut: this.paths.size };
  }
}

function parentOf(path: string): string | null {
  if (path === '') return null; // the volume root
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

function rootLike(): Iatt {
  const ia = new Iatt();
  ia.gfid = ROOT_GFID;
  ia.ino = 1n;
  ia.mode = 0o040755;
  return ia;
}

function direntType(node: MetaNode): number {
  return node.kind === 'dir' ? DirentType.DIR : node.kind === 'file' ? DirentType.REG : DirentType.LNK;
}
