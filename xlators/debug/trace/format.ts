// How debug/trace writes values: one readable token per argument or result, chosen by the spec
// type the fop table gives for it (an Iatt as a stat line, a Loc as path and gfid ...).
import type { Dict } from '../../../runtime/dict.js';
import type { Dirent } from '../../../runtime/dirent.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Inode } from '../../../runtime/inode.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Flock } from '../../../runtime/lock.js';

export function formatValue(type: string, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (type) {
    case 'Loc': {
      const loc = value as Loc;
      return `{path=${loc.path}, gfid=${loc.inode.gfid}}`;
    }
    case 'Fd': {
      const fd = value as Fd;
      return `{fd=${fd.id}, gfid=${fd.inode.gfid}, flags=0${fd.flags.toString(8)}}`;
    }
    case 'Inode':
      return (value as Inode).gfid;
    case 'Iatt':
      return `{${formatIatt(value as Iatt)}}`;
    case 'Dict':
      return formatDict(value as Dict);
    case 'Iovec': {
      const vector = value as Buffer[];
      return `{count=${vector.length}, size=${vector.reduce((n, b) => n + b.length, 0)}}`;
    }
    case 'Dirents':
      return `{count=${(value as Dirent[]).length}}`;
    case 'Flock': {
      const l = value as Flock;
      return `{type=${l.type}, whence=${l.whence}, start=${l.start}, len=${l.len}, pid=${l.pid}}`;
    }
    case 'Mode':
      return '0' + (value as number).toString(8);
    case 'Bytes':
      return `0x${(value as Buffer).toString('hex')}`;
    case 'String':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** GlusterFS's trace stat line: gfid, ino, mode, links, owner, size, blocks and the three times. */
export function formatIatt(ia: Iatt): string {
  return (
    `gfid=${ia.gfid} ino=${ia.ino}, mode=0${ia.mode.toString(8)}, nlink=${ia.nlink}, uid=${ia.uid}, gid=${ia.gid}, ` +
    `size=${ia.size}, blocks=${ia.blocks}, atime=${formatTime(ia.atime, ia.atimeNsec)} mtime=${formatTime(ia.mtime, ia.mtimeNsec)} ` +
    `ctime=${formatTime(ia.ctime, ia.ctimeNsec)}`
  );
}

function formatTime(sec: number, nsec: number): string {
  if (sec === 0) return 'N/A';
  return `${new Date(sec * 1000).toISOString().slice(0, 19).replace('T', '-')}.${String(nsec).padStart(9, '0')}`;
}

function formatDict(dict: Dict): string {
  const parts: string[] = [];
  for (const [k, v] of dict) parts.push(`${k}=${Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : String(v)}`);
  return `{${parts.join(', ')}}`;
}
