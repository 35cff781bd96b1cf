// Call stacks and frames with GlusterFS's semantics (stack.h): one CallStack per request, one Frame
// per translator hop. Winding makes a frame whose parent is the caller's frame and whose `ret` is
// the caller's callback; unwinding calls `ret` with the parent frame and this frame's cookie.
// The generated wind/unwind stubs (generated/wind.ts) are the only callers of windFrame/beginUnwind.
import { errnoName } from './errno.js';
import { Logger } from './log.js';
import type { Xlator } from './xlator.js';

/** Which times utime asks the brick to set (MDATA_* in stack.h); they travel in the RPC credential. */
export const MdataFlags = {
  CTIME: 1 << 0,
  MTIME: 1 << 1,
  ATIME: 1 << 2,
  PAR_CTIME: 1 << 3,
  PAR_MTIME: 1 << 4,
  PAR_ATIME: 1 << 5,
} as const;

export interface Credentials {
  uid: number;
  gid: number;
  pid: number;
  groups: readonly number[];
  /** Lock owner bytes (FUSE lock_owner), sent with lock fops. */
  lkOwner?: Buffer;
}

const ROOT_CREDENTIALS: Credentials = { uid: 0, gid: 0, pid: 0, groups: [] };

/**
 * Process-wide bookkeeping of stacks (call_pool_t). Stacks not yet destroyed are kept, as
 * GlusterFS keeps them, in a list threaded through the stacks themselves: linking and unlinking
 * one allocates nothing, where a map with an entry added and removed per request reallocated its
 * table every few requests.
 */
export class CallPool {
  private nextUnique = 1;
  /** Stamp frames with hrtime on wind and unwind; off costs one branch per hop. */
  measureLatency = false;
  totalStacks = 0;
  /** The most recently created live stack; each links to the one created before it. */
  newest: CallStack | null = null;

  createStack(caller: Xlator, credentials: Credentials = ROOT_CREDENTIALS, op = 0): Frame {
    const stack = new CallStack(this, this.nextUnique++, credentials, op);
    this.totalStacks++;
    stack.older = this.newest;
    if (this.newest !== null) this.newest.newer = stack;
    this.newest = stack;
    const frame = new Frame(stack, null, caller, null, null, op);
    if (this.measureLatency) frame.begin = process.hrtime.bigint();
    stack.top = frame;
    return frame;
  }

  /** Stacks not yet destroyed, oldest first. */
  get live(): CallStack[] {
    const stacks: CallStack[] = [];
    for (let s = this.newest; s !== null; s = s.older) stacks.push(s);
    return stacks.reverse();
  }

  /** Pending stacks and their frames, for a statedump. */
  dump(): object[] {
    return this.live.map((s) => s.dump());
  }
}

export const callPool = new CallPool();

export class CallStack {
  uid: number;
  gid: number;
  pid: number;
  groups: readonly number[];
  lkOwner: Buffer;
  /** MDATA_* flags and the time they refer to, set by features/utime. */
  flags = 0;
  ctimeSec = 0;
  ctimeNsec = 0;
  /** The last error an unwind reported, and which translator reported it. */
  error = 0;
  errorXlator: Xlator | null = null;
  /** Opaque state of the originator (the FUSE request, a syncop promise ...). */
  state: unknown = null;
  top!: Frame;
  /** Neighbours in the pool's list of live stacks (call_pool_t's all_frames). */
  older: CallStack | null = null;
  newer: CallStack | null = null;
  /** Frames wound on this stack, in a list through Frame.nextInStack (the first frame not included). */
  firstWound: Frame | null = null;
  lastWound: Frame | null = null;
  private destroyed = false;

  constructor(
    readonly pool: CallPool,
    readonly unique: number,
    credentials: Credentials,
    /** The fop of the top-level request. */
    public op: number,
  ) {
    this.uid = credentials.uid;
    this.gid = credentials.gid;
    this.pid = credentials.pid;
    this.groups = credentials.groups;
    this.lkOwner = credentials.lkOwner ?? EMPTY;
  }

  /** Frames wound on this stack, in winding order (the stack's first frame is `top`). */
  get frames(): Frame[] {
    const frames: Frame[] = [];
    for (let f = this.firstWound; f !== null; f = f.nextInStack) frames.push(f);
    return frames;
  }

