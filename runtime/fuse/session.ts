// A FUSE connection spoken directly over /dev/fuse: reads requests, answers INIT, dispatches every
// other opcode through the generated table to FuseHandlers, and writes replies and notifications.
//
// Reading: by default the device is non-blocking and the event loop watches it (sys/fd-poller):
// when the kernel has requests, the main thread reads them itself, a batch at a time. Each request
// then costs one wake-up of this process. The alternative (reader-thread-count=N) parks N libuv
// pool threads in read(2); every request then wakes a pool thread, which hands it to the main
// thread and is replaced by the next read's submission: measured slower for every workload, kept
// for kernels or sandboxes where polling /dev/fuse is not possible. With N readers the pool must
// be larger than N, or other file I/O (posix!) stalls behind them; bin/xlfs sets
// UV_THREADPOOL_SIZE before anything uses the pool, and mount() refuses a count it cannot afford.
// Replies go out with one writev per reply, synchronously: the kernel copies and returns at once.
import { EventEmitter } from 'node:events';
import { closeSync, constants as fsConstants, openSync, read, writevSync } from 'node:fs';
import { constants } from 'node:os';
import {
  decodeFuseInitIn, encodeFuseInitOut, encodeFuseNotifyInvalEntryOut, encodeFuseNotifyInvalInodeOut, FUSE_INIT_OUT_SIZE,
  FUSE_KERNEL_MINOR_VERSION, FUSE_KERNEL_VERSION, FUSE_NOTIFY_INVAL_ENTRY_OUT_SIZE, FUSE_NOTIFY_INVAL_INODE_OUT_SIZE, FuseInitFlag, FuseOpcode,
} from '../../generated/fuse-abi.js';
import { decodeFuseHeader, FUSE_REQUEST_HEADER_SIZE, fuseOpcodeByNumber, type FuseHandlers } from '../../generated/fuse-opcodes.js';
import type { FuseInHeader } from '../../generated/fuse-abi.js';
import { noteActivity } from '../busy-poll.js';
import { errnoName, errnoOf } from '../errno.js';
import { Iobref } from '../iobref.js';
import { Logger } from '../log.js';
import { FdPoller } from '../sys/fd-poller.js';
import { readNonBlocking, writeNonBlocking } from '../sys/libc.js';
import { readU64, writeU64 } from './wire.js';
import { isFuseMounted, kernelMount, kernelUnmount, type KernelMountOptions, setReadAhead, startWatchdog } from './mount.js';

const log = new Logger('fuse');
const OUT_HEADER_SIZE = 16;
/** Requests up to this size are copied out of the reader's buffer rather than keeping it. */
const COPY_LIMIT = 128 * 1024;
const NOTIFY_INVAL_INODE = 2;
/** Requests read per readiness callback before the loop serves other events. */
const POLL_BATCH = 16;

function readUnique(message: Buffer): number {
  return readU64(message, 8);
}
const NOTIFY_INVAL_ENTRY = 3;

export interface FuseSessionOptions extends KernelMountOptions {
  /** Largest WRITE the kernel may send (and READ it may ask for): up to 1 MiB. */
  maxWrite: number;
  /** Pool threads parked in read(2) on the device; 0: the event loop reads it when it is readable. */
  readers: number;
  /** The kernel's read-ahead for this mount, in KiB (0: leave the kernel's 128 KiB). */
  readAheadKb: number;
  writebackCache: boolean;
  autoInvalData: boolean;
  watchdog: boolean;
}

export const defaultSessionOptions: FuseSessionOptions = {
  fsname: 'xlfs',
  subtype: 'xlfs',
  allowOther: true,
  defaultPermissions: true,
  readOnly: false,
  maxRead: 1 << 20,
  maxWrite: 1 << 20,
  readers: 0,
  readAheadKb: 1024,
  writebackCache: false,
  autoInvalData: true,
  watchdog: true,
};

export interface Negotiated {
  major: number;
  minor: number;
  flags: number;
  maxWrite: number;
  maxPages: number;
}

/** Where a FUSE handler's reply goes: the kernel (FuseSession), or a transport adapter. */
export interface FuseReplySink {
  replyBuffer(bodySize: number): Buffer;
  send(unique: number, reply: Buffer): void;
  sendData(unique: number, buffers: readonly Buffer[]): void;
  replyEmpty(unique: number): void;
  replyError(unique: number, errno: number): void;
  /** The data of a WRITE being served, when the transport lends it (see Iobref). */
  iobrefOf?(unique: number): Iobref | null;
  /** What INIT agreed with the kernel; null before INIT, or for a transport that does not say. */
  readonly negotiated?: Negotiated | null;
}

