// system/posix-acl: POSIX ACL enforcement in the client (GlusterFS's system/posix-acl, loaded as
// posix-acl-autoload). It asks lookups for each object's system.posix_acl_access/default, keeps
// them with the owner and mode per inode, and refuses what the ACLs forbid before the fop leaves
// the client: open, access, opendir, truncate, setattr, xattr changes, and every name created,
// removed or renamed. New objects in a directory with a default ACL inherit it, narrowed by the
// mode instead of the umask, and are created with it in one fop (the brick stores the ACL xattrs).
// An object whose ACLs it has not seen yet is left to the brick to judge.
import type { FopReturn } from '../../../generated/fop-types.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import {
  errorUnwinders, unwindAccess, unwindCreate, unwindFsetattr, unwindFsetxattr, unwindFstat, unwindLookup, unwindMkdir, unwindMknod,
  unwindRemovexattr, unwindSetattr, unwindSetxattr, unwindStat, windCreate, windFsetattr, windFsetxattr, windFstat, windLookup, windMkdir,
  windMknod, windRemovexattr, windSetattr, windSetxattr, windStat,
} from '../../../generated/wind.js';
import { ACL_ACCESS_XATTR, ACL_DEFAULT_XATTR, type Acl, AclFormatError, aclPermits, encodeAcl, inheritAcl, parseAcl } from '../../../runtime/acl.js';
import { Dict } from '../../../runtime/dict.js';
import { Errno } from '../../../runtime/errno.js';
import type { Fd } from '../../../runtime/fd.js';
import { type Iatt, SetAttr } from '../../../runtime/iatt.js';
import type { Inode } from '../../../runtime/inode.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { CallStack, Frame } from '../../../runtime/stack.js';

const R = 4;
const W = 2;
const X = 1;
const O_TRUNC = 0o1000;
const STICKY = 0o1000;

/** What the translator knows of an inode: owner and mode, and its ACLs as the brick last said. */
interface AclCtx {
  uid: number;
  gid: number;
  mode: number;
  access: Acl | null;
  default: Acl | null;
}

function aclOf(value: unknown): Acl | null {
  if (!Buffer.isBuffer(value)) return null;
  try {
    return parseAcl(value);
  } catch {
    return null;
  }
}

/** A lookup's xdata, asking the brick for both ACLs too. */
function askingAcls(xdata: Dict | null): Dict {
  const ask = new Dict(xdata ?? []);
  ask.set(ACL_ACCESS_XATTR, 0);
  ask.set(ACL_DEFAULT_XATTR, 0);
  return ask;
}

