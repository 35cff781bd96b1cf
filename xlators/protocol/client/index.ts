// protocol/client: a leaf that sends every fop to one real GlusterFS brick (an unmodified
// glusterfsd) over GlusterFS's own wire protocol, as GlusterFS's protocol/client does. It connects
// (through glusterd's portmapper when no remote-port is given), does the DUMP/SETVOLUME handshake,
// announces CHILD_UP, and from then on turns fops into calls of the GlusterFS 4.x program and
// replies back into unwinds. A lost brick fails the calls in flight with ENOTCONN, announces
// CHILD_DOWN and is reconnected with backoff; open fds are re-opened on the new connection. A
// brick that cannot be reached at start is announced CHILD_DOWN too, and tried again the same way.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { FopReturn } from '../../../generated/fop-types.js';
import { GlusterFopProgram } from '../../../generated/rpc-xdr.js';
import type { Dict } from '../../../runtime/dict.js';
import { Errno } from '../../../runtime/errno.js';
import type { Fd } from '../../../runtime/fd.js';
import type { Iatt } from '../../../runtime/iatt.js';
import type { Iobref } from '../../../runtime/iobref.js';
import type { Loc } from '../../../runtime/loc.js';
import type { Flock, Lease, LockMigrationInfo } from '../../../runtime/lock.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { RpcConnection, RpcCredential } from '../../../runtime/rpc/connection.js';
import type { XdrReader, XdrWriter } from '../../../runtime/rpc/xdr.js';
import type { Frame } from '../../../runtime/stack.js';
import { XlatorEvent } from '../../../runtime/xlator.js';
import * as fops from './fops.js';
import { connectToBrick, HandshakeError } from './handshake.js';

type Procedures = typeof GlusterFopProgram.procedures;
export type FopProcedure = keyof Procedures;
export type FopRequest<P extends FopProcedure> = Parameters<Procedures[P]['encodeRequest']>[1];
export type FopReply<P extends FopProcedure> = ReturnType<Procedures[P]['decodeReply']>;

/** What this client knows of an fd: the brick's number for it, and how to open it again. */
export interface RemoteFd {
  remote: number;
  gfid: string;
  flags: number;
  directory: boolean;
  /** Directory offsets: the brick's d_off values are 64-bit; ours index this list. */
  offsets: bigint[];
}

/** GlusterFS's anonymous fd: the brick opens the gfid itself. */
export const ANONYMOUS_FD = -2;
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 3000;

