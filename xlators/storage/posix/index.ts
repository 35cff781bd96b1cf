// storage/posix: the leaf that stores a volume in a local directory, as GlusterFS's storage/posix
// does on a brick. Objects carry their gfid in trusted.gfid; the caller's credentials (uid, gid,
// groups of the call stack) decide permissions; new objects belong to the caller. The fops live in
// this folder by area: entries, data, attrs, xattrs, dirs, locks.
import { closeSync, statSync } from 'node:fs';
import { DefaultXlator } from '../../../generated/defaults.js';
import {
  unwindEntrylk, unwindFentrylk, unwindFinodelk, unwindGetactivelk, unwindGetspec, unwindIcreate, unwindInodelk, unwindIpc, unwindLease,
  unwindLk, unwindNamelink, unwindSetactivelk,
} from '../../../generated/wind.js';
import type { Dict } from '../../../runtime/dict.js';
import { errnoOf } from '../../../runtime/errno.js';
import type { Fd } from '../../../runtime/fd.js';
import { type Gfid, gfidToBuffer, ROOT_GFID } from '../../../runtime/gfid.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Loc } from '../../../runtime/loc.js';
import { type Flock, LockCmd } from '../../../runtime/lock.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { CallStack, Frame } from '../../../runtime/stack.js';
import { lsetxattr } from '../../../runtime/sys/libc.js';
import * as attrs from './attrs.js';
import * as data from './data.js';
import * as dirs from './dirs.js';
import * as entries from './entries.js';
import { E, FopError, GFID_XATTR, parentPath, readGfid, realPath, statOf } from './handle.js';
import { LockTable } from './locks.js';
import { stampParent } from './times.js';
import * as xattrs from './xattrs.js';

export interface FileCtx {
  fd: number;
  real: string;
  gfid: Gfid;
  /** Lock owners that took locks through this fd, released when it closes. */
  lockOwners: Set<string>;
}

export interface DirCtx {
  real: string;
  path: string;
  entries: string[] | null;
}

