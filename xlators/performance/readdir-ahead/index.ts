// performance/readdir-ahead: on opendir, starts reading the directory with large readdirp requests
// into a per-fd buffer and answers the application's small readdirp calls from it, reading ahead
// while the buffer is below its high watermark (GlusterFS's readdir-ahead). Only sequential
// reading is served: a readdirp at any other offset turns the buffer off for that fd. Attributes
// of buffered entries that change through this translator are dropped, so a listing never shows a
// size older than a write it follows.
import type { FopReturn } from '../../../generated/fop-types.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import { unwindOpendir, unwindReaddirp, windOpendir, windReaddirp } from '../../../generated/wind.js';
import type { Dict } from '../../../runtime/dict.js';
import type { Dirent } from '../../../runtime/dirent.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Gfid } from '../../../runtime/gfid.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import { callPool, type Credentials, type Frame } from '../../../runtime/stack.js';

interface Waiter {
  frame: Frame;
  size: number;
}

interface Prefetch {
  entries: Dirent[];
  bytes: number;
  /** The offset the application's next sequential readdirp carries. */
  expected: number;
  /** Where the next prefetch continues. */
  next: number;
  eod: boolean;
  error: number;
  filling: boolean;
  disabled: boolean;
  waiting: Waiter[];
  reader: Credentials;
}

/** What an entry costs in a FUSE readdirplus reply (fuse_direntplus: 152 bytes + name, 8-aligned). */
const entrySize = (e: Dirent) => 152 + ((Buffer.byteLength(e.name) + 7) & ~7);

