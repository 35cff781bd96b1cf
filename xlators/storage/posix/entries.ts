// Entry fops: lookup and everything that adds, removes or renames a name in a directory.
import { closeSync, constants, readFileSync, writev as writevCb } from 'node:fs';
import { lchown, link as linkP, mkdir as mkdirP, open as openSyncFd, readlink as readlinkP, rename as renameP, rmdir as rmdirP, symlink as symlinkP, unlink as unlinkP } from './meta-io.js';
import { promisify } from 'node:util';
import {
  unwindCreate, unwindLink, unwindLookup, unwindMkdir, unwindMknod, unwindPut, unwindReadlink, unwindRename, unwindRmdir, unwindSymlink, unwindUnlink,
} from '../../../generated/wind.js';
import { Dict } from '../../../runtime/dict.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Frame } from '../../../runtime/stack.js';
import { lgetxattr, lsetxattr, mknod as mknodC, renameat2, RENAME_EXCHANGE, RENAME_NOREPLACE } from '../../../runtime/sys/libc.js';
import { ACL_DEFAULT_XATTR } from '../../../runtime/acl.js';
import { checkName, E, ensureGfid, FopError, GFID_XATTR, parentPath, requestedGfid, statOf } from './handle.js';
import { isRoot, R, requireAccess, requireRemovable, W, X } from './permission.js';

/** open(2) of an existing or new file: a metadata call, made synchronously like the others. */
export const openFd = async (path: string, flags: number, mode?: number): Promise<number> => openSyncFd(path, flags, mode);
import type { Posix } from './index.js';
import { stampPath } from './times.js';
import { backingOpenFlags } from './data.js';

/** Parent attributes, with the search/write permission an entry op needs. */
export async function parentFor(px: Posix, frame: Frame, loc: Loc, mask: number): Promise<Iatt> {
  const parent = await statOf(px.real(parentPath(loc.path)), parentPath(loc.path) === '/');
  if (!parent.isDirectory()) throw new FopError(E.ENOTDIR);
  requireAccess(frame.root, parent, mask);
  return parent;
}

/**
 * Give a new object its gfid, the caller as owner (the group of a setgid parent), and the xattrs
 * the creator sent along (posix-acl's inherited ACLs, as GlusterFS's bricks store them).
 */
export async function adopt(px: Posix, frame: Frame, real: string, parent: Iatt, xdata: Dict | null): Promise<Iatt> {
  ensureGfid(real, requestedGfid(xdata));
  const gid = (parent.mode & 0o2000) !== 0 ? parent.gid : frame.root.gid;
  await lchown(real, frame.root.uid, gid);
  for (const [key, value] of xdata ?? []) {
    if (isStoredOnCreate(key) && Buffer.isBuffer(value)) lsetxattr(real, key, value, 0);
  }
  stampPath(frame.root, real);
  return statOf(real);
}

/** Keys of a creation's xdata that are xattrs for the new object rather than requests. */
function isStoredOnCreate(key: string): boolean {
  return key.startsWith('system.posix_acl_') || key.startsWith('user.') || (key.startsWith('trusted.') && key !== GFID_XATTR) || key.startsWith('security.');
}

/**
 * The mode a new object is made with: the caller's umask applies unless the parent directory has
 * a default ACL, which then narrows the mode instead (the kernel does that part on the backing
 * directory, which carries the same default ACL).
 */
function creationMode(real: string, mode: number, umask: number): number {
  if (umask === 0) return mode & 0o7777;
  try {
    lgetxattr(parentPath(real), ACL_DEFAULT_XATTR);
    return mode & 0o7777;
  } catch {
    return mode & ~umask & 0o7777;
  }
}

/** Xattrs a lookup asked for by name in its xdata (posix-acl asks for the ACLs), those that exist. */
function requestedXattrs(real: string, xdata: Dict | null, into: Dict | null): Dict | null {
  if (xdata === null) return into;
  for (const key of xdata.keys()) {
    if (!key.startsWith('system.posix_acl_')) continue;
    try {
      const value = lgetxattr(real, key);
      (into ??= new Dict()).set(key, value);
    } catch {
      // Not there: the reply says nothing about it, as GlusterFS's bricks do.
    }
  }
  return into;
}

