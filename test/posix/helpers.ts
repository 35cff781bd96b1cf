// A translator (or the top of a graph) driven through syncop the way a client drives it: locs
// built from an inode table that lookups and creates keep linked. PosixFixture puts it on a
// storage/posix over a fresh real directory; test/support/stack.ts builds whole graphs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncop } from '../../generated/syncop.js';
import { Dict } from '../../runtime/dict.js';
import { Fd } from '../../runtime/fd.js';
import type { Iatt } from '../../runtime/iatt.js';
import { InodeTable } from '../../runtime/inode.js';
import { childLoc, inodeLoc, type Loc } from '../../runtime/loc.js';
import type { Credentials } from '../../runtime/stack.js';
import type { Xlator } from '../../runtime/xlator.js';
import { Posix } from '../../xlators/storage/posix/index.js';

export const user: Credentials = { uid: 1000, gid: 1000, pid: 4242, groups: [] };

export class XlatorFixture {
  readonly table = new InodeTable();
  constructor(
    readonly dir: string,
    /** Where the fixture's fops go in. */
    readonly top: Xlator,
  ) {}

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A loc for an absolute path, looking up each parent so the inode table knows them. */
  async loc(path: string): Promise<Loc> {
    const names = path.split('/').filter(Boolean);
    let parent = this.table.root;
    let ppath = '/';
    if (names.length === 0) return inodeLoc(this.table, parent);
    for (const name of names.slice(0, -1)) {
      const loc = childLoc(this.table, parent, name, ppath);
      const r = await syncop.lookup(this.top, loc, null);
      if (r.opRet !== 0) throw new Error(`lookup ${loc.path}: errno ${r.opErrno}`);
      parent = this.table.link(loc.inode, parent, name, r.buf!);
      ppath = loc.path;
    }
    return childLoc(this.table, parent, names[names.length - 1]!, ppath);
  }

  /** Record a created or looked-up object in the table, as the FUSE bridge does. */
  link(loc: Loc, buf: Iatt): void {
    loc.inode = this.table.link(loc.inode, loc.parent, loc.name, buf);
  }

  async create(path: string, content = '', credentials?: Credentials): Promise<{ loc: Loc; fd: Fd; buf: Iatt }> {
    const loc = await this.loc(path);
    const fd = new Fd(loc.inode, 2);
    const r = await syncop.create(this.top, loc, 0o102, 0o644, 0o022, fd, null, credentials ? { credentials } : {});
    if (r.opRet !== 0) throw new Error(`create ${path}: errno ${r.opErrno}`);
    this.link(loc, r.buf!);
    if (content) {
      const w = await syncop.writev(this.top, fd, [Buffer.from(content)], 1, 0, 0, null, null);
      if (w.opRet !== content.length) throw new Error(`write ${path}: ${w.opRet}/${w.opErrno}`);
    }
    return { loc, fd, buf: r.buf! };
  }

  async mkdir(path: string, mode = 0o755, credentials?: Credentials): Promise<Loc> {
    const loc = await this.loc(path);
    const r = await syncop.mkdir(this.top, loc, mode, 0, null, credentials ? { credentials } : {});
    if (r.opRet !== 0) throw new Error(`mkdir ${path}: errno ${r.opErrno}`);
    this.link(loc, r.buf!);
    return loc;
  }

  async open(path: string, flags: number, credentials?: Credentials): Promise<{ fd: Fd; opRet: number; opErrno: number }> {
    const loc = await this.loc(path);
    const l = await syncop.lookup(this.top, loc, null);
    if (l.opRet === 0) this.link(loc, l.buf!);
    const fd = new Fd(loc.inode, flags);
    const r = await syncop.open(this.top, loc, flags, fd, null, credentials ? { credentials } : {});
    return { fd, opRet: r.opRet, opErrno: r.opErrno };
  }

  async read(fd: Fd, size: number, offset = 0): Promise<string> {
    const r = await syncop.readv(this.top, fd, size, offset, 0, null);
    if (r.opRet < 0) throw new Error(`read: errno ${r.opErrno}`);
    return Buffer.concat(r.vector!).toString();
  }

  static dict(entries: Record<string, string>): Dict {
    return new Dict(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));
  }
}

/** storage/posix alone on a fresh directory. */
export class PosixFixture extends XlatorFixture {
  private constructor(
    dir: string,
    readonly posix: Posix,
  ) {
    super(dir, posix);
  }

  static async create(dir = mkdtempSync(join(tmpdir(), 'xlfs-posix-'))): Promise<PosixFixture> {
    const posix = new Posix('posix', 'storage/posix');
    posix.options = { directory: dir };
    await posix.init();
    return new PosixFixture(dir, posix);
  }
}
