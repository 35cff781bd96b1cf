// performance/quick-read: asks the brick, on lookup, for the whole content of small files (xdata
// key glusterfs.content), keeps it in an LRU bounded by cache-size, and serves reads from it while
// it is younger than cache-timeout and the attributes later replies show still match (GlusterFS's
// quick-read). Anything that changes a file's data drops its content.
import type { FopReturn } from '../../../generated/fop-types.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import {
  unwindFstat, unwindLookup, unwindReadv, unwindStat, windFstat, windLookup, windStat,
} from '../../../generated/wind.js';
import { Dict } from '../../../runtime/dict.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Gfid } from '../../../runtime/gfid.js';
import { type Iatt, SetAttr } from '../../../runtime/iatt.js';
import type { Inode } from '../../../runtime/inode.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

export const CONTENT_KEY = 'glusterfs.content';
const O_DIRECT = 0o40000;

interface Cached {
  content: Buffer;
  iatt: Iatt;
  fetchedAt: number;
}

export class QuickRead extends DefaultXlator {
  static override readonly description = 'Fetches small files whole on lookup and serves their reads from memory (GlusterFS performance/quick-read).';
  static override readonly options = [
    { key: 'cache-size', type: 'sizet', default: '128MB', min: 0, max: 32 * 1024 ** 3, description: 'Bytes of file content kept (least recently read dropped first).' },
    { key: 'cache-timeout', type: 'int', default: '1', min: 1, max: 60, description: 'Seconds fetched content is served without asking again.' },
    { key: 'max-file-size', type: 'sizet', default: '64KB', min: 0, max: 1000 * 1024, description: 'Files up to this size are fetched whole.' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Cache nothing.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof QuickRead.options>;

  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly cache = new Map<Gfid, Cached>();
  private bytes = 0;
  readonly stats = { hits: 0, misses: 0, fetched: 0, evicted: 0, invalidated: 0 };

  /** Options as numbers and flags, read once: every lookup and read consults them. */
  private enabled = false;
  private maxFileSize = 0;
  private cacheSize = 0;
  private cacheTimeoutMs = 0;

  override init(): void {
    this.maxFileSize = this.options['max-file-size'];
    this.cacheSize = this.options['cache-size'];
    this.cacheTimeoutMs = this.options['cache-timeout'] * 1000;
    this.enabled = !this.options['pass-through'] && this.maxFileSize > 0;
  }

  private drop(gfid: Gfid | undefined): void {
    if (gfid === undefined) return;
    const c = this.cache.get(gfid);
    if (c === undefined) return;
    this.cache.delete(gfid);
    this.bytes -= c.content.length;
    this.stats.invalidated++;
  }

  private store(gfid: Gfid, content: Buffer, iatt: Iatt): void {
    const limit = this.cacheSize;
    this.drop(gfid);
    if (content.length > limit) return;
    this.cache.set(gfid, { content: Buffer.from(content), iatt: iatt.clone(), fetchedAt: performance.now() });
    this.bytes += content.length;
    this.stats.fetched++;
    for (const [g, c] of this.cache) {
      if (this.bytes <= limit) break;
      this.cache.delete(g);
      this.bytes -= c.content.length;
      this.stats.evicted++;
    }
  }

  /** A later reply's attributes: content whose size or mtime moved is stale. */
  private check(iatt: Iatt | null | undefined): void {
    if (iatt == null) return;
    const c = this.cache.get(iatt.gfid);
    if (c !== undefined && (c.iatt.size !== iatt.size || c.iatt.mtime !== iatt.mtime || c.iatt.mtimeNsec !== iatt.mtimeNsec)) this.drop(iatt.gfid);
  }

  override lookup(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    if (!this.enabled) return super.lookup(frame, loc, xdata);
    const ask = new Dict(xdata ?? []);
    if (!ask.has(CONTENT_KEY)) ask.set(CONTENT_KEY, this.maxFileSize);
    windLookup(frame, (_f, _c, _x, opRet, opErrno, inode, buf, x, postparent) => {
      const content = x?.get(CONTENT_KEY);
      if (opRet >= 0 && buf !== null) {
        if (Buffer.isBuffer(content) && content.length === buf.size) this.store(buf.gfid, content, buf);
        else this.check(buf);
      }
      // The content is ours: those above asked for nothing of the kind.
      if (x !== null && !xdata?.has(CONTENT_KEY)) x.delete(CONTENT_KEY);
      unwindLookup(frame, opRet, opErrno, inode, buf, x, postparent);
    }, this.firstChild, loc, ask);
  }

  override readv(frame: Frame, fd: Fd, size: number, offset: number, flags: number, xdata: Dict | null): FopReturn {
    const c = this.cache.get(fd.inode.gfid);
    const timeout = this.cacheTimeoutMs;
    if (c === undefined || (fd.flags & O_DIRECT) !== 0 || performance.now() - c.fetchedAt >= timeout) {
      if (c !== undefined && performance.now() - c.fetchedAt >= timeout) this.drop(fd.inode.gfid);
      this.stats.misses++;
      return super.readv(frame, fd, size, offset, flags, xdata);
    }
    this.stats.hits++;
    this.cache.delete(fd.inode.gfid);
    this.cache.set(fd.inode.gfid, c); // most recently used
    const data = c.content.subarray(Math.min(offset, c.content.length), Math.min(offset + size, c.content.length));
    unwindReadv(frame, data.length, 0, [Buffer.from(data)], 1, c.iatt.clone(), null, null);
  }

  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    windStat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => {
      if (opRet >= 0) this.check(buf);
      unwindStat(frame, opRet, opErrno, buf, x);
    }, this.firstChild, loc, xdata);
  }

  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    windFstat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => {
      if (opRet >= 0) this.check(buf);
      unwindFstat(frame, opRet, opErrno, buf, x);
    }, this.firstChild, fd, xdata);
  }

  // What changes a file's data drops its content before the change goes down.

  override writev(frame: Frame, fd: Fd, vector: Buffer[], count: number, offset: number, flags: number, iobref: Iobref | null, xdata: Dict | null): FopReturn {
    this.drop(fd.inode.gfid);
    super.writev(frame, fd, vector, count, offset, flags, iobref, xdata);
  }

  override truncate(frame: Frame, loc: Loc, offset: number, xdata: Dict | null): FopReturn {
    this.drop(loc.inode.gfid);
    super.truncate(frame, loc, offset, xdata);
  }

  override ftruncate(frame: Frame, fd: Fd, offset: number, xdata: Dict | null): FopReturn {
    this.drop(fd.inode.gfid);
    super.ftruncate(frame, fd, offset, xdata);
  }

  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.drop(fd.inode.gfid);
    super.fallocate(frame, fd, keepSize, offset, len, xdata);
  }

  override discard(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.drop(fd.inode.gfid);
    super.discard(frame, fd, offset, len, xdata);
  }

  override zerofill(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.drop(fd.inode.gfid);
    super.zerofill(frame, fd, offset, len, xdata);
  }

  override copyFileRange(frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number, xdata: Dict | null): FopReturn {
    this.drop(fdOut.inode.gfid);
    super.copyFileRange(frame, fdIn, offIn, fdOut, offOut, len, flags, xdata);
  }

  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if ((valid & (SetAttr.SIZE | SetAttr.MTIME | SetAttr.MTIME_NOW)) !== 0) this.drop(loc.inode.gfid);
    super.setattr(frame, loc, stbuf, valid, xdata);
  }

  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if ((valid & (SetAttr.SIZE | SetAttr.MTIME | SetAttr.MTIME_NOW)) !== 0) this.drop(fd.inode.gfid);
    super.fsetattr(frame, fd, stbuf, valid, xdata);
  }

  override open(frame: Frame, loc: Loc, flags: number, fd: Fd, xdata: Dict | null): FopReturn {
    if ((flags & 0o1000) !== 0) this.drop(loc.inode.gfid); // O_TRUNC
    super.open(frame, loc, flags, fd, xdata);
  }

  override unlink(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn {
    this.drop(loc.inode.gfid);
    super.unlink(frame, loc, flags, xdata);
  }

  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    this.drop(newloc.inode.gfid);
    super.rename(frame, oldloc, newloc, xdata);
  }

  override forget(inode: Inode): void {
    const c = this.cache.get(inode.gfid);
    if (c === undefined) return;
    this.cache.delete(inode.gfid);
    this.bytes -= c.content.length;
  }

  override dump(): Record<string, unknown> {
    return { ...this.stats, files: this.cache.size, bytes: this.bytes };
  }
}