/** Lookup xdata key: "send the content of a regular file no larger than this" (quick-read asks it). */
export const CONTENT_KEY = 'glusterfs.content';

/** The whole content of a small regular file, for a lookup that asked for it. */
function contentReply(frame: Frame, real: string, buf: Iatt, xdata: Dict | null): Dict | null {
  const limit = xdata?.get(CONTENT_KEY);
  if (limit === undefined || !buf.isRegular() || buf.size > Number(limit)) return null;
  let content: Buffer;
  try {
    requireAccess(frame.root, buf, R); // a cache must not hand out what the caller could not read
    content = readFileSync(real);
  } catch {
    return null; // a file that cannot be read now is still found; the reader gets the error
  }
  if (content.length !== buf.size) return null; // changed under us: no content rather than a wrong one
  return new Dict([[CONTENT_KEY, content]]);
}

export async function lookup(px: Posix, frame: Frame, loc: Loc, xdata: Dict | null): Promise<void> {
  try {
    if (loc.path === '/') {
      const buf = await statOf(px.directory, true);
      unwindLookup(frame, 0, 0, loc.inode, buf, requestedXattrs(px.directory, xdata, null), null);
      return;
    }
    const parent = await parentFor(px, frame, loc, X);
    const real = px.real(loc.path);
    const buf = await statOf(real);
    unwindLookup(frame, 0, 0, loc.inode, buf, requestedXattrs(real, xdata, contentReply(frame, real, buf, xdata)), parent);
  } catch (e) {
    unwindLookup(frame, -1, px.errno(e), null, null, null, null);
  }
}

export async function readlink(px: Posix, frame: Frame, loc: Loc, size: number): Promise<void> {
  try {
    const real = px.real(loc.path);
    const buf = await statOf(real);
    if (!buf.isSymlink()) throw new FopError(E.EINVAL);
    const target = readlinkP(real);
    unwindReadlink(frame, target.length, 0, target.subarray(0, size > 0 ? size : target.length).toString(), buf, null);
  } catch (e) {
    unwindReadlink(frame, -1, px.errno(e), null, null, null);
  }
}

export async function mknod(px: Posix, frame: Frame, loc: Loc, mode: number, rdev: number, umask: number, xdata: Dict | null): Promise<void> {
  try {
    checkName(loc);
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    const type = mode & 0o170000;
    if ((type === 0o020000 || type === 0o060000) && !isRoot(frame.root)) throw new FopError(E.EPERM);
    mknodC(real, creationMode(real, mode, umask) | (type || 0o100000), rdev);
    const buf = await adopt(px, frame, real, pre, xdata);
    unwindMknod(frame, 0, 0, loc.inode, buf, pre, await px.parentStat(loc, frame.root), null);
  } catch (e) {
    unwindMknod(frame, -1, px.errno(e), null, null, null, null, null);
  }
}

export async function mkdir(px: Posix, frame: Frame, loc: Loc, mode: number, umask: number, xdata: Dict | null): Promise<void> {
  try {
    checkName(loc);
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    await mkdirP(real, creationMode(real, mode, umask));
    const buf = await adopt(px, frame, real, pre, xdata);
    unwindMkdir(frame, 0, 0, loc.inode, buf, pre, await px.parentStat(loc, frame.root), null);
  } catch (e) {
    unwindMkdir(frame, -1, px.errno(e), null, null, null, null, null);
  }
}

export async function symlink(px: Posix, frame: Frame, linkpath: string, loc: Loc, _umask: number, xdata: Dict | null): Promise<void> {
  try {
    checkName(loc);
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    await symlinkP(linkpath, real);
    const buf = await adopt(px, frame, real, pre, xdata);
    unwindSymlink(frame, 0, 0, loc.inode, buf, pre, await px.parentStat(loc, frame.root), null);
  } catch (e) {
    unwindSymlink(frame, -1, px.errno(e), null, null, null, null, null);
  }
}

export async function create(px: Posix, frame: Frame, loc: Loc, flags: number, mode: number, umask: number, fd: Fd, xdata: Dict | null): Promise<void> {
  try {
    checkName(loc);
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    const handle = await openFd(real, backingOpenFlags(flags) | constants.O_CREAT | (flags & constants.O_EXCL), creationMode(real, mode, umask));
    try {
      const buf = await adopt(px, frame, real, pre, xdata);
      px.setFileCtx(fd, handle, real);
      unwindCreate(frame, 0, 0, fd, loc.inode, buf, pre, await px.parentStat(loc, frame.root), null);
    } catch (e) {
      closeSync(handle);
      throw e;
    }
  } catch (e) {
    unwindCreate(frame, -1, px.errno(e), null, null, null, null, null, null);
  }
}

