// performance/write-behind: acknowledges a write as soon as its data is copied, and writes it
// behind the application's back, aggregated with its neighbours (GlusterFS's write-behind). Per
// inode, a queue keeps the order the application saw: a read, stat, truncate, fsync, flush,
// rename or link waits for the writes before it, and a modifying fop holds the writes after it.
// An error that a write met after it was acknowledged is returned by the next write, fsync or
// flush of that fd. What it holds goes down before the graph finishes (fini), so a clean unmount
// loses nothing acknowledged.
import type { FopReturn } from '../../../generated/fop-types.js';
import { Fop } from '../../../generated/fops.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import {
  unwindCopyFileRange, unwindDiscard, unwindFallocate, unwindFlush, unwindFsetattr, unwindFsync, unwindFtruncate, unwindLink, unwindReaddirp, unwindRename,
  unwindSetattr, unwindTruncate, unwindWritev, unwindZerofill, windCopyFileRange, windDiscard, windFallocate, windFlush, windFsetattr, windFstatTail,
  windFsync, windFtruncate, windLink, windLookupTail, windReaddirp, windReadvTail, windRename, windSeekTail, windSetattr, windStatTail, windTruncate,
  windWritev, windZerofill,
} from '../../../generated/wind.js';
import type { Dict } from '../../../runtime/dict.js';
import type { Dirent } from '../../../runtime/dirent.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Inode } from '../../../runtime/inode.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import { callPool, type Frame } from '../../../runtime/stack.js';
import { BufferPool } from '../../../runtime/buffer-pool.js';
import { type QueuedWrite, type WindBatch, WbInode } from './queue.js';

/** Copies of acknowledged writes, shared by every write-behind in the process. */
const heldCopies = new BufferPool();

const O_ACCMODE = 0o3;
const O_APPEND = 0o2000;
const O_DSYNC = 0o10000;
const O_DIRECT = 0o40000;
const O_SYNC = 0o4010000;

/** Per-fd state: the error a write acknowledged on this fd met later. */
interface WbFd {
  error: number;
}

