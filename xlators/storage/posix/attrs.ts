// Attribute fops: stat, fstat, access, setattr, fsetattr, statfs.
import { chmod, lchown, statfs as statfsP, truncate as truncateP } from './meta-io.js';
import { fchmod, fchown, ftruncate } from 'node:fs';
import { promisify } from 'node:util';
import { unwindAccess, unwindFsetattr, unwindFstat, unwindSetattr, unwindStat, unwindStatfs } from '../../../generated/wind.js';
import type { Fd } from '../../../runtime/fd.js';
import { type Iatt, SetAttr, type Statvfs } from '../../../runtime/iatt.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Frame } from '../../../runtime/stack.js';
import { futimens, type TimeSpec, utimensat } from '../../../runtime/sys/libc.js';
import { fdStat } from './data.js';
import { E, FopError, statOf } from './handle.js';
import type { Posix } from './index.js';
import { inGroup, isRoot, requireAccess, requireOwner } from './permission.js';

export async function stat(px: Posix, frame: Frame, loc: Loc): Promise<void> {
  try {
    unwindStat(frame, 0, 0, await statOf(px.real(loc.path), loc.path === '/'), null);
  } catch (e) {
    unwindStat(frame, -1, px.errno(e), null, null);
  }
}

export async function fstat(px: Posix, frame: Frame, fd: Fd): Promise<void> {
  try {
    const file = px.fileCtx(fd);
    const buf = file !== undefined ? await fdStat(file) : await statOf(px.requireDir(fd).real, fd.inode.isRoot);
    unwindFstat(frame, 0, 0, buf, null);
  } catch (e) {
    unwindFstat(frame, -1, px.errno(e), null, null);
  }
}

export async function access(px: Posix, frame: Frame, loc: Loc, mask: number): Promise<void> {
  try {
    const st = await statOf(px.real(loc.path), loc.path === '/');
    requireAccess(frame.root, st, mask & 7);
    unwindAccess(frame, 0, 0, null);
  } catch (e) {
    unwindAccess(frame, -1, px.errno(e), null);
  }
}

export async function statfs(px: Posix, frame: Frame, loc: Loc): Promise<void> {
  try {
    const s = statfsP(px.real(loc.path));
    const buf: Statvfs = {
      bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
      files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: 0, namemax: 255,
    };
    unwindStatfs(frame, 0, 0, buf, null);
  } catch (e) {
    unwindStatfs(frame, -1, px.errno(e), null, null);
  }
}

/** The time to set for ATIME/MTIME: explicit (with nanoseconds), now, or left alone. */
function timeFor(valid: number, set: number, now: number, sec: number, nsec: number): TimeSpec {
  if ((valid & now) !== 0) return 'now';
  if ((valid & set) !== 0) return { sec, nsec };
  return 'omit';
}

/** Check what the caller may change, as chmod/chown/utimensat/truncate would. */
function checkSetattr(frame: Frame, pre: Iatt, stbuf: Iatt, valid: number): void {
  const root = frame.root;
  if ((valid & SetAttr.MODE) !== 0) requireOwner(root, pre);
  if ((valid & SetAttr.UID) !== 0 && stbuf.uid !== pre.uid && !isRoot(root)) throw new FopError(E.EPERM);
  if ((valid & SetAttr.GID) !== 0 && stbuf.gid !== pre.gid) {
    if (!isRoot(root) && (root.uid !== pre.uid || !inGroup(root, stbuf.gid))) throw new FopError(E.EPERM);
  }
  const explicitTimes = (valid & (SetAttr.ATIME | SetAttr.MTIME)) !== 0 && (valid & (SetAttr.ATIME_NOW | SetAttr.MTIME_NOW)) === 0;
  if (explicitTimes) requireOwner(root, pre);
  else if ((valid & (SetAttr.ATIME_NOW | SetAttr.MTIME_NOW)) !== 0 && !isRoot(root) && root.uid !== pre.uid) requireAccess(root, pre, 2);
  if ((valid & SetAttr.SIZE) !== 0) requireAccess(root, pre, 2);
}

interface AttrTarget {
  chmod(mode: number): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  truncate(size: number): Promise<void>;
  utimes(atime: TimeSpec, mtime: TimeSpec): void;
  stat(): Promise<Iatt>;
}

async function applySetattr(frame: Frame, target: AttrTarget, stbuf: Iatt, valid: number): Promise<[Iatt, Iatt]> {
  const pre = await target.stat();
  checkSetattr(frame, pre, stbuf, valid);
  if ((valid & (SetAttr.UID | SetAttr.GID)) !== 0) {
    await target.chown((valid & SetAttr.UID) !== 0 ? stbuf.uid : -1, (valid & SetAttr.GID) !== 0 ? stbuf.gid : -1);
  }
  if ((valid & SetAttr.MODE) !== 0 && !pre.isSymlink()) await target.chmod(stbuf.mode & 0o7777);
  if ((valid & SetAttr.SIZE) !== 0) await target.truncate(stbuf.size);
  if ((valid & (SetAttr.ATIME | SetAttr.MTIME | SetAttr.ATIME_NOW | SetAttr.MTIME_NOW)) !== 0) {
    target.utimes(
      timeFor(valid, SetAttr.ATIME, SetAttr.ATIME_NOW, stbuf.atime, stbuf.atimeNsec),
      timeFor(valid, SetAttr.MTIME, SetAttr.MTIME_NOW, stbuf.mtime, stbuf.mtimeNsec),
    );
  }
  return [pre, await target.stat()];
}

export async function setattr(px: Posix, frame: Frame, loc: Loc, stbuf: Iatt, valid: number): Promise<void> {
  try {
    const real = px.real(loc.path);
    const isRootDir = loc.path === '/';
    const [pre, post] = await applySetattr(frame, {
      chmod: async (mode) => chmod(real, mode),
      chown: async (uid, gid) => lchown(real, uid, gid),
      truncate: async (size) => truncateP(real, size),
      utimes: (a, m) => utimensat(real, a, m),
      stat: () => statOf(real, isRootDir),
    }, stbuf, valid);
    unwindSetattr(frame, 0, 0, pre, post, null);
  } catch (e) {
    unwindSetattr(frame, -1, px.errno(e), null, null, null);
  }
}

export async function fsetattr(px: Posix, frame: Frame, fd: Fd, stbuf: Iatt, valid: number): Promise<void> {
  try {
    const file = px.fileCtx(fd);
    if (file === undefined) {
      // Directories are opened without a descriptor; their path does the job.
      const dir = px.requireDir(fd);
      const [pre, post] = await applySetattr(frame, {
        chmod: async (mode) => chmod(dir.real, mode),
        chown: async (uid, gid) => lchown(dir.real, uid, gid),
        truncate: () => Promise.reject(new FopError(E.EISDIR)),
        utimes: (a, m) => utimensat(dir.real, a, m),
        stat: () => statOf(dir.real, fd.inode.isRoot),
      }, stbuf, valid);
      return unwindFsetattr(frame, 0, 0, pre, post, null);
    }
    const [pre, post] = await applySetattr(frame, {
      chmod: (mode) => promisify(fchmod)(file.fd, mode),
      chown: (uid, gid) => promisify(fchown)(file.fd, uid, gid),
      truncate: (size) => promisify(ftruncate)(file.fd, size),
      utimes: (a, m) => futimens(file.fd, a, m),
      stat: () => fdStat(file),
    }, stbuf, valid);
    unwindFsetattr(frame, 0, 0, pre, post, null);
  } catch (e) {
    unwindFsetattr(frame, -1, px.errno(e), null, null, null);
  }
}