export async function unlink(px: Posix, frame: Frame, loc: Loc, _flags: number): Promise<void> {
  try {
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    const victim = await statOf(real);
    if (victim.isDirectory()) throw new FopError(E.EISDIR);
    requireRemovable(frame.root, pre, victim);
    await unlinkP(real);
    unwindUnlink(frame, 0, 0, pre, await px.parentStat(loc, frame.root), null);
  } catch (e) {
    unwindUnlink(frame, -1, px.errno(e), null, null, null);
  }
}

export async function rmdir(px: Posix, frame: Frame, loc: Loc, _flags: number): Promise<void> {
  try {
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    const victim = await statOf(real);
    if (!victim.isDirectory()) throw new FopError(E.ENOTDIR);
    requireRemovable(frame.root, pre, victim);
    await rmdirP(real);
    unwindRmdir(frame, 0, 0, pre, await px.parentStat(loc, frame.root), null);
  } catch (e) {
    unwindRmdir(frame, -1, px.errno(e), null, null, null);
  }
}

/** xdata 'rename-flags' carries renameat2's RENAME_NOREPLACE / RENAME_EXCHANGE (FUSE RENAME2). */
export async function rename(px: Posix, frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): Promise<void> {
  try {
    checkName(newloc);
    const preOld = await parentFor(px, frame, oldloc, W | X);
    const preNew = await parentFor(px, frame, newloc, W | X);
    const from = px.real(oldloc.path);
    const to = px.real(newloc.path);
    const moving = await statOf(from);
    requireRemovable(frame.root, preOld, moving);
    const flags = Number(xdata?.get('rename-flags') ?? 0);
    if (flags !== 0) renameat2(from, to, flags & (RENAME_NOREPLACE | RENAME_EXCHANGE));
    else await renameP(from, to);
    const buf = await statOf(to);
    unwindRename(frame, 0, 0, buf, preOld, await px.parentStat(oldloc, frame.root), preNew, await px.parentStat(newloc, frame.root), null);
  } catch (e) {
    unwindRename(frame, -1, px.errno(e), null, null, null, null, null, null);
  }
}

export async function link(px: Posix, frame: Frame, oldloc: Loc, newloc: Loc): Promise<void> {
  try {
    checkName(newloc);
    const pre = await parentFor(px, frame, newloc, W | X);
    const from = px.real(oldloc.path);
    const st = await statOf(from);
    if (st.isDirectory()) throw new FopError(E.EPERM);
    await linkP(from, px.real(newloc.path));
    const buf = await statOf(px.real(newloc.path));
    unwindLink(frame, 0, 0, oldloc.inode, buf, pre, await px.parentStat(newloc, frame.root), null);
  } catch (e) {
    unwindLink(frame, -1, px.errno(e), null, null, null, null, null);
  }
}


/** put: create a file with its content and xattrs in one call. */
export async function put(
  px: Posix, frame: Frame, loc: Loc, mode: number, umask: number, flags: number, vector: Buffer[], offset: number, dict: Dict | null, xdata: Dict | null,
): Promise<void> {
  try {
    checkName(loc);
    const pre = await parentFor(px, frame, loc, W | X);
    const real = px.real(loc.path);
    const handle = await openFd(real, (flags & ~3) | constants.O_WRONLY | constants.O_CREAT, creationMode(real, mode, umask));
    try {
      await promisify(writevCb)(handle, vector, offset);
      for (const [name, value] of dict ?? []) px.setXattrOnFd(handle, name, Buffer.isBuffer(value) ? value : Buffer.from(String(value)), 0);
    } finally {
      closeSync(handle);
    }
    const buf = await adopt(px, frame, real, pre, xdata);
    unwindPut(frame, 0, 0, loc.inode, buf, pre, await px.parentStat(loc, frame.root), null);
  } catch (e) {
    unwindPut(frame, -1, px.errno(e), null, null, null, null, null);
  }
}
