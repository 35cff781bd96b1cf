// POSIX byte-range locks held in this process, per inode (and per domain for inodelk), with owners
// as the lock identity, as GlusterFS's features/locks keeps them for a brick. SETLKW waits in a
// queue that is re-examined whenever a lock is released.
import { LockCmd, LockType, type Flock } from '../../../runtime/lock.js';

interface Held {
  owner: string;
  start: number;
  /** Inclusive end; Infinity for "to end of file". */
  end: number;
  type: number;
  pid: number;
}

interface Waiter {
  owner: string;
  lock: Flock;
  wake: (ok: boolean) => void;
}

function rangeOf(lock: Flock): [number, number] {
  const end = lock.len === 0 ? Infinity : lock.start + lock.len - 1;
  return [lock.start, end];
}

export class LockTable {
  private readonly held = new Map<string, Held[]>();
  private readonly waiting = new Map<string, Waiter[]>();

  /** The first lock of another owner that conflicts with `lock`, if any. */
  conflict(key: string, owner: string, lock: Flock): Held | undefined {
    const [start, end] = rangeOf(lock);
    return (this.held.get(key) ?? []).find(
      (h) => h.owner !== owner && h.start <= end && start <= h.end && (h.type === LockType.WRLCK || lock.type === LockType.WRLCK),
    );
  }

  /** F_GETLK: the conflicting lock, or the request with type UNLCK when there is none. */
  test(key: string, owner: string, lock: Flock): Flock {
    const c = this.conflict(key, owner, lock);
    if (c === undefined) return { ...lock, type: LockType.UNLCK };
    return { type: c.type, whence: 0, start: c.start, len: c.end === Infinity ? 0 : c.end - c.start + 1, pid: c.pid, owner: Buffer.from(c.owner, 'hex') };
  }

  /** F_SETLK: true when taken (or released), false on conflict. */
  trySet(key: string, owner: string, lock: Flock): boolean {
    if (lock.type !== LockType.UNLCK && this.conflict(key, owner, lock) !== undefined) return false;
    this.apply(key, owner, lock);
    return true;
  }

  /** F_SETLKW: resolves true when taken, false when cancelled. */
  wait(key: string, owner: string, lock: Flock): Promise<boolean> {
    if (this.trySet(key, owner, lock)) return Promise.resolve(true);
    return new Promise((wake) => {
      const queue = this.waiting.get(key) ?? [];
      queue.push({ owner, lock, wake });
      this.waiting.set(key, queue);
    });
  }

  /** Drop every lock an owner holds on an inode (close(2) of a descriptor releases them). */
  releaseOwner(key: string, owner: string): void {
    this.apply(key, owner, { type: LockType.UNLCK, whence: 0, start: 0, len: 0, pid: 0, owner: Buffer.alloc(0) });
  }

  /** Cancel an owner's waiting requests (an interrupted SETLKW). */
  cancel(key: string, owner: string): void {
    const queue = this.waiting.get(key) ?? [];
    for (const w of queue.filter((w) => w.owner === owner)) w.wake(false);
    this.waiting.set(key, queue.filter((w) => w.owner !== owner));
  }

  private apply(key: string, owner: string, lock: Flock): void {
    const [start, end] = rangeOf(lock);
    const kept: Held[] = [];
    for (const h of this.held.get(key) ?? []) {
      if (h.owner !== owner || h.end < start || h.start > end) {
        kept.push(h);
        continue;
      }
      // The owner's own overlapping lock is replaced in the range; keep the parts outside it.
      if (h.start < start) kept.push({ ...h, end: start - 1 });
      if (h.end > end) kept.push({ ...h, start: end + 1 });
    }
    if (lock.type !== LockType.UNLCK) kept.push({ owner, start, end, type: lock.type, pid: lock.pid });
    if (kept.length > 0) this.held.set(key, kept);
    else this.held.delete(key);
    this.wakeWaiters(key);
  }

  private wakeWaiters(key: string): void {
    const queue = this.waiting.get(key);
    if (queue === undefined) return;
    for (const w of [...queue]) {
      if (this.conflict(key, w.owner, w.lock) !== undefined) continue;
      queue.splice(queue.indexOf(w), 1);
      this.apply(key, w.owner, w.lock);
      w.wake(true);
      return; // apply() has re-run this for the rest of the queue.
    }
    if (queue.length === 0) this.waiting.delete(key);
  }
}

export { LockCmd };
