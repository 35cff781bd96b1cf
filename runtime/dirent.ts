// gf_dirent_t: one directory entry; readdirp fills stat and inode too.
import type { Iatt } from './iatt.js';
import type { Inode } from './inode.js';

export interface Dirent {
  name: string;
  /** Cookie to continue reading after this entry (d_off). */
  offset: number;
  ino: bigint;
  /** DT_* type (d_type). */
  type: number;
  stat?: Iatt;
  inode?: Inode;
  dict?: import('./dict.js').Dict;
}

export const DirentType = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 } as const;

export function direntTypeFromMode(mode: number): number {
  return (mode & 0o170000) >> 12;
}
