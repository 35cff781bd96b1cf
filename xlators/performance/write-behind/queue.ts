// One inode's ordered request queue in write-behind: writes (acknowledged early or not) and the
// fops that must not overtake them, in arrival order. Writes at the head go down aggregated and,
// when they do not overlap one still in flight, in parallel; a waiting fop starts once every
// write before it is on disk, and a modifying one holds later writes until it has finished.
import type { Fd } from '../../../runtime/fd.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { CallStack } from '../../../runtime/stack.js';

export interface QueuedWrite {
  kind: 'write';
  fd: Fd;
  offset: number;
  buffers: Buffer[];
  size: number;
  /** Acknowledged to the application already: its outcome is ours to report later. */
  lied: boolean;
  /** The pooled buffer holding our copy of an acknowledged write, given back once it is written. */
  backing: Buffer | null;
  /** Or the caller's iobref, referenced instead of copying, released once the write is written. */
  iobref: Iobref | null;
  /** Credentials of the writer, for the write that goes down later. */
  stack: CallStack;
  flags: number;
  /** Called with the outcome once the write reached the child (for writes not acknowledged). */
  done: (opRet: number, opErrno: number) => void;
}

export interface QueuedFop {
  kind: 'fop';
  /** Winds the fop; for a modifying fop, calls `finished` when it has unwound. */
  start: (finished: () => void) => void;
  /** Later writes wait for it to finish (truncate, fsync ...), not only to start (stat, read). */
  holdsLaterWrites: boolean;
}

export type Queued = QueuedWrite | QueuedFop;

export interface WindBatch {
  fd: Fd;
  offset: number;
  buffers: Buffer[];
  size: number;
  writes: QueuedWrite[];
  stack: CallStack;
  flags: number;
}

export interface QueuePolicy {
  aggregateSize: number;
  windowSize: number;
  tricklingWrites: boolean;
  strictWriteOrdering: boolean;
  /** Send one batch down; call `completed` when it has unwound. */
  wind: (batch: WindBatch, completed: () => void) => void;
}

export class WbInode {
  readonly queue: Queued[] = [];
  /** Byte ranges of writes in flight, to keep overlapping ones in order. */
  private readonly inflight: Array<[number, number]> = [];
  /** A fop in flight that later writes must wait for. */
  private holding = 0;
  /** Acknowledged bytes not yet written: bounded by the window. */
  liability = 0;
  private drainWaiters: Array<() => void> = [];
  /** Send held writes without waiting for an aggregate (shutting down). */
  private forcing = false;

  constructor(private readonly policy: QueuePolicy) {}

  get idle(): boolean {
    return this.queue.length === 0 && this.inflight.length === 0 && this.holding === 0;
  }

  /**
   * May one more write be acknowledged before it is written? As in GlusterFS, while the window is
   * not already overdrawn: the write that fills it is acknowledged too, so one write of the
   * window's size can travel to the brick while the next is being accepted.
   */
  get hasRoom(): boolean {
    return this.liability <= this.policy.windowSize;
  }

  enqueue(entry: Queued): void {
    this.queue.push(entry);
    if (entry.kind === 'write' && entry.lied) this.liability += entry.size;
  }

  /** Resolves when nothing is queued or in flight; with `force`, held writes go down now. */
  drained(force = false): Promise<void> {
    if (force) {
      this.forcing = true;
      this.process();
    }
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Start whatever the queue's order allows now. */
  process(): void {
    while (this.queue.length > 0 && this.holding === 0) {
      const head = this.queue[0]!;
      if (head.kind === 'fop') {
        if (this.inflight.length > 0) return; // every earlier write must be on disk first
        this.queue.shift();
        if (head.holdsLaterWrites) {
          this.holding++;
          head.start(() => {
            this.holding--;
            this.process();
          });
        } else {
          head.start(() => {});
        }
        continue;
      }
      if (!this.mayWind(head)) return;
      this.windHead();
    }
    if (this.idle) this.wakeDrainWaiters();
  }

  private mayWind(head: QueuedWrite): boolean {
    const end = head.offset + head.size;
    if (this.policy.strictWriteOrdering && this.inflight.length > 0) return false;
    if (this.inflight.some(([s, e]) => head.offset < e && s < end)) return false;
    if (this.policy.tricklingWrites || this.forcing || !head.lied) return true;
    // Without trickling, acknowledged writes wait to fill an aggregate unless something needs them.
    let queued = 0;
    for (const q of this.queue) {
      if (q.kind === 'fop' || !q.lied) return true;
      queued += q.size;
    }
    return queued >= this.policy.aggregateSize || !this.hasRoom;
  }

  /** Take the head write and the contiguous writes of the same fd after it, up to aggregate-size. */
  private windHead(): void {
    const first = this.queue.shift() as QueuedWrite;
    const batch: WindBatch = {
      fd: first.fd,
      offset: first.offset,
      buffers: [...first.buffers],
      size: first.size,
      writes: [first],
      stack: first.stack,
      flags: first.flags,
    };
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.kind !== 'write' || next.fd !== batch.fd || next.offset !== batch.offset + batch.size) break;
      if (batch.size + next.size > this.policy.aggregateSize) break;
      this.queue.shift();
      batch.buffers.push(...next.buffers);
      batch.size += next.size;
      batch.writes.push(next);
    }
    const range: [number, number] = [batch.offset, batch.offset + batch.size];
    this.inflight.push(range);
    this.policy.wind(batch, () => {
      this.inflight.splice(this.inflight.indexOf(range), 1);
      for (const w of batch.writes) if (w.lied) this.liability -= w.size;
      this.process();
    });
  }

  private wakeDrainWaiters(): void {
    this.forcing = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  dump(): object {
    return { queued: this.queue.length, inflight: this.inflight.length, holding: this.holding, liability: this.liability };
  }
}