  /** STACK_DESTROY: the originator is done with every frame of this stack. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.newer !== null) this.newer.older = this.older;
    else this.pool.newest = this.older;
    if (this.older !== null) this.older.newer = this.newer;
    this.older = null;
    this.newer = null;
  }

  dump(): object {
    return {
      unique: this.unique,
      op: this.op,
      uid: this.uid,
      gid: this.gid,
      pid: this.pid,
      frames: this.frames.map((f) => f.dump()),
    };
  }
}

const EMPTY = Buffer.alloc(0);
const stackLog = new Logger('stack');

export class Frame {
  complete = false;
  /** Translator-private state for this call (frame->local). */
  local: unknown = null;
  begin = 0n;
  end = 0n;
  /** The function that unwound this frame, for statedumps. */
  unwindFrom = '';
  /** The frame wound on the same stack after this one. */
  nextInStack: Frame | null = null;

  /** The translator executing this frame. */
  this: Xlator;

  constructor(
    readonly root: CallStack,
    readonly parent: Frame | null,
    xlator: Xlator,
    /** The parent's callback, called on unwind. */
    readonly ret: Function | null,
    public cookie: unknown,
    public op: number,
  ) {
    this.this = xlator;
  }

  /** STACK_WIND: a child frame for `child`, answering to `ret`. The cookie defaults to the frame. */
  windFrame(child: Xlator, op: number, ret: Function, cookie?: unknown): Frame {
    const frame = new Frame(this.root, this, child, ret, null, op);
    frame.cookie = cookie === undefined ? frame : cookie;
    const root = this.root;
    if (root.pool.measureLatency) frame.begin = process.hrtime.bigint();
    if (root.lastWound === null) root.firstWound = frame;
    else root.lastWound.nextInStack = frame;
    root.lastWound = frame;
    return frame;
  }

  /**
   * The bookkeeping of STACK_UNWIND before the callback runs. Returns false, after logging, when
   * the frame has already unwound: a translator that answers twice must not answer its caller twice.
   */
  beginUnwind(opRet: number, opErrno: number): boolean {
    if (this.complete) {
      stackLog.error(`${this.this.name} unwound ${fopLabel(this.op)} twice (stack ${this.root.unique}); the second answer is dropped`);
      return false;
    }
    this.complete = true;
    if (opRet < 0) {
      if (opErrno !== this.root.error) {
        this.root.error = opErrno;
        this.root.errorXlator = this.this;
      }
    } else if (opRet === 0) {
      this.root.error = 0;
      this.root.errorXlator = null;
    }
    if (this.root.pool.measureLatency) {
      this.end = process.hrtime.bigint();
      if (this.parent !== null && this.parent.ret === null) this.parent.end = this.end;
    }
    return true;
  }

  /** Latency of this hop in nanoseconds, when latency measurement was on. */
  get latency(): bigint {
    return this.begin !== 0n && this.end !== 0n ? this.end - this.begin : 0n;
  }

  get windFrom(): string {
    return this.parent?.this.name ?? '';
  }
  get windTo(): string {
    return `${this.this.name}.${fopLabel(this.op)}`;
  }
  get unwindTo(): string {
    return this.ret?.name ?? '';
  }

  dump(): object {
    return {
      translator: this.this.name,
      op: fopLabel(this.op),
      complete: this.complete,
      windFrom: this.windFrom,
      windTo: this.windTo,
      unwindTo: this.unwindTo,
    };
  }
}

/** Fop names for messages; filled by the generated fop table at load (the runtime has no list). */
export const fopNamesByNumber: string[] = [];
export function fopLabel(op: number): string {
  return fopNamesByNumber[op] ?? `fop#${op}`;
}

/** Log line for a translator whose fop or callback threw, then let the caller fail the call. */
export function reportThrow(xlator: Xlator, what: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  xlator.log.error(`${what} threw; failing that call with EIO: ${detail}`);
}

export function describeError(opRet: number, opErrno: number): string {
  return opRet < 0 ? `${opRet} (${errnoName(opErrno)})` : String(opRet);
}

// Wall-clock nanoseconds: Date.now() anchors the epoch, hrtime supplies the precision.
const wallClockBase = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Stamp the call stack with the current time (what features/utime sends as the fop's time). */
export function stampNow(frame: Frame): void {
  const now = wallClockBase + process.hrtime.bigint();
  frame.root.ctimeSec = Number(now / 1_000_000_000n);
  frame.root.ctimeNsec = Number(now % 1_000_000_000n);
}
