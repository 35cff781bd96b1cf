// Directory fops: opendir, readdir, readdirp. A directory's entries are read once per open (or
// again when the reader starts over at offset 0), so the offsets handed out stay valid cookies.
import { readdir as readdirP } from './meta-io.js';
import { unwindOpendir, unwindReaddir, unwindReaddirp } from '../../../generated/wind.js';
import { type Dirent, direntTypeFromMode } from '../../../runtime/dirent.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Frame } from '../../../runtime/stack.js';
import { E, FopError, statOf } from './handle.js';
import type { DirCtx, Posix } from './index.js';
import { R, requireAccess } from './permission.js';

/** Bytes one entry takes in a FUSE reply, to honour the caller's size budget. */
function entrySize(name: string, plus: boolean): number {
  const base = plus ? 24 + 128 : 24;
  return (base + Buffer.byteLength(name) + 7) & ~7;
}

export async function opendir(px: Posix, frame: Frame, loc: Loc, fd: Fd): Promise<void> {
  try {
    const real = px.real(loc.path);
    const st = await statOf(real, loc.path === '/');
    if (!st.isDirectory()) throw new FopError(E.ENOTDIR);
    requireAccess(frame.root, st, R);
    px.setDirCtx(fd, real, loc.path);
    unwindOpendir(frame, 0, 0, fd, null);
  } catch (e) {
    unwindOpendir(frame, -1, px.errno(e), null, null);
  }
}

async function snapshot(dir: DirCtx): Promise<string[]> {
  const names = await readdirP(dir.real);
  return ['.', '..', ...names];
}

/** Attributes of an entry; '..' of the export root is the root itself. */
async function entryStat(px: Posix, dir: DirCtx, name: string): Promise<Iatt> {
  if (name === '.') return statOf(dir.real, dir.path === '/');
  if (name === '..') {
    const parent = dir.path === '/' ? '/' : dir.path.slice(0, dir.path.lastIndexOf('/')) || '/';
    return statOf(px.real(parent), parent === '/');
  }
  return statOf(`${dir.real}/${name}`);
}

async function list(px: Posix, fd: Fd, size: number, offset: number, plus: boolean): Promise<Dirent[]> {
  const dir = px.requireDir(fd);
  if (offset === 0 || dir.entries === null) dir.entries = await snapshot(dir);
  const out: Dirent[] = [];
  let budget = Math.max(size, 1);
  for (let i = offset; i < dir.entries.length; i++) {
    const name = dir.entries[i]!;
    const cost = entrySize(name, plus);
    if (out.length > 0 && cost > budget) break;
    budget -= cost;
    let stat: Iatt;
    try {
      stat = await entryStat(px, dir, name);
    } catch (e) {
      // Removed since the snapshot: skip it rather than fail the listing.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const entry: Dirent = { name, offset: i + 1, ino: stat.ino, type: direntTypeFromMode(stat.mode) };
    if (plus) {
      entry.stat = stat;
      entry.inode = fd.inode.table.find(stat.gfid) ?? fd.inode.table.newInode();
    }
    out.push(entry);
  }
  return out;
}

export async function readdir(px: Posix, frame: Frame, fd: Fd, size: number, offset: number): Promise<void> {
  try {
    unwindReaddir(frame, 0, 0, await list(px, fd, size, offset, false), null);
  } catch (e) {
    unwindReaddir(frame, -1, px.errno(e), null, null);
  }
}

export async function readdirp(px: Posix, frame: Frame, fd: Fd, size: number, offset: number): Promise<void> {
  try {
    const entries = await list(px, fd, size, offset, true);
    unwindReaddirp(frame, entries.length, 0, entries, null);
  } catch (e) {
    unwindReaddirp(frame, -1, px.errno(e), null, null);
  }
}