export class Posix extends DefaultXlator {
  static override readonly description = 'Stores the volume in a local directory (GlusterFS storage/posix).';
  static override readonly options = [
    { key: 'directory', type: 'path', description: 'The directory that holds the volume (it must exist).' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof Posix.options>;
  static readonly subvolumes = { min: 0, max: 0 };

  directory = '';
  readonly locks = new LockTable();

  override init(): void {
    const dir = this.options['directory'];
    if (typeof dir !== 'string') throw new Error("option 'directory' is required: the directory that holds the volume");
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new Error(`directory '${dir}' does not exist or is not a directory`);
    this.directory = dir.replace(/\/+$/, '') || '/';
    // The export root is the volume's root: it has the root gfid, like a brick's root.
    const existing = readGfid(this.directory);
    if (existing !== null && existing !== ROOT_GFID) throw new Error(`directory '${dir}' already belongs to a volume with root gfid ${existing}`);
    if (existing === null) lsetxattr(this.directory, GFID_XATTR, gfidToBuffer(ROOT_GFID));
    // Modes come from the caller (already masked with its umask), not from this process.
    process.umask(0);
  }

  // ---- helpers the fop modules share

  real(path: string): string {
    return realPath(this.directory, path);
  }

  /** The parent's attributes after an entry fop, with features/utime's parent times applied. */
  async parentStat(loc: Loc, root?: CallStack): Promise<Iatt> {
    const parent = parentPath(loc.path);
    if (root !== undefined) stampParent(root, this.real(parent));
    return statOf(this.real(parent), parent === '/');
  }

  errno(e: unknown): number {
    if (e instanceof FopError) return e.errno;
    return errnoOf(e);
  }

  setFileCtx(fd: Fd, handle: number, real: string, gfid?: Gfid): void {
    fd.ctx.set(this, { fd: handle, real, gfid: gfid ?? readGfid(real) ?? fd.inode.gfid, lockOwners: new Set() } satisfies FileCtx);
  }
  setDirCtx(fd: Fd, real: string, path: string): void {
    fd.ctx.set(this, { real, path, entries: null } satisfies DirCtx);
  }
  fileCtx(fd: Fd): FileCtx | undefined {
    const ctx = fd.ctx.get(this) as FileCtx | DirCtx | undefined;
    return ctx !== undefined && 'fd' in ctx ? ctx : undefined;
  }
  dirCtx(fd: Fd): DirCtx | undefined {
    const ctx = fd.ctx.get(this) as FileCtx | DirCtx | undefined;
    return ctx !== undefined && 'entries' in ctx ? ctx : undefined;
  }
  requireFile(fd: Fd): FileCtx {
    const ctx = this.fileCtx(fd);
    if (ctx === undefined) throw new FopError(this.dirCtx(fd) ? E.EISDIR : E.EBADF);
    return ctx;
  }
  requireDir(fd: Fd): DirCtx {
    const ctx = this.dirCtx(fd);
    if (ctx === undefined) throw new FopError(E.EBADF);
    return ctx;
  }
  setXattrOnFd(handle: number, name: string, value: Buffer, flags: number): void {
    xattrs.fdTarget(handle).set(name, value, flags);
  }

  override release(fd: Fd): void {
    const ctx = this.fileCtx(fd);
    if (ctx === undefined) return;
    for (const owner of ctx.lockOwners) this.locks.releaseOwner(ctx.gfid, owner);
    fd.ctx.delete(this);
    closeSync(ctx.fd);
  }

  override releasedir(fd: Fd): void {
    fd.ctx.delete(this);
  }

  override dump(): Record<string, unknown> {
    return { directory: this.directory };
  }

  // ---- fops

  override lookup(frame: Frame, loc: Loc, xdata: Dict | null) {
    return entries.lookup(this, frame, loc, xdata);
  }
  override stat(frame: Frame, loc: Loc) {
    return attrs.stat(this, frame, loc);
  }
  override fstat(frame: Frame, fd: Fd) {
    return attrs.fstat(this, frame, fd);
  }
  override access(frame: Frame, loc: Loc, mask: number) {
    return attrs.access(this, frame, loc, mask);
  }
  override readlink(frame: Frame, loc: Loc, size: number) {
    return entries.readlink(this, frame, loc, size);
  }
  override mknod(frame: Frame, loc: Loc, mode: number, rdev: number, umask: number, xdata: Dict | null) {
    return entries.mknod(this, frame, loc, mode, rdev, umask, xdata);
  }
  override mkdir(frame: Frame, loc: Loc, mode: number, umask: number, xdata: Dict | null) {
    return entries.mkdir(this, frame, loc, mode, umask, xdata);
  }
  override unlink(frame: Frame, loc: Loc, flags: number) {
    return entries.unlink(this, frame, loc, flags);
  }
  override rmdir(frame: Frame, loc: Loc, flags: number) {
    return entries.rmdir(this, frame, loc, flags);
  }
  override symlink(frame: Frame, linkpath: string, loc: Loc, umask: number, xdata: Dict | null) {
    return entries.symlink(this, frame, linkpath, loc, umask, xdata);
  }
  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null) {
    return entries.rename(this, frame, oldloc, newloc, xdata);
  }
  override link(frame: Frame, oldloc: Loc, newloc: Loc) {
    return entries.link(this, frame, oldloc, newloc);
  }
  override create(frame: Frame, loc: Loc, flags: number, mode: number, umask: number, fd: Fd, xdata: Dict | null) {
    return entries.create(this, frame, loc, flags, mode, umask, fd, xdata);
  }
  override put(frame: Frame, loc: Loc, mode: number, umask: number, flags: number, vector: Buffer[], _count: number, offset: number, _iobref: unknown, dict: Dict | null, xdata: Dict | null) {
    return entries.put(this, frame, loc, mode, umask, flags, vector, offset, dict, xdata);
  }
  override open(frame: Frame, loc: Loc, flags: number, fd: Fd) {
    return data.open(this, frame, loc, flags, fd);
  }
  override readv(frame: Frame, fd: Fd, size: number, offset: number) {
    return data.readv(this, frame, fd, size, offset);
  }
  override writev(frame: Frame, fd: Fd, vector: Buffer[], _count: number, offset: number) {
    return data.writev(this, frame, fd, vector, offset);
  }
  override truncate(frame: Frame, loc: Loc, offset: number) {
    return data.truncate(this, frame, loc, offset);
  }
  override ftruncate(frame: Frame, fd: Fd, offset: number) {
    return data.ftruncate(this, frame, fd, offset);
  }
  override flush(frame: Frame, fd: Fd) {
    return data.flush(this, frame, fd);
  }
  override fsync(frame: Frame, fd: Fd, flags: number) {
    return data.fsync(this, frame, fd, flags);
  }
  override fsyncdir(frame: Frame, fd: Fd) {
    return data.fsyncdir(this, frame, fd);
  }
  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number) {
    return data.fallocate(this, frame, fd, keepSize, offset, len);
  }
  override discard(frame: Frame, fd: Fd, offset: number, len: number) {
    return data.discard(this, frame, fd, offset, len);
  }
  override zerofill(frame: Frame, fd: Fd, offset: number, len: number) {
    return data.zerofill(this, frame, fd, offset, len);
  }
  override seek(frame: Frame, fd: Fd, offset: number, what: number) {
    return data.seek(this, frame, fd, offset, what);
  }
  override copyFileRange(frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number) {
    return data.copyRange(this, frame, fdIn, offIn, fdOut, offOut, len, flags);
  }
  override rchecksum(frame: Frame, fd: Fd, offset: number, len: number) {
    return data.rchecksum(this, frame, fd, offset, len);
  }
  override statfs(frame: Frame, loc: Loc) {
    return attrs.statfs(this, frame, loc);
  }
  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number) {
    return attrs.setattr(this, frame, loc, stbuf, valid);
  }
  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number) {
    return attrs.fsetattr(this, frame, fd, stbuf, valid);
  }
  override setxattr(frame: Frame, loc: Loc, dict: Dict, flags: number) {
    return xattrs.setxattr(this, frame, loc, dict, flags);
  }
  override fsetxattr(frame: Frame, fd: Fd, dict: Dict, flags: number) {
    return xattrs.fsetxattr(this, frame, fd, dict, flags);
  }
  override getxattr(frame: Frame, loc: Loc, name: string) {
    return xattrs.getxattr(this, frame, loc, name);
  }
  override fgetxattr(frame: Frame, fd: Fd, name: string) {
    return xattrs.fgetxattr_(this, frame, fd, name);
  }
  override removexattr(frame: Frame, loc: Loc, name: string) {
    return xattrs.removexattr(this, frame, loc, name);
  }
  override fremovexattr(frame: Frame, fd: Fd, name: string) {
    return xattrs.fremovexattr_(this, frame, fd, name);
  }
  override xattrop(frame: Frame, loc: Loc, flags: number, dict: Dict) {
    return xattrs.xattrop(this, frame, loc, flags, dict);
  }
  override fxattrop(frame: Frame, fd: Fd, flags: number, dict: Dict) {
    return xattrs.fxattrop(this, frame, fd, flags, dict);
  }
  override opendir(frame: Frame, loc: Loc, fd: Fd) {
    return dirs.opendir(this, frame, loc, fd);
  }
  override readdir(frame: Frame, fd: Fd, size: number, offset: number) {
    return dirs.readdir(this, frame, fd, size, offset);
  }
  override readdirp(frame: Frame, fd: Fd, size: number, offset: number) {
    return dirs.readdirp(this, frame, fd, size, offset);
  }

  override lk(frame: Frame, fd: Fd, cmd: number, lock: Flock): void {
    const file = this.fileCtx(fd);
    if (file === undefined) return unwindLk(frame, -1, E.EBADF, null, null);
    const owner = lock.owner.toString('hex') || `pid:${lock.pid}`;
    if (cmd === LockCmd.GETLK) return unwindLk(frame, 0, 0, this.locks.test(file.gfid, owner, lock), null);
    if (cmd === LockCmd.SETLK) {
      if (!this.locks.trySet(file.gfid, owner, lock)) return unwindLk(frame, -1, E.EAGAIN, null, null);
      file.lockOwners.add(owner);
      return unwindLk(frame, 0, 0, lock, null);
    }
    if (cmd === LockCmd.SETLKW) {
      file.lockOwners.add(owner);
      void this.locks.wait(file.gfid, owner, lock).then((ok) => (ok ? unwindLk(frame, 0, 0, lock, null) : unwindLk(frame, -1, E.EINTR, null, null)));
      return;
    }
    unwindLk(frame, -1, E.EINVAL, null, null);
  }

  /** Cluster-internal inode locks: the same lock table, one key per lock domain. */
  override inodelk(frame: Frame, volume: string, loc: Loc, cmd: number, lock: Flock): void {
    void this.domainLock(frame, `${volume}\0${loc.inode.gfid || loc.path}`, cmd, lock, unwindInodelk);
  }
  override finodelk(frame: Frame, volume: string, fd: Fd, cmd: number, lock: Flock): void {
    void this.domainLock(frame, `${volume}\0${fd.inode.gfid}`, cmd, lock, unwindFinodelk);
  }
  private async domainLock(frame: Frame, key: string, cmd: number, lock: Flock, unwind: (f: Frame, r: number, e: number, x: Dict | null) => void): Promise<void> {
    const owner = frame.root.lkOwner.toString('hex') || `stack:${frame.root.unique}`;
    if (cmd === LockCmd.SETLKW) return unwind(frame, (await this.locks.wait(key, owner, lock)) ? 0 : -1, 0, null);
    if (cmd === LockCmd.SETLK) return this.locks.trySet(key, owner, lock) ? unwind(frame, 0, 0, null) : unwind(frame, -1, E.EAGAIN, null);
    unwind(frame, -1, E.EINVAL, null);
  }

  // Fops that mean nothing for one local directory:
  /** Name locks serve replication and distribution across bricks; one directory has no peers to coordinate. */
  override entrylk(frame: Frame): void {
    unwindEntrylk(frame, -1, E.ENOSYS, null);
  }
  override fentrylk(frame: Frame): void {
    unwindFentrylk(frame, -1, E.ENOSYS, null);
  }
  /** Volfiles come from glusterd, not from storage. */
  override getspec(frame: Frame): void {
    unwindGetspec(frame, -1, E.ENOSYS, null);
  }
  /** No translator here defines an ipc message. */
  override ipc(frame: Frame): void {
    unwindIpc(frame, -1, E.EOPNOTSUPP, null);
  }
  /** Leases are granted by features/leases, which this stack does not have. */
  override lease(frame: Frame): void {
    unwindLease(frame, -1, E.ENOSYS, null, null);
  }
  /** Lock migration is for rebalancing between bricks. */
  override getactivelk(frame: Frame): void {
    unwindGetactivelk(frame, -1, E.ENOSYS, null, null);
  }
  override setactivelk(frame: Frame): void {
    unwindSetactivelk(frame, -1, E.ENOSYS, null);
  }
  /** Nameless inodes need the brick's gfid handle store (.glusterfs), which a plain directory has not. */
  override icreate(frame: Frame): void {
    unwindIcreate(frame, -1, E.ENOSYS, null, null, null);
  }
  override namelink(frame: Frame): void {
    unwindNamelink(frame, -1, E.ENOSYS, null, null, null);
  }
}
