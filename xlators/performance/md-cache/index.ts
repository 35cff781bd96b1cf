// performance/md-cache: keeps each inode's attributes (and a chosen set of xattrs) as the last
// reply showed them, and answers lookup, stat, fstat and getxattr of those from memory while they
// are younger than md-cache-timeout (GlusterFS's md-cache). Every fop that changes an inode
// refreshes the entry from its post-op attributes, or drops it when it has none (write-behind's
// early answers carry none). A lookup, stat, listing or getxattr whose answer comes back after
// the inode changed (its request may have been served before the change) is passed on but not
// cached, as GlusterFS's md-cache compares an answer's incident time with the last invalidation.
// Cached, such an answer would hand the kernel a stale size later: reads would stop short of the
// last write.
import type { FopReturn } from '../../../generated/fop-types.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import {
  unwindCopyFileRange, unwindCreate, unwindDiscard, unwindFallocate, unwindFgetxattr, unwindFsetattr, unwindFstat, unwindFsync, unwindFtruncate, unwindGetxattr, unwindLink,
  unwindLookup, unwindMkdir, unwindMknod, unwindReaddir, unwindReaddirp, unwindRename, unwindRmdir, unwindSetattr, unwindStat, unwindSymlink,
  unwindTruncate, unwindUnlink, unwindWritev, unwindZerofill, windCreate, windDiscard, windFallocate, windFgetxattr, windFsetattr, windFstat, windFsync,
  windFtruncate, windGetxattr, windLink, windLookup, windMkdir, windMknod, windReaddirp, windRename, windRmdir, windSetattr, windStat, windSymlink,
  windTruncate, windUnlink, windWritev, windZerofill, windCopyFileRange, windSetxattr, unwindSetxattr, windFsetxattr, unwindFsetxattr,
  windRemovexattr, unwindRemovexattr, windFremovexattr, unwindFremovexattr, windOpen, unwindOpen,
} from '../../../generated/wind.js';
import { Dict } from '../../../runtime/dict.js';
import { Errno } from '../../../runtime/errno.js';
import type { Fd } from '../../../runtime/fd.js';
import { type Gfid, NULL_GFID } from '../../../runtime/gfid.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Inode } from '../../../runtime/inode.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

interface Entry {
  iatt: Iatt | null;
  iattAt: number;
  /** Cached xattrs: a value, or null for "known absent". */
  xattrs: Map<string, Buffer | null>;
  xattrsAt: number;
  /** The md-cache clock when the inode last changed through us (or was dropped). */
  changedAt: number;
}

const now = () => performance.now();

