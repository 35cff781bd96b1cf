// loc_t: names an object for the fops that take a location, by path and by inode.
import type { Gfid } from './gfid.js';
import { NULL_GFID } from './gfid.js';
import type { Inode, InodeTable } from './inode.js';

export interface Loc {
  /** Absolute path within the volume, '/' for the root. */
  path: string;
  /** Basename ('' for the root). */
  name: string;
  parent: Inode | null;
  /** The object: linked when known, a fresh inode when a fop is about to create or look it up. */
  inode: Inode;
  gfid: Gfid;
  pargfid: Gfid;
}

/** The loc of `name` inside directory `parent`. */
export function childLoc(table: InodeTable, parent: Inode, name: string, parentPath?: string): Loc {
  const ppath = parentPath ?? table.path(parent) ?? '/';
  const inode = table.grep(parent, name) ?? table.newInode();
  return {
    path: ppath === '/' ? `/${name}` : `${ppath}/${name}`,
    name,
    parent,
    inode,
    gfid: inode.gfid,
    pargfid: parent.gfid,
  };
}

/** The loc of a known inode, through its name in the table. */
export function inodeLoc(table: InodeTable, inode: Inode): Loc {
  const dentry = inode.dentries[0];
  return {
    path: table.path(inode) ?? `<gfid:${inode.gfid}>`,
    name: dentry?.name ?? '',
    parent: dentry?.parent ?? null,
    inode,
    gfid: inode.gfid,
    pargfid: dentry?.parent.gfid ?? NULL_GFID,
  };
}

/** The loc of an absolute path, walking names the table knows; unknown parts yield fresh inodes. */
export function pathLoc(table: InodeTable, path: string): Loc {
  const names = path.split('/').filter((n) => n !== '');
  if (names.length === 0) return inodeLoc(table, table.root);
  let parent = table.root;
  let ppath = '/';
  for (let i = 0; i < names.length - 1; i++) {
    const name = names[i]!;
    const next = table.grep(parent, name) ?? table.newInode();
    ppath = ppath === '/' ? `/${name}` : `${ppath}/${name}`;
    parent = next;
  }
  return childLoc(table, parent, names[names.length - 1]!, ppath);
}