export class ProtocolClient extends DefaultXlator {
  static override readonly description = 'Sends fops to one GlusterFS brick over its wire protocol (GlusterFS protocol/client).';
  static override readonly options = [
    { key: 'remote-host', type: 'internet-address', description: 'Address of the brick (or of glusterd, which names the brick port).' },
    { key: 'remote-port', type: 'int', min: 1, max: 65535, description: "The brick's port; when absent, glusterd's portmapper on 24007 is asked by remote-subvolume." },
    { key: 'remote-subvolume', type: 'any', description: "The brick's name: its top translator, the brick path for glusterd-made volumes." },
    { key: 'transport-type', type: 'str', default: 'tcp', values: ['tcp', 'socket'], description: 'Only TCP is spoken.' },
    { key: 'transport.address-family', type: 'str', default: 'inet', values: ['inet', 'inet6'], description: 'IPv4 or IPv6.' },
    { key: 'ping-timeout', type: 'time', default: '42', min: 0, max: 1013, description: 'Seconds of silence, while calls wait, after which the brick is pinged and, still silent, dropped.' },
    { key: 'frame-timeout', aliases: ['rpc-timeout'], type: 'time', default: '1800', min: 0, max: 86400, description: 'Seconds a call may wait for its reply before it fails.' },
    { key: 'send-gids', type: 'bool', default: 'on', description: "Send the caller's supplementary groups." },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof ProtocolClient.options>;
  static readonly subvolumes = { min: 0, max: 0 };

  private conn: RpcConnection | null = null;
  private up = false;
  private stopping = false;
  private reconnects = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly openFds = new Set<Fd>();
  lastError = '';
  /** The handshake step under way, while there is one. */
  private step = '';
  /** The connection of the handshake under way, while there is one. */
  private handshaking: RpcConnection | null = null;

  private sendGids = true;
  private remoteHost = '';
  private remoteSubvolume = '';

  override init(): void {
    const host = this.options['remote-host'];
    const subvolume = this.options['remote-subvolume'];
    if (host === undefined) throw new Error("option 'remote-host' is required: the brick's address");
    if (subvolume === undefined) throw new Error("option 'remote-subvolume' is required: the brick's name (its path)");
    this.remoteHost = host;
    this.remoteSubvolume = subvolume;
    this.sendGids = this.options['send-gids'];
  }

  override notify(event: number, data?: unknown): void {
    if (event === XlatorEvent.PARENT_UP) {
      this.stopping = false;
      this.reconnects = 0;
      void this.connect();
      return;
    }
    if (event === XlatorEvent.PARENT_DOWN) {
      this.stopping = true;
      this.shutdown();
      return;
    }
    super.notify(event, data);
  }

  override fini(): void {
    this.stopping = true;
    this.shutdown();
  }

  private shutdown(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.conn?.close('client shutting down');
    this.conn = null;
    this.handshaking?.close('client shutting down');
    this.handshaking = null;
  }

  get connected(): boolean {
    return this.up;
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    const port = this.options['remote-port'];
    try {
      const { conn } = await connectToBrick({
        host: this.remoteHost,
        port: port ?? null,
        family: this.options['transport.address-family'] === 'inet6' ? 6 : 4,
        frameTimeout: this.options['frame-timeout'],
        pingTimeout: this.options['ping-timeout'],
        remoteSubvolume: this.remoteSubvolume,
        clientName: this.name,
        reconnects: this.reconnects,
        extra: { 'remote-host': this.remoteHost, 'transport-type': 'tcp' },
        onStep: (step) => (this.step = step),
        onConnection: (conn) => (this.handshaking = conn),
      });
      this.step = '';
      this.handshaking = null;
      if (this.stopping) {
        conn.close('client shutting down');
        return;
      }
      this.conn = conn;
      conn.on('disconnect', (reason) => this.lost(conn, reason));
      conn.on('serverCall', (program, procedure) => this.log.debug(`brick call: program ${program} procedure ${procedure} (ignored)`));
      await this.reopenFds();
      this.up = true;
      this.reconnects = 0;
      this.lastError = '';
      this.log.info(`connected to ${this.remoteHost}:${conn.options.port}, brick '${this.remoteSubvolume}'`);
      this.notifyParents(XlatorEvent.CHILD_UP, this);
    } catch (e) {
      this.step = '';
      this.handshaking = null;
      if (this.stopping) return;
      const message = (e as Error).message;
      if (message !== this.lastError) this.log.error(message);
      this.lastError = message;
      if (this.reconnects === 0) {
        // The first attempt failed: say so upward at once. A wrong brick name or a refusal fails
        // a mount with this reason; anything else is CHILD_DOWN, as GlusterFS's client says on its
        // first failed connect, so that a mount comes up (answering ENOTCONN) while we keep trying.
        if (e instanceof HandshakeError && e.final) this.notifyParents(XlatorEvent.AUTH_FAILED, `${this.name}: ${message}`);
        else this.notifyParents(XlatorEvent.CHILD_DOWN, this);
      }
      this.scheduleReconnect();
    }
  }

  private lost(conn: RpcConnection, reason: string): void {
    if (this.conn !== conn) return;
    this.conn = null;
    const wasUp = this.up;
    this.up = false;
    if (wasUp) {
      if (this.stopping) this.log.info(`disconnected from brick '${this.remoteSubvolume}': ${reason}`);
      else this.log.warning(`lost brick '${this.remoteSubvolume}': ${reason}; reconnecting`);
      this.notifyParents(XlatorEvent.CHILD_DOWN, this);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.retryTimer !== null) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(this.reconnects, 4));
    this.reconnects++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  /** Fds opened on a connection that is gone: open them again on this one (client_post_handshake). */
  private async reopenFds(): Promise<void> {
    for (const fd of this.openFds) {
      const ctx = this.remoteFd(fd);
      if (ctx === undefined) continue;
      const reopened = await new Promise<number>((resolve) => {
        const proc = ctx.directory ? 'OPENDIR' : 'OPEN';
        const request = ctx.directory ? { gfid: ctx.gfid, xdata: null } : { gfid: ctx.gfid, flags: ctx.flags & ~0o1300, xdata: null };
        this.rawCall(this.conn!, null, proc, request as FopRequest<'OPEN'>, null, (rsp) => resolve(rsp.opRet < 0 ? -1 : Number((rsp as FopReply<'OPEN'>).fd)), () => resolve(-1));
      });
      if (reopened < 0) {
        this.log.warning(`could not re-open fd of ${ctx.gfid} after reconnecting; its next fops fail with EBADF`);
        fd.ctx.delete(this);
        this.openFds.delete(fd);
      } else {
        ctx.remote = reopened;
      }
    }
  }

  remoteFd(fd: Fd): RemoteFd | undefined {
    return fd.ctx.get(this) as RemoteFd | undefined;
  }

  /** The brick's fd number for an fd, the anonymous fd for an anonymous one, or null (EBADF). */
  remoteFdNumber(fd: Fd): number | null {
    const ctx = this.remoteFd(fd);
    if (ctx !== undefined) return ctx.remote;
    return fd.anonymous ? ANONYMOUS_FD : null;
  }

  rememberFd(fd: Fd, remote: number, gfid: string, flags: number, directory: boolean): void {
    fd.ctx.set(this, { remote, gfid, flags, directory, offsets: [] } satisfies RemoteFd);
    this.openFds.add(fd);
  }

  override release(fd: Fd): void {
    this.releaseRemote(fd, 'RELEASE');
  }

  override releasedir(fd: Fd): void {
    this.releaseRemote(fd, 'RELEASEDIR');
  }

  private releaseRemote(fd: Fd, proc: 'RELEASE' | 'RELEASEDIR'): void {
    const ctx = this.remoteFd(fd);
    fd.ctx.delete(this);
    this.openFds.delete(fd);
    if (ctx === undefined || this.conn === null || !this.up) return;
    this.rawCall(this.conn, null, proc, { gfid: ctx.gfid, fd: ctx.remote, xdata: null }, null, () => {}, () => {});
  }

  /** Send one fop call for `frame`: ENOTCONN at once when the brick is not there. */
  submit<P extends FopProcedure>(frame: Frame, proc: P, request: FopRequest<P>, payload: readonly Buffer[] | null, onReply: (rsp: FopReply<P>, rest: XdrReader, iobref: Iobref | null) => void, onError: (errno: number) => void): void {
    if (this.conn === null || !this.up) return onError(Errno.ENOTCONN);
    this.rawCall(this.conn, this.credential(frame), proc, request, payload, onReply, onError);
  }

  private rawCall<P extends FopProcedure>(conn: RpcConnection, credential: RpcCredential | null, proc: P, request: FopRequest<P>, payload: readonly Buffer[] | null, onReply: (rsp: FopReply<P>, rest: XdrReader, iobref: Iobref | null) => void, onError: (errno: number) => void): void {
    const p = GlusterFopProgram.procedures[proc];
    conn.callEncoding(GlusterFopProgram, p.number, credential, p.encodeRequest as (w: XdrWriter, v: FopRequest<P>) => void, request, payload, (error, reply, iobref) => {
      if (error !== null) {
        // A lost connection is reported once, by the disconnect; a call that fails alone, here.
        if (!error.connectionLost) this.log.warning(error.message);
        return onError(error.errno);
      }
      let rsp: FopReply<P>;
      try {
        rsp = (p.decodeReply as (r: XdrReader) => FopReply<P>)(reply!);
      } catch (e) {
        // EINVAL, as GlusterFS's client answers a reply its XDR decoding fails on.
        this.log.error(`${proc}: undecodable reply from the brick: ${(e as Error).message}`);
        return onError(Errno.EINVAL);
      }
      onReply(rsp, reply!, iobref ?? null);
    }, proc);
  }

  /** Who makes the call: the call stack itself carries every field of the credential. */
  private credential(frame: Frame): RpcCredential {
    const root = frame.root;
    if (this.sendGids) return root;
    return {
      pid: root.pid,
      uid: root.uid,
      gid: root.gid,
      groups: [],
      lkOwner: root.lkOwner,
      flags: root.flags,
      ctimeSec: root.ctimeSec,
      ctimeNsec: root.ctimeNsec,
    };
  }

  override downReason(): string | null {
    if (this.up) return null;
    if (this.step !== '' && this.lastError !== '') return `${this.step} (before that: ${this.lastError})`;
    return this.step || this.lastError || null;
  }

  override dump(): Record<string, unknown> {
    return { connected: this.up, remote: `${this.remoteHost}:${this.conn?.options.port ?? '-'}`, inFlight: this.conn?.inFlight ?? 0, queuedBytes: this.conn?.queuedBytes ?? 0, openFds: this.openFds.size, lastError: this.lastError };
  }

  // The fops, by area, in fops.ts.
  override lookup(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn { fops.lookup(this, frame, loc, xdata); }
  override stat(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn { fops.stat(this, frame, loc, xdata); }
  override fstat(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn { fops.fstat(this, frame, fd, xdata); }
  override readlink(frame: Frame, loc: Loc, size: number, xdata: Dict | null): FopReturn { fops.readlink(this, frame, loc, size, xdata); }
  override mknod(frame: Frame, loc: Loc, mode: number, rdev: number, umask: number, xdata: Dict | null): FopReturn { fops.mknod(this, frame, loc, mode, rdev, umask, xdata); }
  override mkdir(frame: Frame, loc: Loc, mode: number, umask: number, xdata: Dict | null): FopReturn { fops.mkdir(this, frame, loc, mode, umask, xdata); }
  override unlink(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn { fops.unlink(this, frame, loc, flags, xdata); }
  override rmdir(frame: Frame, loc: Loc, flags: number, xdata: Dict | null): FopReturn { fops.rmdir(this, frame, loc, flags, xdata); }
  override symlink(frame: Frame, linkpath: string, loc: Loc, umask: number, xdata: Dict | null): FopReturn { fops.symlink(this, frame, linkpath, loc, umask, xdata); }
  override rename(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn { fops.rename(this, frame, oldloc, newloc, xdata); }
  override link(frame: Frame, oldloc: Loc, newloc: Loc, xdata: Dict | null): FopReturn { fops.link(this, frame, oldloc, newloc, xdata); }
  override truncate(frame: Frame, loc: Loc, offset: number, xdata: Dict | null): FopReturn { fops.truncate(this, frame, loc, offset, xdata); }
  override ftruncate(frame: Frame, fd: Fd, offset: number, xdata: Dict | null): FopReturn { fops.ftruncate(this, frame, fd, offset, xdata); }
  override open(frame: Frame, loc: Loc, flags: number, fd: Fd, xdata: Dict | null): FopReturn { fops.open(this, frame, loc, flags, fd, xdata); }
  override create(frame: Frame, loc: Loc, flags: number, mode: number, umask: number, fd: Fd, xdata: Dict | null): FopReturn { fops.create(this, frame, loc, flags, mode, umask, fd, xdata); }
  override opendir(frame: Frame, loc: Loc, fd: Fd, xdata: Dict | null): FopReturn { fops.opendir(this, frame, loc, fd, xdata); }
  override readv(frame: Frame, fd: Fd, size: number, offset: number, flags: number, xdata: Dict | null): FopReturn { fops.readv(this, frame, fd, size, offset, flags, xdata); }
  override writev(frame: Frame, fd: Fd, vector: Buffer[], _count: number, offset: number, flags: number, _iobref: Iobref | null, xdata: Dict | null): FopReturn { fops.writev(this, frame, fd, vector, offset, flags, xdata); }
  override statfs(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn { fops.statfs(this, frame, loc, xdata); }
  override flush(frame: Frame, fd: Fd, xdata: Dict | null): FopReturn { fops.flush(this, frame, fd, xdata); }
  override fsync(frame: Frame, fd: Fd, flags: number, xdata: Dict | null): FopReturn { fops.fsync(this, frame, fd, flags, xdata); }
  override fsyncdir(frame: Frame, fd: Fd, flags: number, xdata: Dict | null): FopReturn { fops.fsyncdir(this, frame, fd, flags, xdata); }
  override setxattr(frame: Frame, loc: Loc, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn { fops.setxattr(this, frame, loc, dict, flags, xdata); }
  override fsetxattr(frame: Frame, fd: Fd, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn { fops.fsetxattr(this, frame, fd, dict, flags, xdata); }
  override getxattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn { fops.getxattr(this, frame, loc, name, xdata); }
  override fgetxattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn { fops.fgetxattr(this, frame, fd, name, xdata); }
  override removexattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn { fops.removexattr(this, frame, loc, name, xdata); }
  override fremovexattr(frame: Frame, fd: Fd, name: string, xdata: Dict | null): FopReturn { fops.fremovexattr(this, frame, fd, name, xdata); }
  override access(frame: Frame, loc: Loc, mask: number, xdata: Dict | null): FopReturn { fops.access(this, frame, loc, mask, xdata); }
  override lk(frame: Frame, fd: Fd, cmd: number, lock: Flock, xdata: Dict | null): FopReturn { fops.lk(this, frame, fd, cmd, lock, xdata); }
  override inodelk(frame: Frame, volume: string, loc: Loc, cmd: number, lock: Flock, xdata: Dict | null): FopReturn { fops.inodelk(this, frame, volume, loc, cmd, lock, xdata); }
  override finodelk(frame: Frame, volume: string, fd: Fd, cmd: number, lock: Flock, xdata: Dict | null): FopReturn { fops.finodelk(this, frame, volume, fd, cmd, lock, xdata); }
  override entrylk(frame: Frame, volume: string, loc: Loc, basename: string, cmd: number, type: number, xdata: Dict | null): FopReturn { fops.entrylk(this, frame, volume, loc, basename, cmd, type, xdata); }
  override fentrylk(frame: Frame, volume: string, fd: Fd, basename: string, cmd: number, type: number, xdata: Dict | null): FopReturn { fops.fentrylk(this, frame, volume, fd, basename, cmd, type, xdata); }
  override xattrop(frame: Frame, loc: Loc, flags: number, dict: Dict | null, xdata: Dict | null): FopReturn { fops.xattrop(this, frame, loc, flags, dict, xdata); }
  override fxattrop(frame: Frame, fd: Fd, flags: number, dict: Dict | null, xdata: Dict | null): FopReturn { fops.fxattrop(this, frame, fd, flags, dict, xdata); }
  override rchecksum(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn { fops.rchecksum(this, frame, fd, offset, len, xdata); }
  override setattr(frame: Frame, loc: Loc, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn { fops.setattr(this, frame, loc, stbuf, valid, xdata); }
  override fsetattr(frame: Frame, fd: Fd, stbuf: Iatt, valid: number, xdata: Dict | null): FopReturn { fops.fsetattr(this, frame, fd, stbuf, valid, xdata); }
  override readdir(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn { fops.readdir(this, frame, fd, size, offset, xdata); }
  override readdirp(frame: Frame, fd: Fd, size: number, offset: number, xdata: Dict | null): FopReturn { fops.readdirp(this, frame, fd, size, offset, xdata); }
  override fallocate(frame: Frame, fd: Fd, keepSize: number, offset: number, len: number, xdata: Dict | null): FopReturn { fops.fallocate(this, frame, fd, keepSize, offset, len, xdata); }
  override discard(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn { fops.discard(this, frame, fd, offset, len, xdata); }
  override zerofill(frame: Frame, fd: Fd, offset: number, len: number, xdata: Dict | null): FopReturn { fops.zerofill(this, frame, fd, offset, len, xdata); }
  override ipc(frame: Frame, op: number, xdata: Dict | null): FopReturn { fops.ipc(this, frame, op, xdata); }
  override seek(frame: Frame, fd: Fd, offset: number, what: number, xdata: Dict | null): FopReturn { fops.seek(this, frame, fd, offset, what, xdata); }
  override lease(frame: Frame, loc: Loc, lease: Lease, xdata: Dict | null): FopReturn { fops.lease(this, frame, loc, lease, xdata); }
  override getactivelk(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn { fops.getactivelk(this, frame, loc, xdata); }
  override setactivelk(frame: Frame, loc: Loc, locklist: LockMigrationInfo[], xdata: Dict | null): FopReturn { fops.setactivelk(this, frame, loc, locklist, xdata); }
  override icreate(frame: Frame, loc: Loc, mode: number, xdata: Dict | null): FopReturn { fops.icreate(this, frame, loc, mode, xdata); }
  override namelink(frame: Frame, loc: Loc, xdata: Dict | null): FopReturn { fops.namelink(this, frame, loc, xdata); }
  override copyFileRange(frame: Frame, fdIn: Fd, offIn: number, fdOut: Fd, offOut: number, len: number, flags: number, xdata: Dict | null): FopReturn { fops.copyFileRange(this, frame, fdIn, offIn, fdOut, offOut, len, flags, xdata); }
}
