// SunRPC over one TCP connection, as GlusterFS speaks it (rpc-clnt.c, socket.c): each message is a
// single record-marked fragment; calls carry an xid and are matched to replies in any order; the
// brick may also send calls of its own (callbacks: CHILD_UP, CHILD_DOWN, upcalls), which take no
// reply. Calls that wait longer than the frame timeout fail; when nothing comes back for
// ping-timeout while calls wait, a PING is sent, and a connection that does not answer it either is
// given up. Losing the connection fails every waiting call with ENOTCONN. A call that fails short of
// its program's answer (lost, timed out, refused by the RPC layer) reports ENOTCONN, whatever the
// reason: GlusterFS's rpc-clnt marks all of them rpc_status -1, which its fops turn into ENOTCONN,
// and applications see the same errno through either client. The reason is in the message.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { noteActivity } from '../busy-poll.js';
import { Errno } from '../errno.js';
import { Iobref } from '../iobref.js';
import { writeNonBlocking } from '../sys/libc.js';
import { XdrReader, XdrWriter } from './xdr.js';

export const AuthFlavor = { NULL: 0, GLUSTERFS_V2: 390039, GLUSTERFS_V3: 390040 } as const;

/** Who makes a call, sent in the credential (auth_glusterfs_params_v3). */
export interface RpcCredential {
  pid: number;
  uid: number;
  gid: number;
  groups: readonly number[];
  lkOwner: Buffer;
  /** features/utime's MDATA_* flags and time. */
  flags: number;
  ctimeSec: number;
  ctimeNsec: number;
}

export interface RpcProgramId {
  number: number;
  version: number;
}