export class ReaddirAhead extends DefaultXlator {
  static override readonly description = 'Reads directories ahead into a per-fd buffer and serves sequential readdirp from it (GlusterFS performance/readdir-ahead).';
  static override readonly options = [
    { key: 'rda-request-size', type: 'sizet', default: '131072', min: 4096, max: 131072, description: 'Size of each readdirp read ahead.' },
    { key: 'rda-low-wmark', type: 'sizet', default: '4096', min: 0, max: 10 * 1024 ** 2, description: 'Read ahead again when the buffer falls below this.' },
    { key: 'rda-high-wmark', type: 'sizet', default: '128KB', min: 0, max: 100 * 1024 ** 2, description: 'Stop reading ahead when the buffer reaches this.' },
    { key: 'rda-cache-limit', type: 'sizet', default: '10MB', min: 0, max: 1024 ** 3, description: 'All buffers together stay below this.' },
    { key: 'parallel-readdir', type: 'bool', default: 'off', description: 'Accepted for GlusterFS volfiles; with one subvolume there is nothing to read in parallel.' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Read nothing ahead.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof ReaddirAhead.options>;

  private readonly active = new Set<Prefetch>();
  private totalBytes = 0;
  readonly stats = { served: 0, prefetches: 0, disabled: 0 };

  private ctx(fd: Fd): Prefetch | undefined {
    return fd.ctx.get(this) as Prefetch | undefined;
  }

  override opendir(frame: Frame, loc: Loc, fd: Fd, xdata: Dict | null): FopReturn {
    if (this.options['pass-through']) return super.opendir(frame, loc, fd, xdata);
    windOpendir(frame, (_f, _c, _x, opRet, opErrno, rfd, x) => {
      if (opRet >= 0) {
        const r = frame.root;
        const p: Prefetch = { entries: [], bytes: 0, expected: 0, next: 0, eod: false, error: 0, filling: false, disabled: false, waiting: [], reader: { uid: r.uid, gid: r.gid, pid: r.pid, groups: r.groups } };
        fd.ctx.set(this, p);
        this.active.add(p);
        this.fill(fd, p);
      }
      unwindOpendir(frame, opRet, opErrno, rfd, x);
    }, this.firstChild, loc, fd, xdata);
  }

  private fill(fd: Fd, p: Prefetch): void {
    if (p.filling || p.eod || p.error !== 0 || p.disabled) return;
    if (p.bytes >= this.options['rda-high-wmark'] || this.totalBytes >= this.options['rda-cache-limit']) return;
    p.filling = true;
    this.stats.prefetches++;
    const frame = callPool.createStack(this, p.reader);
    windReaddirp(frame, (f, _c, _x, opRet, opErrno, entries) => {
      f.root.destroy();
      p.filling = false;
      if (p.disabled) return;
      if (opRet < 0) p.error = opErrno;
      else if (entries === null || entries.length === 0) p.eod = true;
      else {
        for (const e of entries) {
          p.entries.push(e);
          p.bytes += entrySize(e);
          this.totalBytes += entrySize(e);
        }
        p.next = entries[entries.length - 1]!.offset;
      }
      this.serveWaiting(p);
      this.fill(fd, p);
    }, this.firstChild, fd, this.options['rda-request-size'], p.next, null);
  }

  /** Take up to `size` bytes' worth of buffered entries (at least one). */
  private take(p: Prefetch, size: number): Dirent[] {
    const out: Dirent[] = [];
    let used = 0;
    while (p.entries.length > 0) {
      const cost = entrySize(p.entries[0]!);
      if (out.length > 0 && used + cost > size) break;
      const e = p.entries.shift()!;
      used += cost;
      p.bytes -= cost;
      this.totalBytes -= cost;
      out.push(e);
    }
    if (out.length > 0) p.expected = out[out.length - 1]!.offset;
    return out;
  }

  private serveWaiting(p: Prefetch): void {
    while (p.waiting.length > 0 && (p.entries.length > 0 || p.eod || p.error !== 0)) {
      const w = p.waiting.shift()!;
      this.answer(w.frame, p, w.size);
    }
  }

  private answer(frame: Frame, p: Prefetch, size: number): void {
    if (p.entries.length === 0 && p.error !== 0) return unwindReaddirp(frame, -1, p.error, null, null);
    const entries = this.take(p, size);
    this.stats.served++;
    unwindReaddirp(frame, entries.length, 0, entries, null);
  }

  override readdirp(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn {
    const p = this.ctx(fd);
    if (p === undefined || p.disabled) return super.readdirp(frame, fd, size, offset, xdata);
    if (offset !== p.expected || (xdata !== null && xdata.size > 0)) {
      // Not the next sequential read (a seek, a rewind), or asking for more than we fetched.
      this.disable(p);
      return super.readdirp(frame, fd, size, offset, xdata);
    }
    if (p.entries.length > 0 || p.eod || p.error !== 0) {
      this.answer(frame, p, size);
      if (p.bytes < this.options['rda-low-wmark']) this.fill(fd, p);
      return;
    }
    p.waiting.push({ frame, size });
    this.fill(fd, p);
  }

  private disable(p: Prefetch): void {
    this.stats.disabled++;
    p.disabled = true;
    this.totalBytes -= p.bytes;
    p.entries = [];
    p.bytes = 0;
    this.active.delete(p);
  }

  override releasedir(fd: Fd): void {
    const p = this.ctx(fd);
    if (p === undefined) return;
    if (!p.disabled) this.disable(p);
    fd.ctx.delete(this);
  }

  /** An inode changed: buffered entries of it lose their attributes (the kernel looks them up). */
  private staleAttrs(gfid: Gfid): void {
    for (const p of this.active) for (const e of p.entries) if (e.stat?.gfid === gfid) delete e.stat;
  }

  override writev(frame: Frame, fd: Fd, vector: Buffer[], count: number, offset: number, flags: number, iobref: Iobref | null, xdata: Dict | null): FopReturn {
    if (this.active.size > 0) this.staleAttrs(fd.inode.gfid);
    super.writev(frame, fd, vector, count, offset, flags, iobref, xdata);
  }

  override truncate(frame: Frame, loc: Loc, offset: number, xdata: Dict | null): FopReturn {
    if (this.active.size > 0) this.staleAttrs(loc.inode.gfid);
    super.truncate(frame, loc, offset, xdata);
  }

  override ftruncate(frame: Frame, fd: Fd, offset: number, xdata: Dict | null): FopReturn {
    if (this.active.size > 0) this.staleAttrs(fd.inode.gfid);
    super.ftruncate(frame, fd, offset, xdata);
  }

  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if (this.active.size > 0) this.staleAttrs(loc.inode.gfid);
    super.setattr(frame, loc, stbuf, valid, xdata);
  }

  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if (this.active.size > 0) this.staleAttrs(fd.inode.gfid);
    super.fsetattr(frame, fd, stbuf, valid, xdata);
  }

  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number, xdata: Dict | null): FopReturn {
    if (this.active.size > 0) this.staleAttrs(fd.inode.gfid);
    super.fallocate(frame, fd, keepSize, offset, len, xdata);
  }

  override dump(): Record<string, unknown> {
    return { ...this.stats, buffers: this.active.size, bytes: this.totalBytes };
  }
}