export class FuseSession extends EventEmitter implements FuseReplySink {
  private closed = false;
  private initialized = false;
  negotiated: Negotiated | null = null;
  /** Requests read and not yet answered, by unique (INTERRUPT looks them up). */
  readonly pending = new Set<number>();
  private readonly bufferSize: number;
  /**
   * The data of each WRITE not yet answered, by request id. A large one keeps the read buffer it
   * arrived in, which comes back to the spares once the reply is written and every translator
   * holding the data (write-behind) has let go.
   */
  private readonly lent = new Map<number, Iobref>();
  private readonly spare: Buffer[] = [];
  private poller: FdPoller | null = null;

  private constructor(
    readonly fd: number,
    readonly mountpoint: string,
    readonly options: FuseSessionOptions,
    readonly handlers: FuseHandlers,
  ) {
    super();
    this.bufferSize = Math.max(8192, options.maxWrite + 4096);
  }

  static async mount(mountpoint: string, handlers: FuseHandlers, options: Partial<FuseSessionOptions> = {}): Promise<FuseSession> {
    const o = { ...defaultSessionOptions, ...options };
    if (o.readers === 0 && !FdPoller.supported()) {
      log.warning('this node binary does not export libuv: reading /dev/fuse with 2 pool threads instead of the event loop');
      o.readers = 2;
    }
    const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    if (o.readers >= pool) throw new Error(`${o.readers} FUSE readers need UV_THREADPOOL_SIZE above ${o.readers} (it is ${pool}); file I/O would stall`);
    const fd = openSync('/dev/fuse', o.readers === 0 ? fsConstants.O_RDWR | fsConstants.O_NONBLOCK : fsConstants.O_RDWR);
    const session = new FuseSession(fd, mountpoint, o, handlers);
    try {
      await kernelMount(fd, mountpoint, { ...o, maxRead: o.maxWrite });
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    if (o.watchdog) startWatchdog(mountpoint);
    if (o.readAheadKb > 0) {
      void session.ready().then(() => {
        try {
          setReadAhead(mountpoint, o.readAheadKb);
        } catch (e) {
          log.warning(`read-ahead stays at the kernel's default: ${(e as Error).message}`);
        }
      }, () => {});
    }
    if (o.readers === 0) session.startPolling();
    for (let i = 0; i < o.readers; i++) session.readLoop(session.takeBuffer());
    return session;
  }

  /**
   * A read buffer: a spare one, or a new one. Reusing them matters: a fresh 1 MiB buffer per write
   * costs page faults and garbage collection at every request.
   */
  private takeBuffer(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.bufferSize);
  }