/** A call that failed before the program answered: transport, timeout or RPC-level rejection. */
export class RpcError extends Error {
  constructor(
    message: string,
    /** The errno a fop reports for it. */
    readonly errno: number,
    /** The connection is gone (said once, by the disconnect), rather than this call alone failing. */
    readonly connectionLost = false,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/**
 * The reply to a call, or why there is none. A pooled record (4 KiB to 1 MiB + 16 KiB) comes with
 * `iobref`: its buffer goes back to the connection's pool when the callback returns, so whoever
 * keeps any of it past that (a vector of READ data, say) must iobref.ref() it, and unref() when done.
 */
export type ReplyCallback = (error: RpcError | null, reply: XdrReader | null, iobref?: Iobref) => void;

export interface Pending {
  xid: number;
  cb: ReplyCallback;
  /** The connection's clock (whole seconds) when the call went out. */
  sentAt: number;
  what: string;
}

/**
 * Calls waiting for their replies, by xid. Xids are handed out in order, so a call nearly always
 * finds its slot (xid modulo the size) free: a slot array, with a map only for the rare call whose
 * slot is still taken by a call that old. A map alone, with an entry added and removed per call,
 * reallocated its table every few calls.
 */
const PENDING_SLOTS = 1024;
export class PendingCalls {
  private readonly slots: (Pending | null)[] = new Array<Pending | null>(PENDING_SLOTS).fill(null);
  private readonly overflow = new Map<number, Pending>();
  size = 0;

  add(p: Pending): void {
    const i = p.xid & (PENDING_SLOTS - 1);
    if (this.slots[i] === null) this.slots[i] = p;
    else this.overflow.set(p.xid, p);
    this.size++;
  }

  /** The call `xid` is answered: take it out (undefined if it is not waiting). */
  take(xid: number): Pending | undefined {
    const i = xid & (PENDING_SLOTS - 1);
    const p = this.slots[i];
    if (p != null && p.xid === xid) {
      this.slots[i] = null;
      this.size--;
      return p;
    }
    const o = this.overflow.get(xid);
    if (o !== undefined) {
      this.overflow.delete(xid);
      this.size--;
    }
    return o;
  }

  /** Take every waiting call out (the connection is gone), in no particular order. */
  takeAll(): Pending[] {
    const out = this.all();
    this.slots.fill(null);
    this.overflow.clear();
    this.size = 0;
    return out;
  }

  /** Every waiting call, in no particular order. */
  all(): Pending[] {
    const out: Pending[] = [...this.overflow.values()];
    if (this.size > out.length) for (const p of this.slots) if (p !== null) out.push(p);
    return out;
  }
}

const MSG_CALL = 0;
const MSG_REPLY = 1;
const ACCEPT_REASONS = ['success', 'program unavailable', 'program version mismatch', 'procedure unavailable', 'garbage arguments', 'system error'];
const MAX_RECORD = 64 << 20;
/**
 * Records of 4 KiB and more (READ replies, mostly) land in buffers that are used again, in two
 * sizes: a fresh megabyte per READ made the garbage collector run full collections all through a
 * sequential read, and a fresh 4 KiB one per random read cost a malloc, a free and a backing store
 * (smaller records come from Node's shared slab).
 */
const RECORD_POOLS = [
  { min: 4 << 10, size: 64 << 10, keep: 16 },
  { min: 64 << 10, size: (1 << 20) + (16 << 10), keep: 8 },
] as const;
/** Below this much left to come, a record's tail is read into the shared buffer and copied. */
const DIRECT_READ_MIN = 16 << 10;

/** Room for a call's header and the arguments of most fops; the writer grows for more. */
const RECORD_GUESS = 512;
const writeRaw = (w: XdrWriter, bytes: Buffer): void => w.raw(bytes);

/** GF-DUMP's PING: the keep-alive the brick always answers. */
const PING = { program: { number: 123451501, version: 1 }, procedure: 2 };

export interface RpcConnectionOptions {
  host: string;
  port: number;
  family?: 4 | 6;
  /** Seconds a call may wait for its reply (0: for ever). */
  frameTimeout: number;
  /** Seconds of silence while calls wait before the connection is suspected (0: never). */
  pingTimeout: number;
}

export class RpcConnection extends EventEmitter<{ connect: []; disconnect: [reason: string]; serverCall: [program: number, procedure: number, body: XdrReader] }> {
  private socket: Socket | null = null;
  private nextXid = 1;
  private readonly pending = new PendingCalls();
  // Record assembly (receive): the record mark when a read splits it, the fragment being filled,
  // and the fragments of a record not yet complete.
  private readonly readBuffer = Buffer.allocUnsafe(1 << 20);
  private readonly mark = Buffer.alloc(4);
  private markHave = 0;
  private partial: Buffer | null = null;
  private partialHave = 0;
  /** The pooled buffer `partial` is a view of, if it is one. */
  private partialPooled: Buffer | null = null;
  /** The view of `partial` handed out for the next read, if it was. */
  private direct: Buffer | null = null;
  /** Spare record buffers, one list per RECORD_POOLS entry. */
  private readonly recordPools: Buffer[][] = RECORD_POOLS.map(() => []);
  private lastFragment = false;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  /**
   * Seconds counted by the sweep: frame-timeout and ping-timeout are whole seconds, and reading the
   * time on every call and every reply cost more than the timeouts need. A deadline of N seconds
   * is met after N to N+1 seconds.
   */
  private clock = 0;
  private heardAt = 0;
  /** When the outstanding PING went out, or -1. */
  private pingSentAt = -1;
  private timer: NodeJS.Timeout | null = null;
  /** The socket's file descriptor while connected, or -1. */
  private fd = -1;
  connected = false;

  constructor(readonly options: RpcConnectionOptions) {
    super();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Bytes of calls waiting in the socket for the kernel to take them (a peer slow to read). */
  get queuedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Open the TCP connection; resolves once connected, rejects with the socket's error. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      // Reads land in one large buffer of ours (a 128 KiB READ reply in one read, not three 64 KiB
      // ones); receive() copies out what it keeps, as the buffer is read into again.
      const socket = connect({
        host: this.options.host,
        port: this.options.port,
        family: this.options.family,
        onread: { buffer: () => this.readTarget(), callback: (n: number, buf: Uint8Array) => (this.receive(buf as Buffer, n), true) },
      });
      socket.setNoDelay(true);
      this.socket = socket;
      let settled = false;
      socket.once('connect', () => {
        settled = true;
        // The descriptor under the stream, for send(); -1 (always socket.write) where there is none.
        const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
        this.fd = typeof fd === 'number' && fd >= 0 ? fd : -1;
        this.connected = true;
        this.heardAt = this.clock;
        this.timer = setInterval(() => this.sweep(), 1000);
        this.timer.unref();
        this.emit('connect');
        resolve();
      });
      const failOpen = (why: string) => {
        if (settled) return;
        settled = true;
        // Node's own messages name the address already ("connect ECONNREFUSED 127.0.0.1:49152").
        const where = `${this.options.host}:${this.options.port}`;
        reject(new RpcError(why.includes(where) ? why : `${where}: ${why}`, Errno.ENOTCONN, true));
      };
      socket.on('error', (e) => {
        failOpen(e.message);
        this.close(e.message);
      });
      socket.on('close', () => {
        // Closed before it connected (close() while connecting): the open fails too.
        failOpen('closed before it connected');
        this.close('connection closed by the peer');
      });
    });
  }

