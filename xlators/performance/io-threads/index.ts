// performance/io-threads: every fop becomes a queued call, in one of four priority classes (the
// spec's io-threads priority: hi for lookups and stats, normal for most, lo for data, least for
// internal callers), and a bounded number of them run at once, higher classes first (GlusterFS's
// io-threads).
//
// What it buys in Node, and what it does not: there are no threads for JavaScript here, so it does
// not run translators in parallel; the parallelism of xlfs is libuv's threadpool under storage/posix
// and the network under protocol/client. What it does: the caller's wind returns at once (the fop
// starts on a later turn of the event loop, so a burst of requests cannot hold the loop), at most
// thread-count fops are in flight below it (a fop holds its slot until it unwinds), per class at
// most that class's limit, and a waiting stat overtakes waiting writes.
import { allFops, type FopInfo } from '../../../generated/fops.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import { unwinders, winders } from '../../../generated/wind.js';
import type { OptionDecl } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

const CLASSES = ['hi', 'normal', 'lo', 'least'] as const;
type PriorityClass = (typeof CLASSES)[number];
const LIMIT_KEYS: Record<PriorityClass, string> = { hi: 'high-prio-threads', normal: 'normal-prio-threads', lo: 'low-prio-threads', least: 'least-prio-threads' };

interface Queued {
  frame: Frame;
  op: number;
  args: unknown[];
}

export class IoThreads extends DefaultXlator {
  static override readonly description = 'Queues fops by priority and runs a bounded number at once, yielding the event loop (GlusterFS performance/io-threads).';
  static override readonly options: readonly OptionDecl[] = [
    { key: 'thread-count', type: 'int', default: '16', min: 1, max: 64, description: 'Fops in flight below this translator at most.' },
    { key: 'high-prio-threads', type: 'int', default: '16', min: 1, max: 64, description: 'Of which lookups, stats and other hi-priority fops at most.' },
    { key: 'normal-prio-threads', type: 'int', default: '16', min: 1, max: 64, description: 'Of which normal-priority fops at most.' },
    { key: 'low-prio-threads', type: 'int', default: '16', min: 1, max: 64, description: 'Of which low-priority fops (reads, writes) at most.' },
    { key: 'least-prio-threads', type: 'int', default: '1', min: 1, max: 64, description: 'Of which least-priority fops at most.' },
    { key: 'enable-least-priority', type: 'bool', default: 'on', description: 'Put fops of internal callers (negative pid) in the least class.' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Queue nothing.' },
  ];

  private readonly queues: Record<PriorityClass, Queued[]> = { hi: [], normal: [], lo: [], least: [] };
  private readonly running: Record<PriorityClass, number> = { hi: 0, normal: 0, lo: 0, least: 0 };
  private inFlight = 0;
  /** Fops queued in all classes. */
  private waiting = 0;
  private scheduled = false;
  readonly served: Record<PriorityClass, number> = { hi: 0, normal: 0, lo: 0, least: 0 };

  constructor(name: string, type: string) {
    super(name, type);
    // Every fop takes the same path; the generated tables wind and unwind any of them.
    const self = this as unknown as Record<string, (frame: Frame, ...args: unknown[]) => void>;
    for (const fop of allFops) {
      if (fop.priority === 'none') continue; // fops with no class pass straight through
      const passOn = self[fop.method]!.bind(this);
      self[fop.method] = (frame: Frame, ...args: unknown[]) => (this.options['pass-through'] === true ? passOn(frame, ...args) : this.enqueue(frame, fop, args));
    }
  }

  private classOf(frame: Frame, fop: FopInfo): PriorityClass {
    if (frame.root.pid < 0 && this.options['enable-least-priority'] === true) return 'least';
    return fop.priority === 'none' ? 'normal' : (fop.priority as PriorityClass);
  }

  private limit(c: PriorityClass): number {
    return Number(this.options[LIMIT_KEYS[c]]);
  }

  private enqueue(frame: Frame, fop: FopInfo, args: unknown[]): void {
    this.queues[this.classOf(frame, fop)].push({ frame, op: fop.number, args });
    this.waiting++;
    this.schedule();
  }

  /** Start queued fops on the next turn of the event loop, never inside the caller's wind. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const total = Number(this.options['thread-count']);
    for (const c of CLASSES) {
      const q = this.queues[c];
      while (q.length > 0 && this.inFlight < total && this.running[c] < this.limit(c)) {
        const { frame, op, args } = q.shift()!;
        this.waiting--;
        this.inFlight++;
        this.running[c]++;
        this.served[c]++;
        winders[op]!(frame, (_f, _c, _x, opRet, opErrno, ...results) => {
          this.inFlight--;
          this.running[c]--;
          if (this.waiting > 0) this.schedule();
          unwinders[op]!(frame, opRet, opErrno, ...results);
        }, this.firstChild, ...args);
      }
    }
  }

  override dump(): Record<string, unknown> {
    return {
      inFlight: this.inFlight,
      queued: Object.fromEntries(CLASSES.map((c) => [c, this.queues[c].length])),
      running: { ...this.running },
      served: { ...this.served },
    };
  }
}