export class MdCache extends DefaultXlator {
  static override readonly description = 'Answers stat, lookup and chosen getxattrs from attributes cached for md-cache-timeout (GlusterFS performance/md-cache).';
  static override readonly options = [
    { key: 'md-cache-timeout', aliases: ['cache-timeout'], type: 'int', default: '1', min: 0, max: 600, description: 'Seconds cached attributes stay valid; 0 turns caching off.' },
    { key: 'force-readdirp', type: 'bool', default: 'true', description: 'Turn readdir into readdirp, so listing a directory fills the cache.' },
    { key: 'cache-posix-acl', type: 'bool', default: 'false', description: 'Cache system.posix_acl_access and system.posix_acl_default.' },
    { key: 'cache-selinux', type: 'bool', default: 'false', description: 'Cache security.selinux.' },
    { key: 'cache-capability-xattrs', type: 'bool', default: 'true', description: 'Cache security.capability.' },
    { key: 'cache-ima-xattrs', type: 'bool', default: 'true', description: 'Cache security.ima.' },
    { key: 'xattr-cache-list', type: 'str', default: '', description: 'More xattrs to cache: comma-separated names, * as a wildcard (user.*).' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Cache nothing.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof MdCache.options>;

  private readonly entries = new Map<Gfid, Entry>();
  /** Ticks at every change or invalidation: what a read's answer is checked against. */
  private clock = 0;
  private patterns: RegExp[] = [];
  readonly stats = { hits: 0, misses: 0, invalidations: 0, xattrHits: 0, xattrMisses: 0 };

  /** Options as numbers and flags, read once: every fop consults them. */
  private timeoutMs = 0;
  private forceReaddirp = true;

  override init(): void {
    this.timeoutMs = this.options['pass-through'] ? 0 : this.options['md-cache-timeout'] * 1000;
    this.forceReaddirp = this.options['force-readdirp'];
    const names: string[] = [];
    if (this.options['cache-posix-acl']) names.push('system.posix_acl_access', 'system.posix_acl_default');
    if (this.options['cache-selinux']) names.push('security.selinux');
    if (this.options['cache-capability-xattrs']) names.push('security.capability');
    if (this.options['cache-ima-xattrs']) names.push('security.ima');
    names.push(...this.options['xattr-cache-list'].split(',').map((s) => s.trim()).filter(Boolean));
    this.patterns = names.map((n) => new RegExp(`^${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  }

  private cachesXattr(name: string): boolean {
    return this.patterns.some((p) => p.test(name));
  }

  // --- the cache itself

  private entry(gfid: Gfid): Entry {
    let e = this.entries.get(gfid);
    if (e === undefined) {
      e = { iatt: null, iattAt: 0, xattrs: new Map(), xattrsAt: 0, changedAt: 0 };
      this.entries.set(gfid, e);
    }
    return e;
  }

  private validIatt(gfid: Gfid): Iatt | null {
    if (this.timeoutMs === 0 || gfid === NULL_GFID) return null;
    const e = this.entries.get(gfid);
    if (e?.iatt == null || now() - e.iattAt >= this.timeoutMs) return null;
    return e.iatt;
  }

  /** A change's post-op attributes replace what we had; a change without them drops it. */
  private update(gfid: Gfid | undefined, iatt: Iatt | null | undefined): void {
    if (gfid === undefined || gfid === NULL_GFID || this.timeoutMs === 0) return;
    if (iatt == null || iatt.gfid === NULL_GFID) return this.invalidate(gfid);
    const e = this.entry(gfid);
    e.iatt = iatt.clone();
    e.iattAt = now();
    e.changedAt = ++this.clock;
  }

  /**
   * A read's answer (lookup, stat, listing) for a request sent at clock `since`: kept unless the
   * inode changed in the meantime, when the answer may describe it as it was before.
   */
  private remember(gfid: Gfid | undefined, iatt: Iatt | null | undefined, since: number): void {
    if (gfid === undefined || gfid === NULL_GFID || this.timeoutMs === 0 || iatt == null || iatt.gfid === NULL_GFID) return;
    const e = this.entry(gfid);
    if (e.changedAt > since) return;
    e.iatt = iatt.clone();
    e.iattAt = now();
  }

  private invalidate(gfid: Gfid | undefined, xattrsToo = false): void {
    if (gfid === undefined || gfid === NULL_GFID) return;
    // Kept even when nothing is cached: a read in flight must still see that the inode changed.
    const e = this.entry(gfid);
    if (e.iatt !== null) this.stats.invalidations++;
    e.iatt = null;
    e.changedAt = ++this.clock;
    if (xattrsToo) e.xattrs.clear();
  }

  override forget(inode: Inode): void {
    this.entries.delete(inode.gfid);
  }

  override dump(): Record<string, unknown> {
    return { ...this.stats, entries: this.entries.size, timeoutSeconds: this.timeoutMs / 1000 };
  }

  // --- answered from the cache

  override lookup(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    const cached = this.validIatt(loc.inode.gfid);
    // Only a plain revalidation can be answered here: a lookup asking for more (content, xattrs) goes down.
    if (cached !== null && (xdata === null || xdata.size === 0)) {
      this.stats.hits++;
      return unwindLookup(frame, 0, 0, loc.inode, cached.clone(), null, null);
    }
    this.stats.misses++;
    const since = this.clock;
    windLookup(frame, (_f, _c, _x, opRet, opErrno, inode, buf, x, postparent) => {
      if (opRet >= 0) {
        this.remember(buf?.gfid, buf, since);
        this.remember(loc.parent?.gfid, postparent, since);
      }
      unwindLookup(frame, opRet, opErrno, inode, buf, x, postparent);
    }, this.firstChild, loc, xdata);
  }

  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    const cached = this.validIatt(loc.inode.gfid);
    if (cached !== null) {
      this.stats.hits++;
      return unwindStat(frame, 0, 0, cached.clone(), null);
    }
    this.stats.misses++;
    const since = this.clock;
    windStat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => {
      if (opRet >= 0) this.remember(buf?.gfid, buf, since);
      unwindStat(frame, opRet, opErrno, buf, x);
    }, this.firstChild, loc, xdata);
  }

  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    const cached = this.validIatt(fd.inode.gfid);
    if (cached !== null) {
      this.stats.hits++;
      return unwindFstat(frame, 0, 0, cached.clone(), null);
    }
    this.stats.misses++;
    const since = this.clock;
    windFstat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => {
      if (opRet >= 0) this.remember(buf?.gfid, buf, since);
      unwindFstat(frame, opRet, opErrno, buf, x);
    }, this.firstChild, fd, xdata);
  }

  /** A cached xattr, or undefined when it must be asked for. */
  private cachedXattr(gfid: Gfid, name: string): Buffer | null | undefined {
    if (this.timeoutMs === 0 || !name || !this.cachesXattr(name)) return undefined;
    const e = this.entries.get(gfid);
    if (e === undefined || now() - e.xattrsAt >= this.timeoutMs || !e.xattrs.has(name)) return undefined;
    return e.xattrs.get(name);
  }

  /** A getxattr answer for a request sent at clock `since`: kept unless the inode changed meanwhile. */
  private rememberXattr(gfid: Gfid, name: string, opRet: number, opErrno: number, dict: Dict | null, since: number): void {
    if (this.timeoutMs === 0 || !name || !this.cachesXattr(name) || gfid === NULL_GFID) return;
    const e = this.entry(gfid);
    if (e.changedAt > since) return;
    if (now() - e.xattrsAt >= this.timeoutMs) {
      e.xattrs.clear();
      e.xattrsAt = now();
    }
    if (opRet >= 0) e.xattrs.set(name, dict?.getBuffer(name) ?? null);
    else if (opErrno === Errno.ENODATA) e.xattrs.set(name, null);
  }

  override getxattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn {
    const gfid = loc.inode.gfid;
    const cached = this.cachedXattr(gfid, name);
    if (cached !== undefined) {
      this.stats.xattrHits++;
      if (cached === null) return unwindGetxattr(frame, -1, Errno.ENODATA, null, null);
      return unwindGetxattr(frame, cached.length, 0, new Dict([[name, Buffer.from(cached)]]), null);
    }
    if (this.cachesXattr(name ?? '')) this.stats.xattrMisses++;
    const since = this.clock;
    windGetxattr(frame, (_f, _c, _x, opRet, opErrno, dict, x) => {
      this.rememberXattr(gfid, name, opRet, opErrno, dict, since);
      unwindGetxattr(frame, opRet, opErrno, dict, x);
    }, this.firstChild, loc, name, xdata);
  }

  override fgetxattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn {
    const gfid = fd.inode.gfid;
    const cached = this.cachedXattr(gfid, name);
    if (cached !== undefined) {
      this.stats.xattrHits++;
      if (cached === null) return unwindFgetxattr(frame, -1, Errno.ENODATA, null, null);
      return unwindFgetxattr(frame, cached.length, 0, new Dict([[name, Buffer.from(cached)]]), null);
    }
    const since = this.clock;
    windFgetxattr(frame, (_f, _c, _x, opRet, opErrno, dict, x) => {
      this.rememberXattr(gfid, name, opRet, opErrno, dict, since);
      unwindFgetxattr(frame, opRet, opErrno, dict, x);
    }, this.firstChild, fd, name, xdata);
  }

  /** Listing a directory refreshes the attributes of what it lists. */
  override readdirp(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn {
    const since = this.clock;
    windReaddirp(frame, (_f, _c, _x, opRet, opErrno, entries, x) => {
      for (const e of entries ?? []) if (e.stat !== undefined && e.name !== '.' && e.name !== '..') this.remember(e.stat.gfid, e.stat, since);
      unwindReaddirp(frame, opRet, opErrno, entries, x);
    }, this.firstChild, fd, size, offset, xdata);
  }

  override readdir(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn {
    if (!this.forceReaddirp || this.timeoutMs === 0) return super.readdir(frame, fd, size, offset, xdata);
    const since = this.clock;
    windReaddirp(frame, (_f, _c, _x, opRet, opErrno, entries, x) => {
      for (const e of entries ?? []) if (e.stat !== undefined && e.name !== '.' && e.name !== '..') this.remember(e.stat.gfid, e.stat, since);
      unwindReaddir(frame, opRet, opErrno, entries?.map((e) => ({ name: e.name, offset: e.offset, ino: e.ino, type: e.type })) ?? null, x);
    }, this.firstChild, fd, size, offset, xdata);
  }

  // --- refreshed or dropped by what changes an inode

  override writev(frame: Frame, fd: Fd, vector: Buffer[], count: number, offset: number, flags: number, iobref: Iobref | null, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid);
    windWritev(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindWritev(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, vector, count, offset, flags, iobref, xdata);
  }

  override truncate(frame: Frame, loc: Loc, offset: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.inode.gfid);
    windTruncate(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(loc.inode.gfid, post);
      unwindTruncate(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, loc, offset, xdata);
  }

  override ftruncate(frame: Frame, fd: Fd, offset: number, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid);
    windFtruncate(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindFtruncate(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, offset, xdata);
  }

  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.inode.gfid, true);
    windSetattr(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(loc.inode.gfid, post);
      unwindSetattr(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, loc, stbuf, valid, xdata);
  }

  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid, true);
    windFsetattr(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindFsetattr(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, stbuf, valid, xdata);
  }

  override fsync(frame: Frame, fd: Fd, flags: number, xdata: Dict | null): FopReturn {
    windFsync(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindFsync(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, flags, xdata);
  }

  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid);
    windFallocate(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindFallocate(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, keepSize, offset, len, xdata);
  }

  override discard(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid);
    windDiscard(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindDiscard(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, offset, len, xdata);
  }

  override zerofill(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid);
    windZerofill(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.update(fd.inode.gfid, post);
      unwindZerofill(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, offset, len, xdata);
  }

  // The changes below carry no post-op attributes: what they change is dropped when they are sent
  // and again when they are answered, so that a read answered in between is not kept.
  override copyFileRange(frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number, xdata: Dict | null): FopReturn {
    this.invalidate(fdOut.inode.gfid);
    windCopyFileRange(frame, (_f, _c, _x, opRet, opErrno, stbuf, pre, post, x) => {
      this.invalidate(fdOut.inode.gfid);
      unwindCopyFileRange(frame, opRet, opErrno, stbuf, pre, post, x);
    }, this.firstChild, fdIn, offIn, fdOut, offOut, len, flags, xdata);
  }

  // Xattr changes drop the inode's cached xattrs and its attributes (ctime moves).
  override setxattr(frame: Frame, loc: Loc, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.inode.gfid, true);
    windSetxattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      this.invalidate(loc.inode.gfid, true);
      unwindSetxattr(frame, opRet, opErrno, x);
    }, this.firstChild, loc, dict, flags, xdata);
  }

  override fsetxattr(frame: Frame, fd: Fd, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid, true);
    windFsetxattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      this.invalidate(fd.inode.gfid, true);
      unwindFsetxattr(frame, opRet, opErrno, x);
    }, this.firstChild, fd, dict, flags, xdata);
  }

  override removexattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn {
    this.invalidate(loc.inode.gfid, true);
    windRemovexattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      this.invalidate(loc.inode.gfid, true);
      unwindRemovexattr(frame, opRet, opErrno, x);
    }, this.firstChild, loc, name, xdata);
  }

  override fremovexattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn {
    this.invalidate(fd.inode.gfid, true);
    windFremovexattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      this.invalidate(fd.inode.gfid, true);
      unwindFremovexattr(frame, opRet, opErrno, x);
    }, this.firstChild, fd, name, xdata);
  }

  override open(frame: Frame, loc: Loc, flags: number, fd: Fd, xdata: Dict | null): FopReturn {
    if ((flags & 0o1000) === 0) return super.open(frame, loc, flags, fd, xdata);
    // O_TRUNC
    this.invalidate(loc.inode.gfid);
    windOpen(frame, (_f, _c, _x, opRet, opErrno, opened, x) => {
      this.invalidate(loc.inode.gfid);
      unwindOpen(frame, opRet, opErrno, opened, x);
    }, this.firstChild, loc, flags, fd, xdata);
  }

  // Entry fops: the new or changed object, and its parent(s).

  override create(frame: Frame, loc: Loc, flags: number, mode: number, umask: number, fd: Fd, xdata: Dict | null): FopReturn {
    this.invalidate(loc.parent?.gfid);
    windCreate(frame, (_f, _c, _x, opRet, opErrno, rfd, inode, buf, pre, post, x) => {
      if (opRet >= 0) {
        this.update(buf?.gfid, buf);
        this.update(loc.parent?.gfid, post);
      }
      unwindCreate(frame, opRet, opErrno, rfd, inode, buf, pre, post, x);
    }, this.firstChild, loc, flags, mode, umask, fd, xdata);
  }

  override mkdir(frame: Frame, loc: Loc, mode: number, umask: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.parent?.gfid);
    windMkdir(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
      if (opRet >= 0) {
        this.update(buf?.gfid, buf);
        this.update(loc.parent?.gfid, post);
      }
      unwindMkdir(frame, opRet, opErrno, inode, buf, pre, post, x);
    }, this.firstChild, loc, mode, umask, xdata);
  }

  override mknod(frame: Frame, loc: Loc, mode: number, rdev: number, umask: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.parent?.gfid);
    windMknod(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
      if (opRet >= 0) {
        this.update(buf?.gfid, buf);
        this.update(loc.parent?.gfid, post);
      }
      unwindMknod(frame, opRet, opErrno, inode, buf, pre, post, x);
    }, this.firstChild, loc, mode, rdev, umask, xdata);
  }

  override symlink(frame: Frame, linkpath: string, loc: Loc, umask: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.parent?.gfid);
    windSymlink(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
      if (opRet >= 0) {
        this.update(buf?.gfid, buf);
        this.update(loc.parent?.gfid, post);
      }
      unwindSymlink(frame, opRet, opErrno, inode, buf, pre, post, x);
    }, this.firstChild, linkpath, loc, umask, xdata);
  }

  override link(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    this.invalidate(oldloc.inode.gfid);
    this.invalidate(newloc.parent?.gfid);
    windLink(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
      if (opRet >= 0) {
        this.update(oldloc.inode.gfid, buf);
        this.update(newloc.parent?.gfid, post);
      }
      unwindLink(frame, opRet, opErrno, inode, buf, pre, post, x);
    }, this.firstChild, oldloc, newloc, xdata);
  }

  override unlink(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn {
    // The object's link count and ctime change, and it may be gone: drop it.
    this.invalidate(loc.inode.gfid);
    this.invalidate(loc.parent?.gfid);
    windUnlink(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      this.invalidate(loc.inode.gfid);
      if (opRet >= 0) this.update(loc.parent?.gfid, post);
      unwindUnlink(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, loc, flags, xdata);
  }

  override rmdir(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn {
    this.invalidate(loc.inode.gfid);
    this.invalidate(loc.parent?.gfid);
    windRmdir(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      this.invalidate(loc.inode.gfid);
      if (opRet >= 0) this.update(loc.parent?.gfid, post);
      unwindRmdir(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, loc, flags, xdata);
  }

  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    for (const gfid of [oldloc.inode.gfid, newloc.inode.gfid, oldloc.parent?.gfid, newloc.parent?.gfid]) this.invalidate(gfid);
    windRename(frame, (_f, _c, _x, opRet, opErrno, buf, preOld, postOld, preNew, postNew, x) => {
      this.invalidate(newloc.inode.gfid); // the name it replaced, if any
      if (opRet >= 0) {
        this.update(oldloc.inode.gfid, buf);
        this.update(oldloc.parent?.gfid, postOld);
        this.update(newloc.parent?.gfid, postNew);
      }
      unwindRename(frame, opRet, opErrno, buf, preOld, postOld, preNew, postNew, x);
    }, this.firstChild, oldloc, newloc, xdata);
  }
}
