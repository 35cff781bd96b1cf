// The FUSE bridge (GlusterFS's mount/fuse): turns kernel requests into fops wound into the top of
// the graph, and their answers into replies. It is the `fuse` translator at the root of every call
// stack it creates, as in GlusterFS. It owns the nodeid <-> inode and fh <-> fd tables; the
// kernel's lookup counts live in the inode table, and FORGET retires inodes from it.
import { type FuseInHeader, encodeFuseAttrOut, encodeFuseEntryOut, FUSE_ATTR_OUT_SIZE, FUSE_ENTRY_OUT_SIZE } from '../../generated/fuse-abi.js';
import type { FuseHandlers } from '../../generated/fuse-opcodes.js';
import { Errno } from '../errno.js';
import type { Fd } from '../fd.js';
import type { Graph } from '../graph.js';
import { Iatt } from '../iatt.js';
import { type Inode, InodeTable } from '../inode.js';
import { childLoc, inodeLoc, type Loc } from '../loc.js';
import { callPool, type Frame } from '../stack.js';
import type { FuseReplySink } from '../fuse/session.js';
import { CallerXlator, eventName, type Xlator } from '../xlator.js';
import { fuseAttr, splitSeconds } from './attr.js';
import { GroupCache } from './credentials.js';
import { dirHandlers } from './dir-ops.js';
import { entryHandlers } from './entry-ops.js';
import { fileHandlers } from './file-ops.js';
import { xattrHandlers } from './xattr-ops.js';

export interface BridgeOptions {
  /** Seconds the kernel may cache attributes (attribute-timeout). */
  attributeTimeout: number;
  /** Seconds the kernel may cache a name (entry-timeout). */
  entryTimeout: number;
  /** Seconds the kernel may cache a missing name; 0 answers ENOENT instead (negative-timeout). */
  negativeTimeout: number;
  /** Seconds a process's supplementary groups are cached (gid-timeout). */
  gidTimeout: number;
  /** Answer every open with FOPEN_DIRECT_IO (direct-io-mode). */
  directIo: boolean;
  /**
   * Keep the page cache across opens (fopen-keep-cache). 'auto', the default, keeps it when the
   * kernel agreed to FUSE_AUTO_INVAL_DATA (it then drops cached pages itself once it sees mtime or
   * size change), as the stock glusterfs client does.
   */
  keepCache: boolean | 'auto';
}

export const defaultBridgeOptions: BridgeOptions = {
  attributeTimeout: 1,
  entryTimeout: 1,
  negativeTimeout: 0,
  gidTimeout: 1,
  directIo: false,
  keepCache: 'auto',
};

export class FuseBridge extends CallerXlator {
  static override readonly description: string = 'The FUSE bridge: kernel requests in, fops down the graph (GlusterFS mount/fuse).';
  readonly table = new InodeTable();
  readonly handlers: FuseHandlers;
  /** Where replies go: the /dev/fuse session, or the fuse-native adapter. */
  session: FuseReplySink | null = null;
  private readonly inodesByNodeid = new Map<number, Inode>();
  private nextNodeid = 2;
  private readonly fds = new Map<number, Fd>();
  private nextFh = 1;
  private readonly groups: GroupCache;
  /** SETLKW requests waiting for a lock, by request id, for INTERRUPT. */
  readonly blockedLocks = new Map<number, { fd: Fd; owner: Buffer; header: FuseInHeader }>();
  readonly entryValid: [number, number];
  readonly attrValid: [number, number];
  readonly negativeValid: [number, number];

  constructor(
    override readonly graph: Graph,
    readonly config: BridgeOptions = defaultBridgeOptions,
  ) {
    super('fuse', 'mount/fuse');
    this.groups = new GroupCache(config.gidTimeout * 1000);
    this.entryValid = splitSeconds(config.entryTimeout);
    this.attrValid = splitSeconds(config.attributeTimeout);
    this.negativeValid = splitSeconds(config.negativeTimeout);
    this.inodesByNodeid.set(1, this.table.root);
    this.table.root.ctx.set(this, 1);
    this.table.onForget = (inode) => this.retire(inode);
    graph.onTopEvent = (event, from) => this.log.info(`${eventName(event)} from '${from.name}'`);
    this.handlers = { ...entryHandlers(this), ...fileHandlers(this), ...dirHandlers(this), ...xattrHandlers(this), destroy: (h) => this.reply.empty(h.unique) };
  }

  get top(): Xlator {
    return this.graph.top;
  }

  /** A new call stack for a request, with the caller's credentials. */
  stack(header: FuseInHeader, op: number, lkOwner?: Buffer): Frame {
    const frame = callPool.createStack(this, this.groups.credentials(header.uid, header.gid, header.pid, lkOwner), op);
    frame.root.state = header.unique;
    return frame;
  }

  // ---- nodeids and fhs

  inode(nodeid: number): Inode | undefined {
    return this.inodesByNodeid.get(nodeid);
  }