  /** Drop the connection and fail every waiting call with ENOTCONN. */
  close(reason = 'closed'): void {
    if (this.socket === null) return;
    const socket = this.socket;
    this.socket = null;
    this.fd = -1;
    const wasConnected = this.connected;
    this.connected = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    socket.destroy();
    this.markHave = 0;
    this.partial = null;
    this.direct = null;
    this.partialPooled = null;
    this.fragments = [];
    this.fragmentBytes = 0;
    const failed = this.pending.takeAll();
    for (const p of failed) p.cb(new RpcError(`${p.what}: ${reason}`, Errno.ENOTCONN, true), null);
    if (wasConnected) this.emit('disconnect', reason);
  }

  /**
   * Send one call. `args` is the XDR-encoded procedure arguments; `payload` (WRITE data) follows
   * them raw in the same record, without a copy.
   */
  call(program: RpcProgramId, procedure: number, credential: RpcCredential | null, args: Buffer, payload: readonly Buffer[] | null, cb: ReplyCallback, what = `program ${program.number} procedure ${procedure}`): void {
    this.callEncoding(program, procedure, credential, writeRaw, args, payload, cb, what);
  }

  /**
   * Send one call whose arguments `encode` writes straight into the record, behind the header:
   * one buffer per call, no encoding elsewhere and copying over.
   */
  callEncoding<T>(program: RpcProgramId, procedure: number, credential: RpcCredential | null, encode: (w: XdrWriter, args: T) => void, args: T, payload: readonly Buffer[] | null, cb: ReplyCallback, what: string): void {
    const socket = this.socket;
    if (socket === null || !this.connected) {
      cb(new RpcError(`${what}: not connected`, Errno.ENOTCONN, true), null);
      return;
    }
    const xid = this.nextXid;
    this.nextXid = (this.nextXid + 1) >>> 0 || 1;
    const w = new XdrWriter(RECORD_GUESS + (credential?.groups.length ?? 0) * 4);
    w.u32(0); // record mark, filled below
    w.u32(xid);
    w.u32(MSG_CALL);
    w.u32(2);
    w.u32(program.number);
    w.u32(program.version);
    w.u32(procedure);
    if (credential === null) {
      w.u32(AuthFlavor.NULL);
      w.u32(0);
    } else {
      w.u32(AuthFlavor.GLUSTERFS_V3);
      const lengthAt = w.length;
      w.u32(0);
      encodeCredential(w, credential);
      w.setU32(lengthAt, w.length - lengthAt - 4);
    }
    w.u32(0); // verifier: AUTH_NONE
    w.u32(0);
    encode(w, args);
    const head = w.finish();
    this.pending.add({ xid, cb, sentAt: this.clock, what });
    // Header and arguments go out as one buffer in one write; only WRITE data (the payload) is
    // passed on as it is, behind them, so that it is never copied.
    if (payload === null) {
      head.writeUInt32BE((0x80000000 | (head.length - 4)) >>> 0, 0);
      this.send(socket, head);
      return;
    }
    let length = head.length - 4;
    for (const p of payload) length += p.length;
    head.writeUInt32BE((0x80000000 | length) >>> 0, 0);
    socket.cork();
    socket.write(head);
    for (const p of payload) socket.write(p);
    socket.uncork();
  }

  /**
   * One record out. When nothing is queued in the socket, it goes straight to the kernel with one
   * write(2): a call is a few hundred bytes, which the socket buffer nearly always takes whole, and
   * the stream machinery around socket.write cost more than the system call. Whatever the kernel
   * does not take (a full buffer, an error) goes through socket.write, which queues it behind
   * nothing and reports errors as always; once anything is queued, everything queues behind it.
   * A destroyed or ended socket may have closed its descriptor already (and the number may belong
   * to another file by now): only a live, writable one is written to directly.
   */
  private send(socket: Socket, record: Buffer): void {
    const fd = this.fd;
    if (fd >= 0 && socket.writableLength === 0 && socket.writable && !socket.destroyed) {
      const n = writeNonBlocking(fd, record);
      if (n === record.length) return;
      if (n > 0) record = record.subarray(n);
    }
    socket.write(record);
  }

