// Applies features/utime's stamp: the call stack carries one client time and MDATA_* flags naming
// which times the fop changes (of the object and of its parent). Setting them here, after the
// change, makes every brick agree on the time instead of each using its own clock. Without utime
// in the graph the flags are zero and the kernel's own times stand.
import type { CallStack } from '../../../runtime/stack.js';
import { MdataFlags } from '../../../runtime/stack.js';
import { futimens, type TimeSpec, utimensat } from '../../../runtime/sys/libc.js';

type SetTimes = (atime: TimeSpec, mtime: TimeSpec) => void;

function apply(root: CallStack, atimeFlag: number, mtimeFlag: number, set: SetTimes): void {
  const a = (root.flags & atimeFlag) !== 0;
  const m = (root.flags & mtimeFlag) !== 0;
  if (!a && !m) return;
  const stamp = { sec: root.ctimeSec, nsec: root.ctimeNsec };
  try {
    set(a ? stamp : 'omit', m ? stamp : 'omit');
  } catch {
    // The fop itself succeeded; a time we could not set leaves the kernel's time, not an error.
  }
}

/** The object's atime/mtime, on a path (not following a symlink). */
export function stampPath(root: CallStack, real: string): void {
  apply(root, MdataFlags.ATIME, MdataFlags.MTIME, (a, m) => utimensat(real, a, m));
}

/** The object's atime/mtime, on an open file. */
export function stampFd(root: CallStack, fd: number): void {
  apply(root, MdataFlags.ATIME, MdataFlags.MTIME, (a, m) => futimens(fd, a, m));
}

/** The parent directory's atime/mtime. */
export function stampParent(root: CallStack, realParent: string): void {
  apply(root, MdataFlags.PAR_ATIME, MdataFlags.PAR_MTIME, (a, m) => utimensat(realParent, a, m));
}