  nodeidOf(inode: Inode): number {
    let nodeid = inode.ctx.get(this) as number | undefined;
    if (nodeid === undefined) {
      nodeid = this.nextNodeid++;
      inode.ctx.set(this, nodeid);
      this.inodesByNodeid.set(nodeid, inode);
    }
    return nodeid;
  }

  /** The kernel forgot `count` lookups of a nodeid (FORGET, BATCH_FORGET). */
  forgetNodeid(nodeid: number, count: number): void {
    if (nodeid === 1) return;
    const inode = this.inodesByNodeid.get(nodeid);
    if (inode !== undefined) this.table.forget(inode, count);
  }

  private retire(inode: Inode): void {
    const nodeid = inode.ctx.get(this) as number | undefined;
    if (nodeid !== undefined) this.inodesByNodeid.delete(nodeid);
    for (const xl of this.graph.xlators) if (inode.ctx.has(xl)) xl.forget(inode);
    inode.ctx.clear();
  }

  registerFd(fd: Fd): number {
    const fh = this.nextFh++;
    this.fds.set(fh, fd);
    return fh;
  }

  fd(fh: number): Fd | undefined {
    return this.fds.get(fh);
  }

  /** The last reference to an open file is gone: every translator with context on it lets go. */
  releaseFd(fh: number): void {
    const fd = this.fds.get(fh);
    if (fd === undefined) return;
    this.fds.delete(fh);
    // Translators that still hold the fd (writes behind) keep the release until they let go.
    fd.onRelease = (f) => this.graph.releaseFd(f);
    fd.unref();
  }

  get openFds(): number {
    return this.fds.size;
  }

  // ---- locs

  /** The loc of a nodeid's object; null when the kernel names one we no longer know. */
  inodeLoc(nodeid: number): Loc | null {
    const inode = this.inodesByNodeid.get(nodeid);
    if (inode === undefined) return null;
    const loc = inodeLoc(this.table, inode);
    return loc.path.startsWith('<gfid:') ? null : loc;
  }

  /** The loc of `name` in the directory `parent`. */
  entryLoc(parent: number, name: string): Loc | null {
    const dir = this.inodesByNodeid.get(parent);
    if (dir === undefined) return null;
    const ppath = this.table.path(dir);
    if (ppath === null) return null;
    return childLoc(this.table, dir, name, ppath);
  }

  /** Record a name the kernel will now hold a lookup on, and return its nodeid. */
  linkEntry(loc: Loc, buf: Iatt): number {
    const linked = this.table.link(loc.inode, loc.parent, loc.name || null, buf);
    this.table.lookup(linked);
    return this.nodeidOf(linked);
  }

  // ---- replies

  readonly reply = {
    error: (unique: number, errno: number): void => this.session!.replyError(unique, errno || Errno.EIO),
    empty: (unique: number): void => this.session!.replyEmpty(unique),
    data: (unique: number, buffers: readonly Buffer[]): void => this.session!.sendData(unique, buffers),
    attr: (unique: number, buf: Iatt, nodeid: number): void => {
      const out = this.session!.replyBuffer(FUSE_ATTR_OUT_SIZE);
      encodeFuseAttrOut(out, 16, { attrValid: this.attrValid[0], attrValidNsec: this.attrValid[1], attr: fuseAttr(buf, nodeid) });
      this.session!.send(unique, out);
    },
    /** An entry reply after linking the name; `extra` bytes (open_out for CREATE) follow it. */
    entry: (unique: number, nodeid: number, buf: Iatt, extra = 0): Buffer => {
      const out = this.session!.replyBuffer(FUSE_ENTRY_OUT_SIZE + extra);
      this.encodeEntry(out, 16, nodeid, buf);
      if (extra === 0) this.session!.send(unique, out);
      return out;
    },
    negativeEntry: (unique: number): void => {
      const out = this.session!.replyBuffer(FUSE_ENTRY_OUT_SIZE);
      encodeFuseEntryOut(out, 16, {
        nodeid: 0, generation: 0, entryValid: this.negativeValid[0], attrValid: 0, entryValidNsec: this.negativeValid[1], attrValidNsec: 0,
        attr: fuseAttr(new Iatt(), 0),
      });
      this.session!.send(unique, out);
    },
  };

  encodeEntry(out: Buffer, offset: number, nodeid: number, buf: Iatt): void {
    encodeFuseEntryOut(out, offset, {
      nodeid,
      generation: 0,
      entryValid: this.entryValid[0],
      attrValid: this.attrValid[0],
      entryValidNsec: this.entryValid[1],
      attrValidNsec: this.attrValid[1],
      attr: fuseAttr(buf, nodeid),
    });
  }

  override dump(): Record<string, unknown> {
    return { inodes: this.table.dump(), nodeids: this.inodesByNodeid.size, openFds: this.fds.size };
  }
}