export class PosixAcl extends DefaultXlator {
  static override readonly description = 'Enforces POSIX ACLs in the client and applies default ACLs to new objects (GlusterFS system/posix-acl).';
  static override readonly options = [
    { key: 'super-uid', type: 'int', default: '0', min: 0, max: 0xffffffff, description: 'The uid treated as root (may do anything).' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof PosixAcl.options>;
  readonly stats = { refused: 0, inherited: 0 };

  private ctx(inode: Inode | null | undefined): AclCtx | undefined {
    return inode?.ctx.get(this) as AclCtx | undefined;
  }

  /** Record what a reply says of an object; its ACLs only when the reply carried them. */
  private learn(inode: Inode | null | undefined, buf: Iatt | null | undefined, acls?: { access: Acl | null; default: Acl | null }): void {
    if (inode == null || buf == null) return;
    const known = this.ctx(inode);
    if (acls === undefined && known === undefined) return; // without the ACLs the attributes alone decide nothing
    const { access, default: def } = acls ?? known!;
    inode.ctx.set(this, { uid: buf.uid, gid: buf.gid, mode: buf.mode, access, default: def });
  }

  /** A lookup asked for the ACLs (askingAcls): what it found, or their absence, is now known. */
  private learnFromLookup(inode: Inode | null | undefined, buf: Iatt | null | undefined, x: Dict | null | undefined): void {
    this.learn(inode, buf, { access: aclOf(x?.get(ACL_ACCESS_XATTR)), default: aclOf(x?.get(ACL_DEFAULT_XATTR)) });
  }

  /** The ACLs changed in a way only the brick computes (chmod rewrites them): ask again next lookup. */
  private forgetAcls(inode: Inode | null | undefined): void {
    inode?.ctx.delete(this);
  }

  override forget(inode: Inode): void {
    inode.ctx.delete(this);
  }

  private isSuper(root: CallStack): boolean {
    return root.uid === 0 || root.uid === this.options['super-uid'];
  }

  /** The permission check of the kernel's generic_permission, with the ACL in place of the group bits. */
  private permits(root: CallStack, c: AclCtx, want: number): boolean {
    if (this.isSuper(root)) return (want & X) === 0 || (c.mode & 0o170000) === 0o040000 || (c.mode & 0o111) !== 0;
    if (root.uid === c.uid) return (((c.mode >> 6) & 7) & want) === want;
    if (c.access !== null) return aclPermits(c.access, root, c, want);
    const inGroup = root.gid === c.gid || root.groups.includes(c.gid);
    return ((inGroup ? (c.mode >> 3) & 7 : c.mode & 7) & want) === want;
  }

  /** Fails the fop with `errno` when the caller lacks `want` on an object whose ACLs are known. */
  private refuse(frame: Frame, inode: Inode | null | undefined, want: number, errno: number = Errno.EACCES): boolean {
    const c = this.ctx(inode);
    if (c === undefined || this.permits(frame.root, c, want)) return false;
    this.stats.refused++;
    errorUnwinders[frame.op]!(frame, errno);
    return true;
  }

  /** Removing `victim` from `dir`: write and search there, and the sticky bit's owner rule. */
  private refuseRemoval(frame: Frame, dir: Inode | null, victim: Inode | null): boolean {
    if (this.refuse(frame, dir, W | X)) return true;
    const d = this.ctx(dir);
    const v = this.ctx(victim);
    const root = frame.root;
    if (d === undefined || (d.mode & STICKY) === 0 || this.isSuper(root) || root.uid === d.uid || v === undefined || root.uid === v.uid) return false;
    this.stats.refused++;
    errorUnwinders[frame.op]!(frame, Errno.EPERM);
    return true;
  }

  private refuseWith(frame: Frame, errno: number): true {
    this.stats.refused++;
    errorUnwinders[frame.op]!(frame, errno);
    return true;
  }

  override lookup(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.parent, X)) return;
    windLookup(frame, (_f, _c, _x, opRet, opErrno, inode, buf, x, postparent) => {
      if (opRet >= 0) this.learnFromLookup(inode ?? loc.inode, buf, x);
      unwindLookup(frame, opRet, opErrno, inode, buf, x, postparent);
    }, this.firstChild, loc, askingAcls(xdata));
  }

  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn {
    windStat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => {
      if (opRet >= 0) this.learn(loc.inode, buf);
      unwindStat(frame, opRet, opErrno, buf, x);
    }, this.firstChild, loc, xdata);
  }

  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn {
    windFstat(frame, (_f, _c, _x, opRet, opErrno, buf, x) => {
      if (opRet >= 0) this.learn(fd.inode, buf);
      unwindFstat(frame, opRet, opErrno, buf, x);
    }, this.firstChild, fd, xdata);
  }

  override access(frame: Frame, loc: Loc, mask: number, xdata: Dict | null): FopReturn {
    const c = this.ctx(loc.inode);
    if (c === undefined || (mask & 7) === 0) return super.access(frame, loc, mask, xdata);
    // Known ACLs answer access(2) here, as GlusterFS's posix-acl does.
    if (this.permits(frame.root, c, mask & 7)) return unwindAccess(frame, 0, 0, null);
    this.stats.refused++;
    unwindAccess(frame, -1, Errno.EACCES, null);
  }

  override open(frame: Frame, loc: Loc, flags: number, fd: Fd, xdata: Dict | null): FopReturn {
    const acc = flags & 3;
    const want = (acc === 0 ? R : acc === 1 ? W : R | W) | (flags & O_TRUNC ? W : 0);
    const decide = () => {
      if (this.refuse(frame, loc.inode, want)) return;
      super.open(frame, loc, flags, fd, xdata);
    };
    if (this.ctx(loc.inode) !== undefined || this.isSuper(frame.root)) return decide();
    // An open must be judged here, not left to the brick: open-behind below may answer it without
    // the brick seeing it, and the kernel may then serve the file from its page cache. ACLs not
    // known (yet, or since a chmod or setfacl) are fetched first.
    windLookup(frame, (_f, _c, _x, opRet, _opErrno, _inode, buf, x) => {
      if (opRet >= 0) this.learnFromLookup(loc.inode, buf, x);
      decide();
    }, this.firstChild, loc, askingAcls(null));
  }

  override opendir(frame: Frame, loc: Loc, fd: Fd, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.inode, R)) return;
    super.opendir(frame, loc, fd, xdata);
  }

  override truncate(frame: Frame, loc: Loc, offset: number, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.inode, W)) return;
    super.truncate(frame, loc, offset, xdata);
  }

  /** What a new object in `parent` is made with: the parent's default ACL narrowed by the mode. */
  private inherit(parent: Inode | null, mode: number, umask: number, xdata: Dict | null, isDir: boolean) {
    const parentCtx = this.ctx(parent);
    const def = parentCtx?.default ?? null;
    // A parent whose ACLs are unknown may still have a default ACL: the new object's stay unknown.
    if (def === null) return { mode, umask, xdata, acls: parentCtx === undefined ? undefined : { access: null, default: null } };
    const got = inheritAcl(def, mode);
    const out = new Dict(xdata ?? []);
    if (got.access !== null) out.set(ACL_ACCESS_XATTR, encodeAcl(got.access));
    if (isDir) out.set(ACL_DEFAULT_XATTR, encodeAcl(def));
    this.stats.inherited++;
    // The umask does not apply where a default ACL does.
    return { mode: got.mode | (mode & ~0o777), umask: 0, xdata: out, acls: { access: got.access, default: isDir ? def : null } };
  }

  override create(frame: Frame, loc: Loc, flags: number, mode: number, umask: number, fd: Fd, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.parent, W | X)) return;
    const made = this.inherit(loc.parent, mode, umask, xdata, false);
    windCreate(frame, (_f, _c, _x, opRet, opErrno, rfd, inode, buf, pre, post, x) => {
      if (opRet >= 0) this.learn(inode ?? loc.inode, buf, made.acls);
      unwindCreate(frame, opRet, opErrno, rfd, inode, buf, pre, post, x);
    }, this.firstChild, loc, flags, made.mode, made.umask, fd, made.xdata);
  }

  override mkdir(frame: Frame, loc: Loc, mode: number, umask: number, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.parent, W | X)) return;
    const made = this.inherit(loc.parent, mode, umask, xdata, true);
    windMkdir(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
      if (opRet >= 0) this.learn(inode ?? loc.inode, buf, made.acls);
      unwindMkdir(frame, opRet, opErrno, inode, buf, pre, post, x);
    }, this.firstChild, loc, made.mode, made.umask, made.xdata);
  }

  override mknod(frame: Frame, loc: Loc, mode: number, rdev: number, umask: number, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.parent, W | X)) return;
    const made = this.inherit(loc.parent, mode, umask, xdata, false);
    windMknod(frame, (_f, _c, _x, opRet, opErrno, inode, buf, pre, post, x) => {
      if (opRet >= 0) this.learn(inode ?? loc.inode, buf, made.acls);
      unwindMknod(frame, opRet, opErrno, inode, buf, pre, post, x);
    }, this.firstChild, loc, made.mode, rdev, made.umask, made.xdata);
  }

  override symlink(frame: Frame, linkpath: string, loc: Loc, umask: number, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, loc.parent, W | X)) return;
    super.symlink(frame, linkpath, loc, umask, xdata);
  }

  override link(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    if (this.refuse(frame, newloc.parent, W | X)) return;
    super.link(frame, oldloc, newloc, xdata);
  }

  override unlink(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn {
    if (this.refuseRemoval(frame, loc.parent, loc.inode)) return;
    super.unlink(frame, loc, flags, xdata);
  }

  override rmdir(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn {
    if (this.refuseRemoval(frame, loc.parent, loc.inode)) return;
    super.rmdir(frame, loc, flags, xdata);
  }

  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn {
    if (this.refuseRemoval(frame, oldloc.parent, oldloc.inode)) return;
    if (this.refuseRemoval(frame, newloc.parent, newloc.inode.linked ? newloc.inode : null)) return;
    super.rename(frame, oldloc, newloc, xdata);
  }

  /** chmod, chown, chgrp and utimes as the kernel allows them (setattr_prepare). */
  private refuseSetattr(frame: Frame, inode: Inode, stbuf: Iatt, valid: number): boolean {
    const c = this.ctx(inode);
    const root = frame.root;
    if (c === undefined || this.isSuper(root)) return false;
    const owner = root.uid === c.uid;
    if ((valid & SetAttr.MODE) !== 0 && !owner) return this.refuseWith(frame, Errno.EPERM);
    if ((valid & SetAttr.UID) !== 0 && stbuf.uid !== c.uid) return this.refuseWith(frame, Errno.EPERM);
    if ((valid & SetAttr.GID) !== 0 && stbuf.gid !== c.gid && (!owner || !(root.gid === stbuf.gid || root.groups.includes(stbuf.gid)))) {
      return this.refuseWith(frame, Errno.EPERM);
    }
    const toNow = (valid & (SetAttr.ATIME_NOW | SetAttr.MTIME_NOW)) !== 0;
    if ((valid & (SetAttr.ATIME | SetAttr.MTIME)) !== 0 && !toNow && !owner) return this.refuseWith(frame, Errno.EPERM);
    if (toNow && !owner && !this.permits(root, c, W)) return this.refuseWith(frame, Errno.EACCES);
    if ((valid & SetAttr.SIZE) !== 0 && !this.permits(root, c, W)) return this.refuseWith(frame, Errno.EACCES);
    return false;
  }

  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if (this.refuseSetattr(frame, loc.inode, stbuf, valid)) return;
    windSetattr(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.afterSetattr(loc.inode, post, valid);
      unwindSetattr(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, loc, stbuf, valid, xdata);
  }

  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn {
    if (this.refuseSetattr(frame, fd.inode, stbuf, valid)) return;
    windFsetattr(frame, (_f, _c, _x, opRet, opErrno, pre, post, x) => {
      if (opRet >= 0) this.afterSetattr(fd.inode, post, valid);
      unwindFsetattr(frame, opRet, opErrno, pre, post, x);
    }, this.firstChild, fd, stbuf, valid, xdata);
  }

  private afterSetattr(inode: Inode, post: Iatt | null, valid: number): void {
    // chmod rewrites the access ACL's owner, mask and other entries on the brick.
    if ((valid & SetAttr.MODE) !== 0 && this.ctx(inode)?.access != null) return this.forgetAcls(inode);
    this.learn(inode, post);
  }

  /** Who may change which xattr: ACLs are the owner's; user.* needs write permission. */
  private refuseXattr(frame: Frame, inode: Inode, names: Iterable<string>): boolean {
    const c = this.ctx(inode);
    if (c === undefined || this.isSuper(frame.root)) return false;
    for (const name of names) {
      if (name === ACL_ACCESS_XATTR || name === ACL_DEFAULT_XATTR) {
        if (frame.root.uid !== c.uid) return this.refuseWith(frame, Errno.EPERM);
      } else if (name.startsWith('user.') && this.refuse(frame, inode, W)) {
        return true;
      }
    }
    return false;
  }

  /** A malformed ACL value is refused here rather than stored. */
  private badAcl(frame: Frame, dict: Dict | null): boolean {
    for (const key of [ACL_ACCESS_XATTR, ACL_DEFAULT_XATTR]) {
      const v = dict?.get(key);
      if (v === undefined) continue;
      try {
        parseAcl(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
      } catch (e) {
        if (e instanceof AclFormatError) return this.refuseWith(frame, Errno.EINVAL);
        throw e;
      }
    }
    return false;
  }

  private touchesAcl(names: Iterable<string>): boolean {
    for (const n of names) if (n === ACL_ACCESS_XATTR || n === ACL_DEFAULT_XATTR) return true;
    return false;
  }

  override setxattr(frame: Frame, loc: Loc, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn {
    if (this.refuseXattr(frame, loc.inode, dict?.keys() ?? []) || this.badAcl(frame, dict)) return;
    windSetxattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      // Setting an access ACL changes the mode too: the next lookup (or open) fetches both again.
      if (opRet >= 0 && this.touchesAcl(dict?.keys() ?? [])) this.forgetAcls(loc.inode);
      unwindSetxattr(frame, opRet, opErrno, x);
    }, this.firstChild, loc, dict, flags, xdata);
  }

  override fsetxattr(frame: Frame, fd: Fd, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn {
    if (this.refuseXattr(frame, fd.inode, dict?.keys() ?? []) || this.badAcl(frame, dict)) return;
    windFsetxattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      if (opRet >= 0 && this.touchesAcl(dict?.keys() ?? [])) this.forgetAcls(fd.inode);
      unwindFsetxattr(frame, opRet, opErrno, x);
    }, this.firstChild, fd, dict, flags, xdata);
  }

  override removexattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn {
    if (this.refuseXattr(frame, loc.inode, [name])) return;
    windRemovexattr(frame, (_f, _c, _x, opRet, opErrno, x) => {
      if (opRet >= 0 && this.touchesAcl([name])) this.forgetAcls(loc.inode);
      unwindRemovexattr(frame, opRet, opErrno, x);
    }, this.firstChild, loc, name, xdata);
  }

  override dump(): Record<string, unknown> {
    return { ...this.stats };
  }
}
