// Permission checks for callers other than root, as the kernel makes them, because the brick
// process itself runs as root: the call stack's uid, gid and groups decide.
import { ACL_ACCESS_XATTR, aclPermits, parseAcl, type Acl } from '../../../runtime/acl.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { CallStack } from '../../../runtime/stack.js';
import { lgetxattr } from '../../../runtime/sys/libc.js';
import { backingPathOf, E, FopError } from './handle.js';

export const R = 4;
export const W = 2;
export const X = 1;

export function isRoot(root: CallStack): boolean {
  return root.uid === 0;
}

export function inGroup(root: CallStack, gid: number): boolean {
  return root.gid === gid || root.groups.includes(gid);
}

/** Whether the caller has every bit of `mask` (R|W|X) on an object with these attributes. */
export function allowed(root: CallStack, st: Iatt, mask: number): boolean {
  if (isRoot(root)) {
    // Root may execute only what someone may execute, and may do anything else.
    return (mask & X) === 0 || st.isDirectory() || (st.mode & 0o111) !== 0;
  }
  if (root.uid === st.uid) return (((st.mode >> 6) & 7) & mask) === mask;
  // Anyone else may be named in the object's ACL, which then decides instead of the mode bits.
  const acl = accessAclOf(st);
  if (acl !== null) return aclPermits(acl, root, st, mask);
  const bits = inGroup(root, st.gid) ? (st.mode >> 3) & 7 : st.mode & 7;
  return (bits & mask) === mask;
}

function accessAclOf(st: Iatt): Acl | null {
  const real = backingPathOf(st);
  if (real === undefined || st.isSymlink()) return null;
  try {
    return parseAcl(lgetxattr(real, ACL_ACCESS_XATTR));
  } catch {
    return null; // none (ENODATA), or none we can read: the mode bits decide
  }
}

export function requireAccess(root: CallStack, st: Iatt, mask: number): void {
  if (!allowed(root, st, mask)) throw new FopError(E.EACCES);
}

/** Removing or renaming `victim` out of `dir`: write+search on dir, and the sticky-bit rule. */
export function requireRemovable(root: CallStack, dir: Iatt, victim: Iatt): void {
  requireAccess(root, dir, W | X);
  if ((dir.mode & 0o1000) !== 0 && !isRoot(root) && root.uid !== dir.uid && root.uid !== victim.uid) throw new FopError(E.EPERM);
}

export function requireOwner(root: CallStack, st: Iatt): void {
  if (!isRoot(root) && root.uid !== st.uid) throw new FopError(E.EPERM);
}

/** Access mask an open(2) with these flags needs. */
export function openMask(flags: number): number {
  const acc = flags & 3;
  let mask = acc === 0 ? R : acc === 1 ? W : R | W;
  if ((flags & 0o1000) !== 0) mask |= W; // O_TRUNC
  return mask;
}
