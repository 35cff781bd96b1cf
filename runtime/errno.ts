// Errno values and names. Fops carry errno as a positive number in opErrno, as GlusterFS does.
import { constants } from 'node:os';

export const Errno = constants.errno;

const namesByNumber = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!namesByNumber.has(value)) namesByNumber.set(value, name);
}

/** 'ENOENT' for 2; 'E<number>' for anything unknown. */
export function errnoName(errno: number): string {
  return namesByNumber.get(errno) ?? `E${errno}`;
}

/** The errno an exception stands for: a Node system error's code, else EIO. */
export function errnoOf(error: unknown): number {
  if (error !== null && typeof error === 'object') {
    const e = error as { errno?: unknown; code?: unknown };
    if (typeof e.code === 'string') {
      const n = (constants.errno as Record<string, number>)[e.code];
      if (n !== undefined) return n;
    }
    if (typeof e.errno === 'number') return Math.abs(e.errno);
  }
  return constants.errno.EIO;
}
