// Paths, gfids and attributes of objects in the export directory. Every object carries its gfid in
// the trusted.gfid xattr, as on a GlusterFS brick, so ids survive remounts and hard links share one.
import { lstatSync, type BigIntStats } from 'node:fs';
import { constants } from 'node:os';
import { type Gfid, gfidFromBuffer, gfidToBuffer, isGfid, newGfid, ROOT_GFID } from '../../../runtime/gfid.js';
import { type Iatt, iattFromStats } from '../../../runtime/iatt.js';
import type { Dict } from '../../../runtime/dict.js';
import type { Loc } from '../../../runtime/loc.js';
import { lgetxattrInto, lsetxattr, SysError, XATTR_CREATE } from '../../../runtime/sys/libc.js';

export const GFID_XATTR = 'trusted.gfid';

/** An error with an errno, for the fops to unwind with. */
export class FopError extends Error {
  constructor(readonly errno: number, message = '') {
    super(message);
  }
}

export const E = constants.errno;

/** The real path of a loc inside the export; refuses anything that would leave it. */
export function realPath(directory: string, path: string): string {
  if (path === '/' || path === '') return directory;
  if (!path.startsWith('/')) throw new FopError(E.EINVAL, `relative path '${path}'`);
  for (const part of path.slice(1).split('/')) {
    if (part === '' || part === '.' || part === '..') throw new FopError(E.EINVAL, `bad path '${path}'`);
  }
  return directory + path;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** A new entry's name must be a plain name. */
export function checkName(loc: Loc): void {
  const name = loc.name || loc.path.slice(loc.path.lastIndexOf('/') + 1);
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new FopError(E.EINVAL, `bad name '${name}'`);
  if (Buffer.byteLength(name) > 255) throw new FopError(E.ENAMETOOLONG);
}

const gfidBuf = Buffer.alloc(16);

export function readGfid(real: string): Gfid | null {
  // One syscall into a reused buffer: this runs for nearly every fop.
  return lgetxattrInto(real, GFID_XATTR, gfidBuf) === 16 ? gfidFromBuffer(gfidBuf) : null;
}

/** The object's gfid, giving it one (the requested one, else a fresh one) if it has none. */
export function ensureGfid(real: string, wanted?: Gfid | null): Gfid {
  const existing = readGfid(real);
  if (existing !== null) return existing;
  const gfid = wanted ?? newGfid();
  try {
    lsetxattr(real, GFID_XATTR, gfidToBuffer(gfid), XATTR_CREATE);
    return gfid;
  } catch (e) {
    // Another call gave it a gfid first: theirs stands.
    if (e instanceof SysError && e.errno === E.EEXIST) return readGfid(real) ?? gfid;
    throw e;
  }
}

/** The gfid a creating caller asks for in xdata 'gfid-req'. */
export function requestedGfid(xdata: Dict | null): Gfid | null {
  const v = xdata?.get('gfid-req');
  if (Buffer.isBuffer(v) && v.length === 16) return gfidFromBuffer(v);
  if (typeof v === 'string' && isGfid(v)) return v;
  return null;
}

/**
 * Attributes of an object. Metadata syscalls on a local filesystem take microseconds, less than a
 * trip through libuv's thread pool, so posix makes them synchronously; data I/O and fsync, which
 * can take long, stay asynchronous.
 */
export async function statOf(real: string, isRoot = false): Promise<Iatt> {
  return statOfSync(real, isRoot);
}

export function statOfSync(real: string, isRoot = false): Iatt {
  const st: BigIntStats = lstatSync(real, { bigint: true });
  return withBackingPath(iattFromStats(st, isRoot ? ROOT_GFID : ensureGfid(real)), real);
}

/**
 * The backing path attributes were read from, so that a permission check can read the object's
 * ACL, and only when it needs it (a caller that is neither root nor the owner).
 */
const backingPaths = new WeakMap<Iatt, string>();

export function withBackingPath(st: Iatt, real: string): Iatt {
  backingPaths.set(st, real);
  return st;
}

export function backingPathOf(st: Iatt): string | undefined {
  return backingPaths.get(st);
}
