// Extended attribute fops, by path and by fd, and GlusterFS's xattrop arithmetic on them.
// trusted.gfid is the object's identity: callers can neither change nor see it.
import {
  unwindFgetxattr, unwindFremovexattr, unwindFsetxattr, unwindFxattrop, unwindGetxattr, unwindRemovexattr, unwindSetxattr, unwindXattrop,
} from '../../../generated/wind.js';
import { Dict } from '../../../runtime/dict.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Loc } from '../../../runtime/loc.js';
import type { CallStack, Frame } from '../../../runtime/stack.js';
import {
  fgetxattr, flistxattr, fremovexattr, fsetxattr as fsetxattrC, lgetxattr, llistxattr, lremovexattr, lsetxattr, SysError,
} from '../../../runtime/sys/libc.js';
import { E, FopError, GFID_XATTR, statOfSync } from './handle.js';
import type { Posix } from './index.js';
import { isRoot, requireAccess, requireOwner } from './permission.js';

/** What an xattr call works on: a path or an open descriptor. */
interface XattrTarget {
  get(name: string): Buffer;
  set(name: string, value: Buffer, flags: number): void;
  list(): string[];
  remove(name: string): void;
  describe: string;
}

function pathTarget(real: string): XattrTarget {
  return {
    get: (n) => lgetxattr(real, n),
    set: (n, v, f) => lsetxattr(real, n, v, f),
    list: () => llistxattr(real),
    remove: (n) => lremovexattr(real, n),
    describe: real,
  };
}

export function fdTarget(fd: number): XattrTarget {
  return {
    get: (n) => fgetxattr(fd, n),
    set: (n, v, f) => fsetxattrC(fd, n, v, f),
    list: () => flistxattr(fd),
    remove: (n) => fremovexattr(fd, n),
    describe: `fd ${fd}`,
  };
}

function targetOf(px: Posix, fd: Fd): XattrTarget {
  const file = px.fileCtx(fd);
  return file !== undefined ? fdTarget(file.fd) : pathTarget(px.requireDir(fd).real);
}

/** Namespace rules: trusted.* and security.* are root's; user.* follows the file's permissions. */
function checkWrite(root: CallStack, px: Posix, real: string | null, name: string): void {
  if (name === GFID_XATTR) throw new FopError(E.EPERM);
  if (isRoot(root)) return;
  if (name.startsWith('trusted.') || name.startsWith('security.')) throw new FopError(E.EPERM);
  if (real !== null) {
    const st = statOfSync(real);
    if (name.startsWith('system.posix_acl')) requireOwner(root, st);
    else requireAccess(root, st, 2);
  }
}

function valueOf(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(String(v));
}

function setAll(target: XattrTarget, dict: Dict, flags: number): void {
  for (const [name, value] of dict) target.set(name, valueOf(value), flags);
}

/** One xattr, or (empty name) every one but the gfid. */
function getAll(target: XattrTarget, name: string, root: CallStack): Dict {
  const out = new Dict();
  if (name !== '') {
    if (name === GFID_XATTR && !isRoot(root)) throw new FopError(E.ENODATA);
    out.set(name, target.get(name));
    return out;
  }
  for (const key of target.list()) {
    if (key === GFID_XATTR || (!isRoot(root) && key.startsWith('trusted.'))) continue;
    try {
      out.set(key, target.get(key));
    } catch (e) {
      // Removed between list and get: it is simply not there any more.
      if (!(e instanceof SysError && e.errno === E.ENODATA)) throw e;
    }
  }
  return out;
}

export function setxattr(px: Posix, frame: Frame, loc: Loc, dict: Dict, flags: number): void {
  try {
    const real = px.real(loc.path);
    for (const name of dict.keys()) checkWrite(frame.root, px, real, name);
    setAll(pathTarget(real), dict, flags);
    unwindSetxattr(frame, 0, 0, null);
  } catch (e) {
    unwindSetxattr(frame, -1, px.errno(e), null);
  }
}

export function fsetxattr(px: Posix, frame: Frame, fd: Fd, dict: Dict, flags: number): void {
  try {
    for (const name of dict.keys()) checkWrite(frame.root, px, null, name);
    setAll(targetOf(px, fd), dict, flags);
    unwindFsetxattr(frame, 0, 0, null);
  } catch (e) {
    unwindFsetxattr(frame, -1, px.errno(e), null);
  }
}

export function getxattr(px: Posix, frame: Frame, loc: Loc, name: string): void {
  try {
    unwindGetxattr(frame, 0, 0, getAll(pathTarget(px.real(loc.path)), name ?? '', frame.root), null);
  } catch (e) {
    unwindGetxattr(frame, -1, px.errno(e), null, null);
  }
}

