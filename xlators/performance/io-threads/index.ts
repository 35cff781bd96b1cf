// performance/io-threads: every fop becomes a queued call, in one of four priority classes (the
// spec's io-threads priority: hi for lookups and stats, normal for most, lo for data, least for
// internal callers), and a bounded number of them run at once, higher classes first (GlusterFS's
// io-threads).
//
// What it buys in Node, and what it does not: there are no threads for JavaScript here, so it does
// not run translators in parallel; the parallelism of xlfs is libuv's threadpool under storage/posix
// and the network under protocol/client. What it does: at most thread-count fops are in flight
// below it (a fop holds its slot until it unwinds), per class at most that class's limit, and a
// waiting stat overtakes waiting writes. A fop that finds a free slot and nothing waiting goes down
// at once, as it would to an idle worker; only a fop that must wait is queued, and queued fops
// start on a later turn of the event loop, never inside the wind or unwind that freed their slot.
// (Handing every fop over through setImmediate cost a turn of the loop per request: a tenth of the
// daemon's CPU on a metadata loop, and bought nothing: the FUSE reader already yields between
// batches of requests.)
import { allFops } from '../../../generated/fops.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import { unwinders, winders } from '../../../generated/wind.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

const CLASSES = ['hi', 'normal', 'lo', 'least'] as const;
type PriorityClass = (typeof CLASSES)[number];
const LEAST = CLASSES.indexOf('least');
const LIMIT_KEYS = { hi: 'high-prio-threads', normal: 'normal-prio-threads', lo: 'low-prio-threads', least: 'least-prio-threads' } as const;

interface Queued {
  frame: Frame;
  op: number;
  args: unknown[];
}

export class IoThreads extends DefaultXlator {
  static override readonly description = 'Queues fops by priority and runs a bounded number at once, yielding the event loop (GlusterFS performance/io-threads).';
  static override readonly options = [
    { key: 'thread-count', type: 'int', default: '16', min: 1, max: 64, description: 'Fops in flight below this translator at most.' },
    { key: 'high-prio-threads', type: 'int', default: '16', min: 1, max: 64, description: 'Of which lookups, stats and other hi-priority fops at most.' },
    { key: 'normal-prio-threads', type: 'int', default: '16', min: 1, max: 64, description: 'Of which normal-priority fops at most.' },
    { key: 'low-prio-threads', type: 'int', default: '16', min: 1, max: 64, description: 'Of which low-priority fops (reads, writes) at most.' },
    { key: 'least-prio-threads', type: 'int', default: '1', min: 1, max: 64, description: 'Of which least-priority fops at most.' },
    { key: 'enable-least-priority', type: 'bool', default: 'on', description: 'Put fops of internal callers (negative pid) in the least class.' },
    { key: 'pass-through', type: 'bool', default: 'false', description: 'Queue nothing.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof IoThreads.options>;

  // Per class, indexed by position in CLASSES: numbers, not names, on the path every fop takes.
  private readonly queues: Queued[][] = CLASSES.map(() => []);
  private readonly running: number[] = CLASSES.map(() => 0);
  private readonly servedCounts: number[] = CLASSES.map(() => 0);
  private limits: number[] = CLASSES.map(() => 1);
  private threadCount = 1;
  private passThrough = false;
  private leastForInternal = true;
  private inFlight = 0;
  /** Fops queued in all classes. */
  private waiting = 0;
  private scheduled = false;
  private readonly drainSoon = (): void => {
    this.scheduled = false;
    this.drain();
  };
  /** Per fop number, the callback that frees the slot and passes the answer up (one, not one per call). */
  private readonly answers: ((frame: Frame, cookie: unknown, xl: unknown, opRet: number, opErrno: number, ...results: unknown[]) => void)[] = [];

  constructor(name: string, type: string) {
    super(name, type);
    // Every fop takes the same path; the generated tables wind and unwind any of them.
    const self = this as unknown as Record<string, (frame: Frame, ...args: unknown[]) => void>;
    for (const fop of allFops) {
      if (fop.priority === 'none') continue; // fops with no class pass straight through
      const passOn = self[fop.method]!.bind(this);
      const ownClass = CLASSES.indexOf(fop.priority as PriorityClass);
      const unwind = unwinders[fop.number]!;
      this.answers[fop.number] = (frame, _cookie, _xl, opRet, opErrno, ...results) => {
        this.finished(frame.local as number);
        unwind(frame, opRet, opErrno, ...results);
      };
      self[fop.method] = (frame: Frame, ...args: unknown[]) => {
        if (this.passThrough) return passOn(frame, ...args);
        this.enqueue(frame.root.pid < 0 && this.leastForInternal ? LEAST : ownClass, frame, fop.number, args);
      };
    }
  }

  override init(): void {
    this.threadCount = this.options['thread-count'];
    this.limits = CLASSES.map((c) => this.options[LIMIT_KEYS[c]]);
    this.passThrough = this.options['pass-through'];
    this.leastForInternal = this.options['enable-least-priority'];
  }

  /** Fops started so far, per class. */
  get served(): Record<PriorityClass, number> {
    return Object.fromEntries(CLASSES.map((c, i) => [c, this.servedCounts[i]])) as Record<PriorityClass, number>;
  }

  private enqueue(c: number, frame: Frame, op: number, args: unknown[]): void {
    if (this.waiting === 0 && this.inFlight < this.threadCount && this.running[c]! < this.limits[c]!) {
      this.start(c, frame, op, args);
      return;
    }
    this.queues[c]!.push({ frame, op, args });
    this.waiting++;
    this.schedule();
  }

  /** Start queued fops on the next turn of the event loop, never inside the unwind that freed a slot. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drainSoon);
  }

  private drain(): void {
    for (let c = 0; c < CLASSES.length; c++) {
      const q = this.queues[c]!;
      const limit = this.limits[c]!;
      while (q.length > 0 && this.inFlight < this.threadCount && this.running[c]! < limit) {
        const { frame, op, args } = q.shift()!;
        this.waiting--;
        this.start(c, frame, op, args);
      }
    }
  }

  /** Wind a fop of class `c` down; its slot is held until it unwinds. The class rides in frame.local. */
  private start(c: number, frame: Frame, op: number, args: unknown[]): void {
    this.inFlight++;
    this.running[c]!++;
    this.servedCounts[c]!++;
    frame.local = c;
    winders[op]!(frame, this.answers[op]!, this.firstChild, ...args);
  }

  /** A fop of class `c` has unwound: its slot is free for a waiting one. */
  private finished(c: number): void {
    this.inFlight--;
    this.running[c]!--;
    if (this.waiting > 0) this.schedule();
  }

  override dump(): Record<string, unknown> {
    return {
      inFlight: this.inFlight,
      queued: Object.fromEntries(CLASSES.map((c, i) => [c, this.queues[i]!.length])),
      running: Object.fromEntries(CLASSES.map((c, i) => [c, this.running[i]])),
      served: this.served,
    };
  }
}