  /** Resolves when INIT has been answered (the mount is usable). */
  ready(): Promise<void> {
    if (this.initialized) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.once('init', resolve);
      this.once('closed', () => reject(new Error('the FUSE connection closed before INIT')));
    });
  }

  /** Pool reading: one fs.read() parked on a libuv pool thread per reader. */
  private readLoop(buf: Buffer): void {
    if (this.closed) return;
    read(this.fd, buf, 0, buf.length, null, (err, n) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // ENOENT: the request was interrupted before we read it. EINTR/EAGAIN: just again.
        if (code === 'ENOENT' || code === 'EINTR' || code === 'EAGAIN') return this.readLoop(buf);
        if (code !== 'ENODEV') log.error(`reading /dev/fuse: ${err.message}`);
        return this.close();
      }
      this.readLoop(this.received(buf, n));
    });
  }

  /**
   * Loop reading: the device is non-blocking and watched by the event loop; when it is readable,
   * requests are read here on the main thread. One program doing one thing after another (ls,
   * cp, a metadata loop) has one request out at a time: after reading it, a second read would only
   * come back with EAGAIN, a system call per request for nothing, so one is read and the loop
   * (level-triggered) calls again if more came. When requests were already waiting for replies as
   * this one arrived, the mount is busy with several callers: then the device is read until it is
   * empty (at most a batch, so replies from the bricks get their turn).
   */
  private startPolling(): void {
    let buf = this.takeBuffer();
    this.poller = new FdPoller(this.fd, () => {
      const busy = this.pending.size > 0;
      for (let i = 0; i < POLL_BATCH && !this.closed; i++) {
        const n = readNonBlocking(this.fd, buf);
        if (n >= 0) {
          buf = this.received(buf, n);
          if (!busy) return;
          continue;
        }
        const errno = -n;
        if (errno === constants.errno.EAGAIN) return;
        if (errno === constants.errno.ENOENT || errno === constants.errno.EINTR) continue;
        if (errno !== constants.errno.ENODEV) log.error(`reading /dev/fuse: errno ${errno}`);
        return this.close();
      }
    });
  }

  /** A request of `n` bytes was read into `buf`: dispatch it; returns the buffer to read into next. */
  private received(buf: Buffer, n: number): Buffer {
    noteActivity();
    // Translators may hold a WRITE's data after the reply (write-behind), so it must not live in
    // the buffer the next read overwrites: a small payload is copied out, a large one keeps this
    // buffer and the reader takes a fresh one (no 1 MiB allocation per small write).
    const opcode = buf.readUInt32LE(4);
    const carriesData = opcode === FuseOpcode.WRITE || opcode === FuseOpcode.SETXATTR || opcode === FuseOpcode.IOCTL;
    let message = buf.subarray(0, n);
    let next = buf;
    if (carriesData) {
      if (n <= COPY_LIMIT) {
        // A copy of its own: nobody reuses it, so holders need not copy it again.
        message = Buffer.from(message);
        if (opcode === FuseOpcode.WRITE) this.lent.set(readUnique(buf), Iobref.unshared(message));
      } else {
        const lentBuffer = buf;
        this.lent.set(readUnique(buf), new Iobref(() => this.spare.length < 8 && this.spare.push(lentBuffer)).add(buf));
        next = this.takeBuffer();
      }
    }
    try {
      this.dispatch(message);
    } catch (e) {
      log.error(`request dispatch failed: ${(e as Error).stack ?? e}`);
    }
    return next;
  }

  private dispatch(message: Buffer): void {
    const header = decodeFuseHeader(message);
    const body = message.subarray(FUSE_REQUEST_HEADER_SIZE, header.len);
    if (header.opcode === FuseOpcode.INIT) return this.init(header, body);
    const info = fuseOpcodeByNumber[header.opcode];
    if (info === undefined) return this.replyError(header.unique, constants.errno.ENOSYS);
    if (info.reply !== 'none') this.pending.add(header.unique);
    try {
      if (!info.dispatch(this.handlers, header, body) && info.reply !== 'none') this.replyError(header.unique, constants.errno.ENOSYS);
    } catch (e) {
      log.error(`FUSE_${info.name} handler threw: ${(e as Error).stack ?? e}`);
      if (info.reply !== 'none' && this.pending.has(header.unique)) this.replyError(header.unique, constants.errno.EIO);
    }
    if (header.opcode === FuseOpcode.DESTROY) this.emit('destroy');
  }

  private init(header: FuseInHeader, body: Buffer): void {
    const kernel = decodeFuseInitIn(body, 0);
    if (kernel.major !== FUSE_KERNEL_VERSION) {
      log.error(`kernel speaks FUSE ${kernel.major}.${kernel.minor}; only ${FUSE_KERNEL_VERSION}.x is supported`);
      return this.replyError(header.unique, constants.errno.EPROTO);
    }
    const o = this.options;
    const F = FuseInitFlag;
    let wanted = F.ASYNC_READ | F.POSIX_LOCKS | F.BIG_WRITES | F.DONT_MASK | F.FLOCK_LOCKS | F.DO_READDIRPLUS | F.READDIRPLUS_AUTO |
      F.ASYNC_DIO | F.PARALLEL_DIROPS | F.MAX_PAGES;
    if (o.autoInvalData) wanted |= F.AUTO_INVAL_DATA;
    if (o.writebackCache) wanted |= F.WRITEBACK_CACHE;
    const flags = (kernel.flags & wanted) >>> 0;
    const maxPages = Math.ceil(o.maxWrite / 4096);
    const reply = this.replyBuffer(FUSE_INIT_OUT_SIZE);
    encodeFuseInitOut(reply, OUT_HEADER_SIZE, {
      major: FUSE_KERNEL_VERSION,
      minor: Math.min(kernel.minor, FUSE_KERNEL_MINOR_VERSION),
      maxReadahead: kernel.maxReadahead,
      flags,
      maxBackground: 64,
      congestionThreshold: 48,
      maxWrite: o.maxWrite,
      timeGran: 1,
      maxPages,
      mapAlignment: 0,
      flags2: 0,
    });
    this.negotiated = { major: FUSE_KERNEL_VERSION, minor: Math.min(kernel.minor, FUSE_KERNEL_MINOR_VERSION), flags, maxWrite: o.maxWrite, maxPages };
    this.send(header.unique, reply);
    log.info(`FUSE inited: kernel ${kernel.major}.${kernel.minor}, using ${this.negotiated.major}.${this.negotiated.minor}, flags 0x${flags.toString(16)}, max_write ${o.maxWrite}`);
    this.initialized = true;
    this.emit('init', this.negotiated);
  }

  /** The data of a WRITE being served, for translators that hold it past the reply. */
  iobrefOf(unique: number): Iobref | null {
    return this.lent.get(unique) ?? null;
  }

  // ---- replies

  /** A reply buffer with room for the out header and `bodySize` bytes (zeroed). */
  replyBuffer(bodySize: number): Buffer {
    // From Node's shared slab, zeroed by hand: Buffer.alloc gives each small reply an allocation
    // of its own.
    return Buffer.allocUnsafe(OUT_HEADER_SIZE + bodySize).fill(0);
  }

  /** Send a reply built in replyBuffer(): fills in the out header. */
  send(unique: number, reply: Buffer): void {
    reply.writeUInt32LE(reply.length, 0);
    reply.writeInt32LE(0, 4);
    writeU64(reply, 8, unique);
    this.write(unique, [reply]);
  }

  /** Reply with data buffers after the header (READ, READDIR, GETXATTR ...). */
  sendData(unique: number, buffers: readonly Buffer[]): void {
    const header = Buffer.allocUnsafe(OUT_HEADER_SIZE);
    let len = OUT_HEADER_SIZE;
    for (const b of buffers) len += b.length;
    header.writeUInt32LE(len, 0);
    header.writeInt32LE(0, 4);
    writeU64(header, 8, unique);
    this.write(unique, [header, ...buffers]);
  }

  replyEmpty(unique: number): void {
    this.send(unique, this.replyBuffer(0));
  }

  replyError(unique: number, errno: number): void {
    const header = Buffer.allocUnsafe(OUT_HEADER_SIZE);
    header.writeUInt32LE(OUT_HEADER_SIZE, 0);
    header.writeInt32LE(-Math.abs(errno || constants.errno.EIO), 4);
    writeU64(header, 8, unique);
    this.write(unique, [header]);
  }

  private write(unique: number, buffers: Buffer[]): void {
    this.pending.delete(unique);
    const lent = this.lent.get(unique);
    if (lent !== undefined) {
      // The request is answered: our reference to its data goes.
      this.lent.delete(unique);
      lent.unref();
    }
    if (this.closed) return;
    if (buffers.length === 1) {
      // Most replies are one buffer: one write(2) through koffi, as the device is read. Two
      // one-CPU A/Bs of the metadata loop gave it +3.4 % and +3.5 % over fs.writevSync, though a
      // microbenchmark puts the two calls level (bench/RESULTS.md, 2026-12-02).
      const n = writeNonBlocking(this.fd, buffers[0]!);
      if (n < 0) this.writeFailed(-n);
      return;
    }
    try {
      writevSync(this.fd, buffers);
    } catch (e) {
      this.writeFailed(errnoOf(e));
    }
  }

  private writeFailed(errno: number): void {
    // ENOENT: the kernel no longer waits for this request (interrupted). ENODEV: unmounted.
    if (errno === constants.errno.ENOENT) return;
    if (errno === constants.errno.ENODEV) return this.close();
    log.error(`writing a reply to /dev/fuse: ${errnoName(errno)}`);
  }

  // ---- notifications (the kernel drops what it caches about an inode or a name)

  notifyInvalInode(nodeid: number, offset = 0, length = 0): void {
    const buf = Buffer.alloc(OUT_HEADER_SIZE + FUSE_NOTIFY_INVAL_INODE_OUT_SIZE);
    encodeFuseNotifyInvalInodeOut(buf, OUT_HEADER_SIZE, { ino: nodeid, off: offset, len: length });
    this.notify(NOTIFY_INVAL_INODE, [buf]);
  }

  notifyInvalEntry(parent: number, name: string): void {
    const nameBuf = Buffer.from(name + '\0');
    const buf = Buffer.alloc(OUT_HEADER_SIZE + FUSE_NOTIFY_INVAL_ENTRY_OUT_SIZE);
    encodeFuseNotifyInvalEntryOut(buf, OUT_HEADER_SIZE, { parent, namelen: nameBuf.length - 1, flags: 0 });
    this.notify(NOTIFY_INVAL_ENTRY, [buf, nameBuf]);
  }

  private notify(code: number, buffers: Buffer[]): void {
    if (this.closed || !this.initialized) return;
    const len = buffers.reduce((n, b) => n + b.length, 0);
    buffers[0]!.writeUInt32LE(len, 0);
    buffers[0]!.writeInt32LE(code, 4);
    writeU64(buffers[0]!, 8, 0);
    try {
      writevSync(this.fd, buffers);
    } catch (e) {
      // ENOENT: the kernel knows nothing to invalidate. Anything else is worth a line.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warning(`FUSE notify ${code}: ${(e as Error).message}`);
    }
  }

  // ---- teardown

  /** Unmount (the kernel then ends the connection and the readers stop). */
  async unmount(): Promise<void> {
    await kernelUnmount(this.mountpoint);
    if (!this.closed) {
      // The readers see ENODEV shortly; do not wait for them.
      setTimeout(() => this.close(), 50).unref();
    }
  }

  get isMounted(): boolean {
    return !this.closed && isFuseMounted(this.mountpoint);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poller?.close();
    this.poller = null;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.emit('closed');
  }
}