/** GlusterFS's request to cancel the caller's blocked lock (sent when the kernel interrupts it). */
const INTERRUPT_LOCK_KEY = 'glusterfs.intrlk.tposix.kblocked';

export function fgetxattr_(px: Posix, frame: Frame, fd: Fd, name: string): void {
  try {
    if (name?.startsWith(INTERRUPT_LOCK_KEY)) {
      const file = px.requireFile(fd);
      px.locks.cancel(file.gfid, frame.root.lkOwner.toString('hex'));
      return unwindFgetxattr(frame, 0, 0, new Dict(), null);
    }
    unwindFgetxattr(frame, 0, 0, getAll(targetOf(px, fd), name ?? '', frame.root), null);
  } catch (e) {
    unwindFgetxattr(frame, -1, px.errno(e), null, null);
  }
}

export function removexattr(px: Posix, frame: Frame, loc: Loc, name: string): void {
  try {
    const real = px.real(loc.path);
    checkWrite(frame.root, px, real, name);
    pathTarget(real).remove(name);
    unwindRemovexattr(frame, 0, 0, null);
  } catch (e) {
    unwindRemovexattr(frame, -1, px.errno(e), null);
  }
}

export function fremovexattr_(px: Posix, frame: Frame, fd: Fd, name: string): void {
  try {
    checkWrite(frame.root, px, null, name);
    targetOf(px, fd).remove(name);
    unwindFremovexattr(frame, 0, 0, null);
  } catch (e) {
    unwindFremovexattr(frame, -1, px.errno(e), null);
  }
}

/** gf_xattrop_flags_t */
export const XattropOp = { ADD_ARRAY: 0, ADD_ARRAY64: 1, OR_ARRAY: 2, AND_ARRAY: 3, GET_AND_SET: 4, ADD_ARRAY_WITH_DEFAULT: 5, ADD_ARRAY64_WITH_DEFAULT: 6 } as const;

/** Combine an xattr's current value with the operand, element-wise, as GlusterFS's xattrop does. */
export function combine(op: number, current: Buffer, operand: Buffer): Buffer {
  if (op === XattropOp.GET_AND_SET) return Buffer.from(operand);
  const wide = op === XattropOp.ADD_ARRAY64 || op === XattropOp.ADD_ARRAY64_WITH_DEFAULT;
  const width = wide ? 8 : 4;
  if (operand.length % width !== 0) throw new FopError(E.EINVAL);
  const out = Buffer.alloc(operand.length);
  current.copy(out, 0, 0, Math.min(current.length, out.length));
  for (let i = 0; i < operand.length; i += width) {
    if (wide) {
      const a = out.readBigInt64BE(i);
      const b = operand.readBigInt64BE(i);
      out.writeBigInt64BE(BigInt.asIntN(64, a + b), i);
    } else {
      const a = out.readInt32BE(i);
      const b = operand.readInt32BE(i);
      const r = op === XattropOp.OR_ARRAY ? a | b : op === XattropOp.AND_ARRAY ? a & b : (a + b) | 0;
      out.writeInt32BE(r, i);
    }
  }
  return out;
}

function xattropOn(target: XattrTarget, op: number, dict: Dict): Dict {
  const out = new Dict();
  for (const [name, value] of dict) {
    if (name === GFID_XATTR) throw new FopError(E.EPERM);
    let current: Buffer;
    try {
      current = target.get(name);
    } catch (e) {
      if (!(e instanceof SysError && e.errno === E.ENODATA)) throw e;
      current = Buffer.alloc(0);
    }
    const next = combine(op, current, valueOf(value));
    target.set(name, next, 0);
    // GET_AND_SET answers with what was there; the arithmetic ops with the result.
    out.set(name, op === XattropOp.GET_AND_SET ? current : next);
  }
  return out;
}

export function xattrop(px: Posix, frame: Frame, loc: Loc, op: number, dict: Dict): void {
  try {
    if (!isRoot(frame.root)) throw new FopError(E.EPERM);
    unwindXattrop(frame, 0, 0, xattropOn(pathTarget(px.real(loc.path)), op, dict), null);
  } catch (e) {
    unwindXattrop(frame, -1, px.errno(e), null, null);
  }
}

export function fxattrop(px: Posix, frame: Frame, fd: Fd, op: number, dict: Dict): void {
  try {
    if (!isRoot(frame.root)) throw new FopError(E.EPERM);
    unwindFxattrop(frame, 0, 0, xattropOn(targetOf(px, fd), op, dict), null);
  } catch (e) {
    unwindFxattrop(frame, -1, px.errno(e), null, null);
  }
}