export class WriteBehind extends DefaultXlator {
  static override readonly description =
    'Acknowledges writes at once and writes them behind, aggregated, keeping the order later fops depend on (GlusterFS performance/write-behind).';
  static override readonly options = [
    {
      key: 'cache-size',
      aliases: ['window-size'],
      type: 'sizet',
      default: '1MB',
      min: 512 * 1024,
      max: 1024 ** 3,
      description: 'Bytes per file acknowledged but not yet written; a write past it waits for its own completion.',
    },
    { key: 'flush-behind', type: 'bool', default: 'on', description: 'Acknowledge close (flush) at once, flushing the held writes behind it.' },
    {
      key: 'trickling-writes',
      type: 'bool',
      default: 'on',
      description: 'Send a held write as soon as nothing else is in flight, instead of waiting for aggregate-size.',
    },
    { key: 'aggregate-size', type: 'sizet', default: '128KB', min: 4096, max: 1024 ** 2, description: 'Largest write made by joining contiguous held writes.' },
    { key: 'strict-O_DIRECT', type: 'bool', default: 'off', description: 'Do not hold writes of files opened O_DIRECT.' },
    { key: 'strict-write-ordering', type: 'bool', default: 'off', description: 'Never let two writes of a file be in flight at once, even when they do not overlap.' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Pass every fop through untouched.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof WriteBehind.options>;

  private readonly busy = new Set<WbInode>();
  /** Inodes with writes held, by gfid, for readdirp replies. */
  private readonly byGfid = new Map<string, WbInode>();
  stats = { acknowledged: 0, waited: 0, batches: 0, aggregated: 0, failedBehind: 0 };

  /** Options as flags, read once: every fop consults them. */
  private passThrough = false;
  private flushBehind = true;
  private strictODirect = false;

  override init(): void {
    this.passThrough = this.options['pass-through'];
    this.flushBehind = this.options['flush-behind'];
    this.strictODirect = this.options['strict-O_DIRECT'];
  }

  private wbInode(inode: Inode): WbInode {
    let wb = inode.ctx.get(this) as WbInode | undefined;
    if (wb === undefined) {
      wb = new WbInode({
        aggregateSize: this.options['aggregate-size'],
        windowSize: this.options['cache-size'],
        tricklingWrites: this.options['trickling-writes'],
        strictWriteOrdering: this.options['strict-write-ordering'],
        wind: (batch, completed) => this.windBatch(batch, completed),
      });
      inode.ctx.set(this, wb);
    }
    return wb;
  }

  private existing(inode: Inode | null | undefined): WbInode | undefined {
    const wb = inode?.ctx.get(this) as WbInode | undefined;
    return wb !== undefined && !wb.idle ? wb : undefined;
  }

  private fdState(fd: Fd): WbFd {
    let st = fd.ctx.get(this) as WbFd | undefined;
    if (st === undefined) {
      st = { error: 0 };
      fd.ctx.set(this, st);
    }
    return st;
  }

  /** The error met behind this fd's back, once. */
  private takeError(fd: Fd): number {
    const st = fd.ctx.get(this) as WbFd | undefined;
    if (st === undefined || st.error === 0) return 0;
    const e = st.error;
    st.error = 0;
    return e;
  }

  private track(wb: WbInode, inode: Inode): void {
    this.busy.add(wb);
    this.byGfid.set(inode.gfid, wb);
  }

  private settle(wb: WbInode, inode: Inode): void {
    wb.process();
    if (wb.idle) {
      this.busy.delete(wb);
      if (this.byGfid.get(inode.gfid) === wb) this.byGfid.delete(inode.gfid);
    }
  }

  /**
   * Run a fop after every write queued before it on the inode. A modifying fop calls `finished`
   * when it has unwound; until then later writes stay queued.
   */
  private ordered(inode: Inode | null | undefined, holdsLaterWrites: boolean, start: (finished: () => void) => void): void {
    const wb = this.existing(inode);
    if (wb === undefined || inode == null) {
      start(() => {});
      return;
    }
    this.stats.waited++;
    wb.enqueue({
      kind: 'fop',
      holdsLaterWrites,
      start: (finished) =>
        start(() => {
          finished();
          this.settle(wb, inode);
        }),
    });
    this.settle(wb, inode);
  }

  override writev(frame: Frame, fd: Fd, vector: Buffer[], count: number, offset: number, flags: number, iobref: Iobref | null, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.writev(frame, fd, vector, count, offset, flags, iobref, xdata);
    const error = this.takeError(fd);
    if (error !== 0) return unwindWritev(frame, -1, error, null, null, null);
    const wb = this.wbInode(fd.inode);
    let size = 0;
    for (const b of vector) size += b.length;
    const lie = this.mayHold(fd) && wb.hasRoom;
    // The caller owns its buffers only until we answer: a held write keeps a reference when their
    // owner promises not to reuse them before it is released (a stable iobref), a copy otherwise.
    const held = lie && iobref?.stable === true ? iobref.ref() : null;
    const copy = lie && held === null ? heldCopies.copy(vector, size) : null;
    const write: QueuedWrite = {
      kind: 'write',
      fd: fd.ref(),
      offset,
      size,
      buffers: copy !== null ? [copy.data] : vector,
      lied: lie,
      backing: copy?.backing ?? null,
      iobref: held,
      stack: frame.root,
      flags,
      done: (opRet, opErrno) => unwindWritev(frame, opRet, opErrno, null, null, null),
    };
    wb.enqueue(write);
    this.track(wb, fd.inode);
    if (lie) {
      this.stats.acknowledged++;
      // No attributes: nobody above may cache a size or mtime the brick has not seen yet.
      unwindWritev(frame, size, 0, null, null, null);
    }
    this.settle(wb, fd.inode);
  }

  /** O_SYNC, O_DSYNC, O_APPEND and (with strict-O_DIRECT) O_DIRECT writes are not held. */
  private mayHold(fd: Fd): boolean {
    if ((fd.flags & (O_SYNC | O_DSYNC | O_APPEND)) !== 0) return false;
    if ((fd.flags & O_DIRECT) !== 0 && this.strictODirect) return false;
    return (fd.flags & O_ACCMODE) !== 0 || fd.anonymous;
  }

  private windBatch(batch: WindBatch, completed: () => void): void {
    this.stats.batches++;
    if (batch.writes.length > 1) this.stats.aggregated += batch.writes.length;
    const s = batch.stack;
    const frame = callPool.createStack(this, s, Fop.WRITE);
    windWritev(frame, (f, _c, _x, opRet, opErrno) => {
      f.root.destroy();
      let left = opRet;
      for (const w of batch.writes) {
        // A short write fails the writes it did not reach.
        const ok = opRet >= 0 && left >= w.size;
        if (ok) left -= w.size;
        const errno = opRet < 0 ? opErrno : 28; /* ENOSPC: a short write means no room */
        if (w.lied) {
          if (!ok) {
            this.stats.failedBehind++;
            this.fdState(w.fd).error = errno;
            this.log.warning(`a write of ${w.size} bytes at ${w.offset} acknowledged earlier failed: errno ${errno}; reported on the fd's next write, fsync or flush`);
          }
        } else {
          w.done(ok ? w.size : -1, ok ? 0 : errno);
        }
        if (w.backing !== null) heldCopies.give(w.backing);
        w.iobref?.unref();
        w.fd.unref();
      }
      completed();
      this.settle(this.wbInode(batch.fd.inode), batch.fd.inode);
    }, this.firstChild, batch.fd, batch.buffers, batch.buffers.length, batch.offset, batch.flags, null, null);
  }

  override flush(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.flush(frame, fd, xdata);
    const error = this.takeError(fd);
    if (error !== 0) return unwindFlush(frame, -1, error, null);
    if (this.flushBehind && fd.inode.ctx.has(this)) {
      // An inode written through us (held writes or not): answer now, close(2) does not wait for
      // the brick. The flush itself goes down on its own stack, after any held writes; an error
      // from a write behind it was taken above or is kept for the fd's next fop. An inode never
      // written here is flushed in the caller's frame, as GlusterFS does (it keeps no state for
      // it): its release then reaches the brick before whatever the application does next,
      // rather than behind it (an unlink of a file still open costs the brick a rename into its
      // unlink directory and a second unlink later).
      unwindFlush(frame, 0, 0, null);
      const s = frame.root;
      const behind = callPool.createStack(this, s, Fop.FLUSH);
      fd.ref();
      this.ordered(fd.inode, true, (finished) =>
        windFlush(behind, (f) => {
          f.root.destroy();
          fd.unref();
          finished();
        }, this.firstChild, fd, xdata),
      );
      return;
    }
    this.ordered(fd.inode, true, (finished) =>
      windFlush(frame, (_f, _c, _x, opRet, opErrno, x) => {
        finished();
        const late = this.takeError(fd);
        if (late !== 0) return unwindFlush(frame, -1, late, x);
        unwindFlush(frame, opRet, opErrno, x);
      }, this.firstChild, fd, xdata),
    );
  }

  override fsync(frame: Frame, fd: Fd, flags: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.fsync(frame, fd, flags, xdata);
    this.ordered(fd.inode, true, (finished) => {
      const error = this.takeError(fd);
      if (error !== 0) {
        finished();
        return unwindFsync(frame, -1, error, null, null, null);
      }
      windFsync(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindFsync(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, fd, flags, xdata);
    });
  }

  // Reads and attribute queries wait for the writes before them, then go down as they are.

  override readv(frame: Frame, fd: Fd, size: number, offset: number, flags: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.readv(frame, fd, size, offset, flags, xdata);
    this.ordered(fd.inode, false, () => windReadvTail(frame, this.firstChild, fd, size, offset, flags, xdata));
  }

  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.stat(frame, loc, xdata);
    this.ordered(loc.inode, false, () => windStatTail(frame, this.firstChild, loc, xdata));
  }

  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.fstat(frame, fd, xdata);
    this.ordered(fd.inode, false, () => windFstatTail(frame, this.firstChild, fd, xdata));
  }

  override lookup(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.lookup(frame, loc, xdata);
    this.ordered(loc.inode, false, () => windLookupTail(frame, this.firstChild, loc, xdata));
  }

  override seek(frame: Frame, fd: Fd, offset: number, what: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.seek(frame, fd, offset, what, xdata);
    this.ordered(fd.inode, false, () => windSeekTail(frame, this.firstChild, fd, offset, what, xdata));
  }

  /** Entries whose writes are still held lose their attributes: the kernel looks them up (and waits). */
  override readdirp(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn {
    if (this.passThrough || this.byGfid.size === 0) return super.readdirp(frame, fd, size, offset, xdata);
    windReaddirp(frame, (_f, _c, _x, opRet, opErrno, entries: Dirent[] | null, x) => {
      for (const e of entries ?? []) {
        if (e.stat !== undefined && this.byGfid.has(e.stat.gfid)) delete e.stat;
      }
      unwindReaddirp(frame, opRet, opErrno, entries, x);
    }, this.firstChild, fd, size, offset, xdata);
  }

  // Fops that change data or attributes wait for the writes before them and hold those after.

  override truncate(frame: Frame, loc: Loc, offset: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.truncate(frame, loc, offset, xdata);
    this.ordered(loc.inode, true, (finished) =>
      windTruncate(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindTruncate(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, loc, offset, xdata),
    );
  }

  override ftruncate(frame: Frame, fd: Fd, offset: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.ftruncate(frame, fd, offset, xdata);
    this.ordered(fd.inode, true, (finished) =>
      windFtruncate(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindFtruncate(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, fd, offset, xdata),
    );
  }

  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.setattr(frame, loc, stbuf, valid, xdata);
    this.ordered(loc.inode, true, (finished) =>
      windSetattr(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindSetattr(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, loc, stbuf, valid, xdata),
    );
  }

  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.fsetattr(frame, fd, stbuf, valid, xdata);
    this.ordered(fd.inode, true, (finished) =>
      windFsetattr(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindFsetattr(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, fd, stbuf, valid, xdata),
    );
  }

  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.fallocate(frame, fd, keepSize, offset, len, xdata);
    this.ordered(fd.inode, true, (finished) =>
      windFallocate(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindFallocate(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, fd, keepSize, offset, len, xdata),
    );
  }

  override discard(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.discard(frame, fd, offset, len, xdata);
    this.ordered(fd.inode, true, (finished) =>
      windDiscard(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindDiscard(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, fd, offset, len, xdata),
    );
  }

  override zerofill(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.zerofill(frame, fd, offset, len, xdata);
    this.ordered(fd.inode, true, (finished) =>
      windZerofill(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
        finished();
        unwindZerofill(frame, opRet, opErrno, pre, post, x);
      }, this.firstChild, fd, offset, len, xdata),
    );
  }

  override copyFileRange(frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.copyFileRange(frame, fdIn, offIn, fdOut, offOut, len, flags, xdata);
    // The source's writes must be on disk to be copied; the destination's must not land after the copy.
    this.ordered(fdIn.inode, false, () =>
      this.ordered(fdOut.inode, true, (finished) =>
        windCopyFileRange(frame, (_f, _c, _x, opRet, opErrno, stbuf, pre, post, x) => {
          finished();
          unwindCopyFileRange(frame, opRet, opErrno, stbuf, pre, post, x);
        }, this.firstChild, fdIn, offIn, fdOut, offOut, len, flags, xdata),
      ),
    );
  }

  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.rename(frame, oldloc, newloc, xdata);
    this.ordered(oldloc.inode, true, (finished) =>
      windRename(frame, (_f, _c, _x, opRet, opErrno, buf, preold, postold, prenew, postnew, x) => {
        finished();
        unwindRename(frame, opRet, opErrno, buf, preold, postold, prenew, postnew, x);
      }, this.firstChild, oldloc, newloc, xdata),
    );
  }

  override link(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    if (this.passThrough) return super.link(frame, oldloc, newloc, xdata);
    this.ordered(oldloc.inode, true, (finished) =>
      windLink(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
        finished();
        unwindLink(frame, opRet, opErrno, inode, buf, pre, post, x);
      }, this.firstChild, oldloc, newloc, xdata),
    );
  }

  override forget(inode: Inode): void {
    const wb = inode.ctx.get(this) as WbInode | undefined;
    if (wb !== undefined && wb.idle) inode.ctx.delete(this);
  }

  /** Everything held goes down before the graph below finishes. */
  override async fini(): Promise<void> {
    while (this.busy.size > 0) {
      const pending = [...this.busy];
      await Promise.all(pending.map((wb) => wb.drained(true)));
      for (const wb of pending) if (wb.idle) this.busy.delete(wb);
    }
  }

  /** Resolves when nothing is held: everything acknowledged is on the brick (tests, shutdown). */
  drained(): Promise<void> {
    return this.fini();
  }

  override dump(): Record<string, unknown> {
    return { ...this.stats, inodesWithWrites: this.busy.size, inodes: [...this.busy].map((wb) => wb.dump()) };
  }
}
