// performance/open-behind: answers open(2) at once and opens for real only when an fd fop needs
// the brick's fd (GlusterFS's open-behind). Fops that arrive while that open is in flight wait in
// order and go on when it completes, or fail with its error. An fd closed without any such fop is
// never opened at all: with quick-read, open + read + close of a small file costs no round trip.
// Opens that must act now (O_TRUNC) are not deferred; unlink and rename first finish the deferred
// opens of the file they touch, so the opener keeps its data.
import type { FopReturn } from '../../../generated/fop-types.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import { errorUnwinders, unwindFlush, unwindOpen, windOpen } from '../../../generated/wind.js';
import type { Dict } from '../../../runtime/dict.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Inode } from '../../../runtime/inode.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Flock } from '../../../runtime/lock.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import { callPool, type Credentials, type Frame } from '../../../runtime/stack.js';

const O_TRUNC = 0o1000;

interface LazyFd {
  state: 'deferred' | 'opening' | 'open' | 'failed';
  errno: number;
  loc: Loc;
  flags: number;
  xdata: Dict | null;
  /** The opener: the real open is made with its credentials, so the brick checks its access. */
  opener: Credentials;
  /** Fops waiting for the real open, in arrival order. */
  waiting: Array<(errno: number) => void>;
}

export class OpenBehind extends DefaultXlator {
  static override readonly description = 'Answers open at once and opens on the brick only when an fd fop needs it (GlusterFS performance/open-behind).';
  static override readonly options = [
    { key: 'lazy-open', type: 'bool', default: 'yes', description: 'Defer opens until an fd fop needs them; off: open at once.' },
    { key: 'read-after-open', type: 'bool', default: 'yes', description: 'A read waits for the real open (the only behaviour here: anonymous fds are not used).' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Defer nothing.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof OpenBehind.options>;

  readonly stats = { deferred: 0, opened: 0, neverOpened: 0 };
  /** lazy-open on and pass-through off, read once. */
  private deferOpens = true;

  override init(): void {
    this.deferOpens = this.options['lazy-open'] && !this.options['pass-through'];
  }

  private lazy(fd: Fd): LazyFd | undefined {
    return fd.ctx.get(this) as LazyFd | undefined;
  }

  /** Deferred fds of an inode, so unlink and rename can finish their opens first. */
  private pendingOf(inode: Inode): Set<Fd> {
    let set = inode.ctx.get(this) as Set<Fd> | undefined;
    if (set === undefined) {
      set = new Set();
      inode.ctx.set(this, set);
    }
    return set;
  }

  override open(frame: Frame, loc: Loc, flags: number, fd: Fd, xdata: Dict | null): FopReturn {
    if (!this.deferOpens || (flags & O_TRUNC) !== 0) {
      return super.open(frame, loc, flags, fd, xdata);
    }
    const r = frame.root;
    const opener = { uid: r.uid, gid: r.gid, pid: r.pid, groups: r.groups, lkOwner: r.lkOwner };
    fd.ctx.set(this, { state: 'deferred', errno: 0, loc: { ...loc }, flags, xdata, opener, waiting: [] } satisfies LazyFd);
    this.pendingOf(fd.inode).add(fd);
    this.stats.deferred++;
    unwindOpen(frame, 0, 0, fd, null);
  }

  /** Run `go` once the fd is open on the brick; `fail` with the open's errno if it could not be. */
  private whenOpen(fd: Fd, go: () => void, fail: (errno: number) => void): void {
    const lazy = this.lazy(fd);
    if (lazy === undefined || lazy.state === 'open') return go();
    if (lazy.state === 'failed') return fail(lazy.errno);
    lazy.waiting.push((errno) => (errno === 0 ? go() : fail(errno)));
    if (lazy.state === 'opening') return;
    lazy.state = 'opening';
    const frame = callPool.createStack(this, lazy.opener);
    windOpen(frame, (f, _c, _x, opRet, opErrno) => {
      f.root.destroy();
      this.pendingOf(fd.inode).delete(fd);
      lazy.state = opRet < 0 ? 'failed' : 'open';
      lazy.errno = opRet < 0 ? opErrno : 0;
      if (opRet >= 0) this.stats.opened++;
      else this.log.warning(`deferred open of ${lazy.loc.path} failed (errno ${opErrno}); its fops fail with it`);
      for (const next of lazy.waiting.splice(0)) next(lazy.errno);
    }, this.firstChild, lazy.loc, lazy.flags, fd, lazy.xdata);
  }

  /** Wind the fop on `frame` once its fd is open. */
  private afterOpen(frame: Frame, fd: Fd, go: () => void): void {
    this.whenOpen(fd, go, (errno) => errorUnwinders[frame.op]!(frame, errno));
  }

  private openAll(inode: Inode, then: () => void): void {
    const fds = [...this.pendingOf(inode)];
    let left = fds.length;
    if (left === 0) return then();
    for (const fd of fds) this.whenOpen(fd, () => --left === 0 && then(), () => --left === 0 && then());
  }

  override flush(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    const lazy = this.lazy(fd);
    // Nothing was opened, so there is nothing to flush (no locks, no data).
    if (lazy?.state === 'deferred') return unwindFlush(frame, 0, 0, null);
    this.afterOpen(frame, fd, () => super.flush(frame, fd, xdata));
  }

  override release(fd: Fd): void {
    const lazy = this.lazy(fd);
    if (lazy?.state === 'deferred') this.stats.neverOpened++;
    this.pendingOf(fd.inode).delete(fd);
    fd.ctx.delete(this);
  }

  override unlink(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn {
    this.openAll(loc.inode, () => super.unlink(frame, loc, flags, xdata));
  }

  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    this.openAll(oldloc.inode, () => this.openAll(newloc.inode, () => super.rename(frame, oldloc, newloc, xdata)));
  }

  // Every fop that needs the brick's fd waits for the real open.

  override readv(frame: Frame, fd: Fd, size: number, offset: number, flags: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.readv(frame, fd, size, offset, flags, xdata));
  }
  override writev(frame: Frame, fd: Fd, vector: Buffer[], count: number, offset: number, flags: number, iobref: Iobref | null, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.writev(frame, fd, vector, count, offset, flags, iobref, xdata));
  }
  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fstat(frame, fd, xdata));
  }
  override fsync(frame: Frame, fd: Fd, flags: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fsync(frame, fd, flags, xdata));
  }
  override ftruncate(frame: Frame, fd: Fd, offset: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.ftruncate(frame, fd, offset, xdata));
  }
  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fsetattr(frame, fd, stbuf, valid, xdata));
  }
  override fsetxattr(frame: Frame, fd: Fd, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fsetxattr(frame, fd, dict, flags, xdata));
  }
  override fgetxattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fgetxattr(frame, fd, name, xdata));
  }
  override fremovexattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fremovexattr(frame, fd, name, xdata));
  }
  override fxattrop(frame: Frame, fd: Fd, flags: number, dict: Dict | null, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fxattrop(frame, fd, flags, dict, xdata));
  }
  override lk(frame: Frame, fd: Fd, cmd: number, lock: Flock, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.lk(frame, fd, cmd, lock, xdata));
  }
  override finodelk(frame: Frame, volume: string, fd: Fd, cmd: number, lock: Flock, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.finodelk(frame, volume, fd, cmd, lock, xdata));
  }
  override fentrylk(frame: Frame, volume: string, fd: Fd, basename: string, cmd: number, type: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fentrylk(frame, volume, fd, basename, cmd, type, xdata));
  }
  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.fallocate(frame, fd, keepSize, offset, len, xdata));
  }
  override discard(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.discard(frame, fd, offset, len, xdata));
  }
  override zerofill(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.zerofill(frame, fd, offset, len, xdata));
  }
  override seek(frame: Frame, fd: Fd, offset: number, what: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.seek(frame, fd, offset, what, xdata));
  }
  override rchecksum(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fd, () => super.rchecksum(frame, fd, offset, len, xdata));
  }
  override copyFileRange(frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number, xdata: Dict | null): FopReturn {
    this.afterOpen(frame, fdIn, () => this.afterOpen(frame, fdOut, () => super.copyFileRange(frame, fdIn, offIn, fdOut, offOut, len, flags, xdata)));
  }

  override dump(): Record<string, unknown> {
    return { ...this.stats };
  }
}