  /**
   * Record marking, assembled as the bytes come: a fragment that a read holds whole is copied out of
   * the shared read buffer; one spread over reads gets a buffer of its own size (from the pool when
   * it is READ-sized), the first piece is copied into it and the rest is read straight into it
   * (readTarget). Gathering the reads and concatenating them later copied every byte again and again
   * while a large READ reply trickled in.
   */
  private receive(data: Buffer, length = data.length): void {
    noteActivity();
    this.heardAt = this.clock;
    this.pingSentAt = -1;
    if (data === this.direct && this.partial !== null) {
      // Read in place: the bytes are already where they belong.
      this.direct = null;
      this.partialHave += length;
      if (this.partialHave === this.partial.length) this.partialDone();
      return;
    }
    let at = 0;
    while (at < length) {
      if (this.partial === null) {
        let mark: number;
        if (this.markHave === 0 && length - at >= 4) {
          mark = data.readUInt32BE(at);
          at += 4;
        } else {
          const n = Math.min(4 - this.markHave, length - at);
          data.copy(this.mark, this.markHave, at, at + n);
          this.markHave += n;
          at += n;
          if (this.markHave < 4) return;
          this.markHave = 0;
          mark = this.mark.readUInt32BE(0);
        }
        const size = mark & 0x7fffffff;
        this.lastFragment = (mark & 0x80000000) !== 0;
        if (size + this.fragmentBytes > MAX_RECORD) {
          this.close(`a record of ${size + this.fragmentBytes} bytes is beyond any reply we asked for`);
          return;
        }
        const pooled = this.lastFragment && this.fragments.length === 0 ? this.takePooled(size) : null;
        if (length - at >= size) {
          // A copy: the read buffer is read into again once we return.
          const whole = pooled?.subarray(0, size) ?? Buffer.allocUnsafe(size);
          data.copy(whole, 0, at, at + size);
          at += size;
          if (!this.fragmentDone(whole, pooled)) return;
          continue;
        }
        this.partial = pooled?.subarray(0, size) ?? Buffer.allocUnsafeSlow(size);
        this.partialPooled = pooled;
        this.partialHave = 0;
      }
      const n = Math.min(this.partial.length - this.partialHave, length - at);
      data.copy(this.partial, this.partialHave, at, at + n);
      this.partialHave += n;
      at += n;
      if (this.partialHave < this.partial.length) return;
      if (!this.partialDone()) return;
    }
  }

  /** The fragment being assembled is whole: hand it on (false once the connection is gone). */
  private partialDone(): boolean {
    const filled = this.partial!;
    const pooled = this.partialPooled;
    this.partial = null;
    this.partialPooled = null;
    return this.fragmentDone(filled, pooled);
  }

  /**
   * Where the next read goes: straight into the rest of a large record being assembled (no copy
   * of READ data in our hands), else the shared read buffer.
   */
  private readTarget(): Buffer {
    if (this.partial !== null && this.partial.length - this.partialHave >= DIRECT_READ_MIN) {
      this.direct = this.partial.subarray(this.partialHave);
      return this.direct;
    }
    this.direct = null;
    return this.readBuffer;
  }

  /** A pool buffer for a record of `size` bytes, or null when records that size are not pooled. */
  private takePooled(size: number): Buffer | null {
    for (let i = RECORD_POOLS.length - 1; i >= 0; i--) {
      const pool = RECORD_POOLS[i]!;
      if (size < pool.min) continue;
      if (size > pool.size) return null;
      return this.recordPools[i]!.pop() ?? Buffer.allocUnsafeSlow(pool.size);
    }
    return null;
  }

  private givePooled(buf: Buffer): void {
    const i = RECORD_POOLS.findIndex((p) => p.size === buf.length);
    const spare = this.recordPools[i];
    if (spare !== undefined && spare.length < RECORD_POOLS[i]!.keep) spare.push(buf);
  }

