// The inode table: gfid -> inode, (parent, name) -> dentry, kernel lookup counts and per-translator
// context, as GlusterFS's inode.c keeps them. A Loc's path is rebuilt from dentries.
import { type Gfid, NULL_GFID, ROOT_GFID } from './gfid.js';
import type { Iatt } from './iatt.js';

export interface Dentry {
  readonly parent: Inode;
  readonly name: string;
  readonly inode: Inode;
}

export class Inode {
  gfid: Gfid = NULL_GFID;
  /** st_mode type bits (S_IFDIR ...); 0 until linked. */
  type = 0;
  /** How many lookups the kernel has not yet forgotten. */
  nlookup = 0;
  readonly dentries: Dentry[] = [];
  /** Per-translator state, keyed by the translator (inode_ctx_set/get). */
  readonly ctx = new Map<object, unknown>();

  constructor(readonly table: InodeTable) {}

  get linked(): boolean {
    return this.gfid !== NULL_GFID && this.table.find(this.gfid) === this;
  }
  get isRoot(): boolean {
    return this.gfid === ROOT_GFID;
  }
  isDirectory(): boolean {
    return this.type === 0o040000;
  }
}

export type ForgetHook = (inode: Inode) => void;

export class InodeTable {
  readonly root: Inode;
  private readonly byGfid = new Map<Gfid, Inode>();
  private readonly dentries = new Map<string, Dentry>();
  /** Called when an inode leaves the table, so translators can drop their context. */
  onForget: ForgetHook | null = null;

  constructor() {
    this.root = new Inode(this);
    this.root.gfid = ROOT_GFID;
    this.root.type = 0o040000;
    this.byGfid.set(ROOT_GFID, this.root);
  }

  get size(): number {
    return this.byGfid.size;
  }

  /** A fresh, unlinked inode for a loc whose object is not known yet (inode_new). */
  newInode(): Inode {
    return new Inode(this);
  }

  find(gfid: Gfid): Inode | undefined {
    return this.byGfid.get(gfid);
  }

  /** The inode known under parent/name, if any (inode_grep). */
  grep(parent: Inode, name: string): Inode | undefined {
    return this.dentries.get(dentryKey(parent, name))?.inode;
  }

  /**
   * Record that `name` in `parent` is the object `stat` describes, and return the table's inode for
   * it: `inode` itself, or the one already known by that gfid (a hard link, or a racing lookup).
   */
  link(inode: Inode, parent: Inode | null, name: string | null, stat: Iatt): Inode {
    let linked = this.byGfid.get(stat.gfid);
    if (linked === undefined) {
      linked = inode.gfid === NULL_GFID || inode.gfid === stat.gfid ? inode : new Inode(this);
      linked.gfid = stat.gfid;
      this.byGfid.set(stat.gfid, linked);
    }
    linked.type = stat.type;
    if (parent !== null && name !== null) this.addDentry(parent, name, linked);
    return linked;
  }

  unlink(parent: Inode, name: string): void {
    const key = dentryKey(parent, name);
    const dentry = this.dentries.get(key);
    if (dentry === undefined) return;
    this.dentries.delete(key);
    const list = dentry.inode.dentries;
    list.splice(list.indexOf(dentry), 1);
    this.maybeRetire(dentry.inode);
  }

  rename(oldParent: Inode, oldName: string, newParent: Inode, newName: string, stat: Iatt): void {
    const moved = this.grep(oldParent, oldName) ?? this.byGfid.get(stat.gfid);
    this.unlink(newParent, newName);
    this.unlink(oldParent, oldName);
    if (moved !== undefined) this.link(moved, newParent, newName, stat);
  }

  /** The kernel (or another client of the table) now holds one more reference from a lookup. */
  lookup(inode: Inode): void {
    inode.nlookup++;
  }

  /** The kernel dropped `count` lookups; an inode nobody looks up and nobody names is retired. */
  forget(inode: Inode, count: number): void {
    inode.nlookup = Math.max(0, inode.nlookup - count);
    if (inode.nlookup === 0) this.retire(inode);
  }

  /** Path of an inode from the root, through its first dentry; null when it has no name here. */
  path(inode: Inode): string | null {
    if (inode.isRoot) return '/';
    // Built by prepending, no array to reverse and join: every fop on a path asks for one.
    let path = '';
    let cursor: Inode = inode;
    for (let depth = 0; !cursor.isRoot; depth++) {
      const dentry = cursor.dentries[0];
      if (dentry === undefined || depth > 4096) return null;
      path = `/${dentry.name}${path}`;
      cursor = dentry.parent;
    }
    return path;
  }

  dump(): { inodes: number; dentries: number } {
    return { inodes: this.byGfid.size, dentries: this.dentries.size };
  }

  private addDentry(parent: Inode, name: string, inode: Inode): void {
    const key = dentryKey(parent, name);
    const old = this.dentries.get(key);
    if (old?.inode === inode) return;
    if (old !== undefined) this.unlink(parent, name);
    // A directory has one name: drop the stale one a rename elsewhere left behind.
    if (inode.isDirectory()) for (const d of [...inode.dentries]) this.unlink(d.parent, d.name);
    const dentry: Dentry = { parent, name, inode };
    this.dentries.set(key, dentry);
    inode.dentries.push(dentry);
  }

  private maybeRetire(inode: Inode): void {
    if (inode.nlookup === 0 && inode.dentries.length === 0) this.retire(inode);
  }

  private retire(inode: Inode): void {
    if (inode.isRoot) return;
    for (const d of [...inode.dentries]) {
      this.dentries.delete(dentryKey(d.parent, d.name));
    }
    inode.dentries.length = 0;
    if (this.byGfid.get(inode.gfid) === inode) this.byGfid.delete(inode.gfid);
    this.onForget?.(inode);
  }
}

function dentryKey(parent: Inode, name: string): string {
  return parent.gfid + '/' + name;
}