  /**
   * A fragment is complete; the last of a record dispatches it. False once the connection is gone.
   * `pooled` is the pool buffer a single-fragment record lies in: lent to the reply's reader through
   * an iobref, and taken back once no one holds it.
   */
  private fragmentDone(fragment: Buffer, pooled: Buffer | null = null): boolean {
    this.fragments.push(fragment);
    this.fragmentBytes += fragment.length;
    if (!this.lastFragment) return true;
    const record = this.fragments.length === 1 ? fragment : Buffer.concat(this.fragments);
    this.fragments = [];
    this.fragmentBytes = 0;
    const iobref = pooled === null ? undefined : new Iobref(() => this.givePooled(pooled)).add(record);
    try {
      this.dispatch(record, iobref);
    } catch (e) {
      // A malformed record from the peer: drop the connection rather than guess.
      this.close(`undecodable record: ${(e as Error).message}`);
      return false;
    } finally {
      iobref?.unref();
    }
    return this.socket !== null;
  }

  private dispatch(record: Buffer, iobref: Iobref | undefined): void {
    const r = new XdrReader(record);
    const xid = r.u32();
    const type = r.u32();
    if (type === MSG_CALL) {
      r.u32(); // rpc version
      const program = r.u32();
      r.u32(); // program version
      const procedure = r.u32();
      r.u32();
      r.skipOpaque(); // credential
      r.u32();
      r.skipOpaque(); // verifier
      this.emit('serverCall', program, procedure, r);
      return;
    }
    if (type !== MSG_REPLY) throw new Error(`message type ${type}`);
    const p = this.pending.take(xid);
    if (p === undefined) return; // answered after we gave up on it (timed out)
    const replyStat = r.u32();
    if (replyStat !== 0) {
      const reject = r.u32();
      p.cb(new RpcError(`${p.what}: call denied (${reject === 1 ? `auth error ${r.u32()}` : 'RPC version mismatch'})`, Errno.ENOTCONN), null);
      return;
    }
    r.u32();
    r.skipOpaque(); // verifier
    const accept = r.u32();
    if (accept !== 0) {
      p.cb(new RpcError(`${p.what}: ${ACCEPT_REASONS[accept] ?? `accept status ${accept}`}`, Errno.ENOTCONN), null);
      return;
    }
    p.cb(null, r, iobref);
  }

  /** Frame timeout and ping, once a second. */
  private sweep(): void {
    const now = ++this.clock;
    const { frameTimeout, pingTimeout } = this.options;
    if (frameTimeout > 0) {
      for (const p of this.pending.all()) {
        if (now - p.sentAt <= frameTimeout) continue;
        if (this.pending.take(p.xid) === undefined) continue; // failed by an earlier callback
        // GlusterFS's call_bail: the frame is given up, the connection is kept.
        p.cb(new RpcError(`${p.what}: no reply in ${frameTimeout} s (frame-timeout)`, Errno.ENOTCONN), null);
      }
    }
    if (pingTimeout > 0 && this.pending.size > 0 && now - this.heardAt > pingTimeout) {
      if (this.pingSentAt < 0) {
        this.pingSentAt = now;
        this.call(PING.program, PING.procedure, null, Buffer.alloc(0), null, () => {}, 'ping');
      } else if (now - this.pingSentAt > pingTimeout) {
        this.close(`no answer to a ping in ${pingTimeout} s (ping-timeout)`);
      }
    }
  }
}

/** AUTH_GLUSTERFS_V3's body, written in place (every field is whole 4-byte words: no padding). */
function encodeCredential(w: XdrWriter, c: RpcCredential): void {
  w.i32(c.pid);
  w.u32(c.uid >>> 0);
  w.u32(c.gid >>> 0);
  w.u32(c.flags);
  w.u32(c.ctimeNsec);
  w.u64(c.ctimeSec);
  // The brick takes at most 91 groups minus the owner's length; more would be cut there anyway.
  const count = Math.min(c.groups.length, Math.max(0, 80 - c.lkOwner.length));
  w.u32(count);
  for (let i = 0; i < count; i++) w.u32(c.groups[i]! >>> 0);
  if (c.lkOwner.length > 0) w.opaque(c.lkOwner);
  else {
    // GlusterFS's default owner: the pid's four bytes, little-endian.
    w.u32(4);
    w.u32(((c.pid & 0xff) << 24) | (((c.pid >>> 8) & 0xff) << 16) | (((c.pid >>> 16) & 0xff) << 8) | ((c.pid >>> 24) & 0xff));
  }
}
