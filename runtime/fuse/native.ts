// The second transport: fuse-native (libfuse 2, path based), for mounting without root through
// fusermount. A thin adapter: each path call resolves the path to a nodeid with LOOKUPs, then runs
// the very same bridge handler the /dev/fuse transport runs, catching its reply in a loopback sink.
// It works around fuse-native's known defects (see ../../shared/reference/fuse-transport.md §1):
// callbacks only ever get integers, writes are big_writes of 128 KiB, data buffers are copied
// before the callback detaches them, and auto_unmount clears the mount if the process dies.
// What libfuse 2 cannot carry is lost on this transport: caller credentials (every call is root's),
// locks, fallocate, SEEK_DATA/HOLE, readdirplus, nanosecond times, one-sided utimens.
import { constants as fsConstants } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import {
  decodeFuseAttrOut, decodeFuseDirent, decodeFuseEntryOut, decodeFuseOpenOut, decodeFuseStatfsOut, decodeFuseWriteOut,
  FUSE_DIRENT_SIZE, FUSE_ENTRY_OUT_SIZE, type FuseAttr, type FuseInHeader,
} from '../../generated/fuse-abi.js';
import type { FuseHandlers } from '../../generated/fuse-opcodes.js';
import { FAttr } from '../bridge/attr.js';
import type { FuseBridge } from '../bridge/bridge.js';
import { Logger } from '../log.js';
import type { FuseReplySink } from './session.js';

const log = new Logger('fuse-native');
const require = createRequire(import.meta.url);

interface Reply {
  error: number;
  body: Buffer;
}

/** Collects the replies the bridge sends, by request id. */
class LoopbackSink implements FuseReplySink {
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private next = 1;

  call(run: (unique: number) => void): Promise<Reply> {
    const unique = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(unique, resolve);
      run(unique);
    });
  }
  private finish(unique: number, r: Reply): void {
    const done = this.waiting.get(unique);
    this.waiting.delete(unique);
    done?.(r);
  }
  replyBuffer(bodySize: number): Buffer {
    return Buffer.alloc(16 + bodySize);
  }
  send(unique: number, reply: Buffer): void {
    this.finish(unique, { error: 0, body: reply.subarray(16) });
  }
  sendData(unique: number, buffers: readonly Buffer[]): void {
    this.finish(unique, { error: 0, body: Buffer.concat(buffers) });
  }
  replyEmpty(unique: number): void {
    this.finish(unique, { error: 0, body: Buffer.alloc(0) });
  }
  replyError(unique: number, errno: number): void {
    this.finish(unique, { error: errno || constants.errno.EIO, body: Buffer.alloc(0) });
  }
}

type Cb = (...args: unknown[]) => void;

export interface NativeMount {
  unmount(): Promise<void>;
}

export async function mountNative(bridge: FuseBridge, mountpoint: string, options: { fsname: string; allowOther: boolean; attributeTimeout: number }): Promise<NativeMount> {
  const Fuse = require('fuse-native') as { new (mnt: string, ops: object, opts: object): FuseNativeInstance };
  const sink = new LoopbackSink();
  bridge.session = sink;
  const h: FuseHandlers = bridge.handlers;
  const header = (unique: number, opcode: number, nodeid: number): FuseInHeader => ({ len: 0, opcode, unique, nodeid, uid: 0, gid: 0, pid: 0, totalExtlen: 0 });
  const nodeids = new Map<string, number>([['/', 1]]);

  /** The nodeid of a path, looked up name by name (and remembered). */
  async function resolve(path: string): Promise<number> {
    const known = nodeids.get(path);
    if (known !== undefined) return known;
    const slash = path.lastIndexOf('/');
    const parent = await resolve(slash <= 0 ? '/' : path.slice(0, slash));
    const r = await sink.call((u) => h.lookup!(header(u, 1, parent), { name: path.slice(slash + 1) }));
    if (r.error !== 0) throw r.error;
    const nodeid = decodeFuseEntryOut(r.body, 0).nodeid;
    nodeids.set(path, nodeid);
    return nodeid;
  }
  const parentAndName = async (path: string): Promise<[number, string]> => {
    const slash = path.lastIndexOf('/');
    return [await resolve(slash <= 0 ? '/' : path.slice(0, slash)), path.slice(slash + 1)];
  };
  /** Forget cached nodeids under a path whose name changed. */
  const forgetPath = (path: string) => {
    for (const p of [...nodeids.keys()]) if (p === path || p.startsWith(path + '/')) nodeids.delete(p);
  };
  const toStat = (a: FuseAttr) => ({
    mode: a.mode, uid: a.uid, gid: a.gid, size: a.size, dev: 0, nlink: a.nlink, ino: Number(a.ino & 0xffffffffn), rdev: a.rdev,
    blksize: a.blksize, blocks: a.blocks, atime: a.atime * 1000 + Math.floor(a.atimensec / 1e6), mtime: a.mtime * 1000 + Math.floor(a.mtimensec / 1e6),
    ctime: a.ctime * 1000 + Math.floor(a.ctimensec / 1e6),
  });
  const setattr = async (path: string, fields: Partial<{ valid: number; fh: number; size: number; mode: number; uid: number; gid: number; atime: number; mtime: number; atimensec: number; mtimensec: number }>) => {
    const nodeid = await resolve(path);
    const req = { valid: 0, fh: 0, size: 0, lockOwner: 0, atime: 0, mtime: 0, ctime: 0, atimensec: 0, mtimensec: 0, ctimensec: 0, mode: 0, uid: 0, gid: 0, ...fields };
    return sink.call((u) => h.setattr!(header(u, 4, nodeid), req));
  };

  /**
   * Every fuse-native callback must get integers only (a null or an Error kills the process or
   * leaves the request unanswered): errors become negative errnos here, whatever was thrown.
   */
  const op = (name: string, body: (...args: unknown[]) => Promise<unknown[]>) =>
    (...args: unknown[]) => {
      const cb = args.pop() as Cb;
      body(...args).then(
        (results) => cb(0, ...results),
        (e: unknown) => {
          const errno = typeof e === 'number' ? e : constants.errno.EIO;
          if (typeof e !== 'number') log.error(`${name} failed: ${(e as Error)?.stack ?? e}`);
          cb(-errno);
        },
      );
    };
  const check = (r: Reply): Reply => {
    if (r.error !== 0) throw r.error;
    return r;
  };

  const ops = {
    getattr: op('getattr', async (path) => getattr(path as string)),
    // fuse-native routes fgetattr to getattr anyway; by path is what it can do.
    fgetattr: op('fgetattr', async (path) => getattr(path as string)),
    access: op('access', async (path, mode) => {
      const nodeid = await resolve(path as string);
      check(await sink.call((u) => h.access!(header(u, 34, nodeid), { mask: mode as number })));
      return [];
    }),
    statfs: op('statfs', async () => {
      const st = decodeFuseStatfsOut(check(await sink.call((u) => h.statfs!(header(u, 17, 1), {}))).body, 0).st;
      return [{ bsize: st.bsize, frsize: st.frsize, blocks: st.blocks, bfree: st.bfree, bavail: st.bavail, files: st.files, ffree: st.ffree, favail: st.ffree, fsid: 0, flag: 0, namemax: st.namelen }];
    }),
    readdir: op('readdir', async (path) => {
      const nodeid = await resolve(path as string);
      const fh = decodeFuseOpenOut(check(await sink.call((u) => h.opendir!(header(u, 27, nodeid), { flags: 0, openFlags: 0 }))).body, 0).fh;
      const names: string[] = [];
      try {
        for (let offset = 0; ; ) {
          const r = check(await sink.call((u) => h.readdir!(header(u, 28, nodeid), { fh, offset, size: 65536, readFlags: 0, lockOwner: 0, flags: 0 })));
          if (r.body.length === 0) break;
          for (let at = 0; at < r.body.length; ) {
            const d = decodeFuseDirent(r.body, at);
            names.push(r.body.toString('utf8', at + FUSE_DIRENT_SIZE, at + FUSE_DIRENT_SIZE + d.namelen));
            offset = d.off;
            at += (FUSE_DIRENT_SIZE + d.namelen + 7) & ~7;
          }
        }
      } finally {
        await sink.call((u) => h.releasedir!(header(u, 29, nodeid), { fh, flags: 0, releaseFlags: 0, lockOwner: 0 }));
      }
      return [names.filter((n) => n !== '.' && n !== '..')];
    }),
    open: op('open', async (path, flags) => {
      const nodeid = await resolve(path as string);
      return [decodeFuseOpenOut(check(await sink.call((u) => h.open!(header(u, 14, nodeid), { flags: flags as number, openFlags: 0 }))).body, 0).fh];
    }),
    create: op('create', async (path, mode) => {
      const [parent, name] = await parentAndName(path as string);
      // fuse-native drops the open flags: create read-write, as creat(2)-then-open would.
      const r = check(await sink.call((u) => h.create!(header(u, 35, parent), { flags: fsConstants.O_RDWR | fsConstants.O_CREAT, mode: mode as number, umask: 0, openFlags: 0, name })));
      nodeids.set(path as string, decodeFuseEntryOut(r.body, 0).nodeid);
      return [decodeFuseOpenOut(r.body, FUSE_ENTRY_OUT_SIZE).fh];
    }),
    read: (path: string, fh: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
      void resolve(path).then(
        (nodeid) => sink.call((u) => h.read!(header(u, 15, nodeid), { fh, offset: pos, size: len, readFlags: 0, lockOwner: 0, flags: 0 })),
      ).then(
        (r) => (r.error !== 0 ? cb(-r.error) : cb(r.body.copy(buf, 0, 0, Math.min(len, r.body.length)))),
        (e: unknown) => cb(-(typeof e === 'number' ? e : constants.errno.EIO)),
      );
    },
    write: (path: string, fh: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
      // The buffer is libfuse's and is detached after the callback: the fop gets a copy.
      const data = Buffer.from(buf.subarray(0, len));
      void resolve(path).then(
        (nodeid) => sink.call((u) => h.write!(header(u, 16, nodeid), { fh, offset: pos, size: len, writeFlags: 0, lockOwner: 0, flags: 0, data })),
      ).then(
        (r) => (r.error !== 0 ? cb(-r.error) : cb(decodeFuseWriteOut(r.body, 0).size)),
        (e: unknown) => cb(-(typeof e === 'number' ? e : constants.errno.EIO)),
      );
    },
    flush: op('flush', async (path, fh) => {
      check(await sink.call((u) => h.flush!(header(u, 25, nodeids.get(path as string) ?? 1), { fh: fh as number, lockOwner: 0 })));
      return [];
    }),
    release: op('release', async (path, fh) => {
      await sink.call((u) => h.release!(header(u, 18, nodeids.get(path as string) ?? 1), { fh: fh as number, flags: 0, releaseFlags: 0, lockOwner: 0 }));
      return [];
    }),
    fsync: op('fsync', async (path, datasync, fh) => {
      check(await sink.call((u) => h.fsync!(header(u, 20, nodeids.get(path as string) ?? 1), { fh: fh as number, fsyncFlags: datasync ? 1 : 0 })));
      return [];
    }),
    truncate: op('truncate', async (path, size) => (check(await setattr(path as string, { valid: FAttr.SIZE, size: size as number })), [])),
    ftruncate: op('ftruncate', async (path, fh, size) => (check(await setattr(path as string, { valid: FAttr.SIZE | FAttr.FH, fh: fh as number, size: size as number })), [])),
    chmod: op('chmod', async (path, mode) => (check(await setattr(path as string, { valid: FAttr.MODE, mode: mode as number })), [])),
    chown: op('chown', async (path, uid, gid) => (check(await setattr(path as string, { valid: FAttr.UID | FAttr.GID, uid: uid as number, gid: gid as number })), [])),
    utimens: op('utimens', async (path, atime, mtime) => {
      const a = atime as number;
      const m = mtime as number;
      check(await setattr(path as string, { valid: FAttr.ATIME | FAttr.MTIME, atime: Math.floor(a / 1000), atimensec: (a % 1000) * 1e6, mtime: Math.floor(m / 1000), mtimensec: (m % 1000) * 1e6 }));
      return [];
    }),
    readlink: op('readlink', async (path) => {
      const nodeid = await resolve(path as string);
      return [check(await sink.call((u) => h.readlink!(header(u, 5, nodeid), {}))).body.toString()];
    }),
    mknod: op('mknod', async (path, mode, dev) => {
      const [parent, name] = await parentAndName(path as string);
      check(await sink.call((u) => h.mknod!(header(u, 8, parent), { mode: mode as number, rdev: dev as number, umask: 0, name })));
      return [];
    }),
    mkdir: op('mkdir', async (path, mode) => {
      const [parent, name] = await parentAndName(path as string);
      check(await sink.call((u) => h.mkdir!(header(u, 9, parent), { mode: mode as number, umask: 0, name })));
      return [];
    }),
    unlink: op('unlink', async (path) => {
      const [parent, name] = await parentAndName(path as string);
      check(await sink.call((u) => h.unlink!(header(u, 10, parent), { name })));
      forgetPath(path as string);
      return [];
    }),
    rmdir: op('rmdir', async (path) => {
      const [parent, name] = await parentAndName(path as string);
      check(await sink.call((u) => h.rmdir!(header(u, 11, parent), { name })));
      forgetPath(path as string);
      return [];
    }),
    rename: op('rename', async (src, dest) => {
      const [from, oldname] = await parentAndName(src as string);
      const [to, newname] = await parentAndName(dest as string);
      check(await sink.call((u) => h.rename!(header(u, 12, from), { newdir: to, oldname, newname })));
      forgetPath(src as string);
      forgetPath(dest as string);
      return [];
    }),
    link: op('link', async (src, dest) => {
      const oldnodeid = await resolve(src as string);
      const [parent, newname] = await parentAndName(dest as string);
      check(await sink.call((u) => h.link!(header(u, 13, parent), { oldnodeid, newname })));
      return [];
    }),
    symlink: op('symlink', async (target, path) => {
      const [parent, name] = await parentAndName(path as string);
      check(await sink.call((u) => h.symlink!(header(u, 6, parent), { name, linkname: target as string })));
      return [];
    }),
    setxattr: op('setxattr', async (path, name, value, _position, flags) => {
      const nodeid = await resolve(path as string);
      const v = Buffer.from(value as Buffer);
      check(await sink.call((u) => h.setxattr!(header(u, 21, nodeid), { size: v.length, flags: flags as number, name: name as string, value: v })));
      return [];
    }),
    getxattr: (path: string, name: string, _position: number, cb: Cb) => {
      void resolve(path).then((nodeid) => sink.call((u) => h.getxattr!(header(u, 22, nodeid), { size: 1 << 16, name }))).then(
        (r) => (r.error !== 0 ? cb(-r.error, null) : cb(0, r.body)),
        (e: unknown) => cb(-(typeof e === 'number' ? e : constants.errno.EIO), null),
      );
    },
    listxattr: op('listxattr', async (path) => {
      const nodeid = await resolve(path as string);
      const r = check(await sink.call((u) => h.listxattr!(header(u, 23, nodeid), { size: 1 << 16 })));
      return [r.body.toString().split('\0').filter(Boolean)];
    }),
    removexattr: op('removexattr', async (path, name) => {
      const nodeid = await resolve(path as string);
      check(await sink.call((u) => h.removexattr!(header(u, 24, nodeid), { name: name as string })));
      return [];
    }),
  };
  async function getattr(path: string): Promise<unknown[]> {
    const nodeid = await resolve(path);
    return [toStat(decodeFuseAttrOut(check(await sink.call((u) => h.getattr!(header(u, 3, nodeid), { getattrFlags: 0, fh: 0 }))).body, 0).attr)];
  }

  // big_writes with 128 KiB writes (without it libfuse 2 sends one 4 KiB request per page), and
  // use_ino so that st_ino is the gfid-derived number, shared by hard links, not libfuse's own.
  class XlfsFuse extends (Fuse as unknown as { new (m: string, o: object, p: object): FuseNativeInstance }) {
    override _fuseOptions(): string {
      const base = (super._fuseOptions as () => string).call(this);
      return `${base ? base + ',' : '-o'}big_writes,max_write=131072,max_read=131072,use_ino,readdir_ino`;
    }
  }
  const fuse = new XlfsFuse(mountpoint, ops, {
    force: true,
    autoUnmount: true,
    allowOther: options.allowOther,
    defaultPermissions: true,
    fsname: options.fsname,
    subtype: 'xlfs',
    attrTimeout: options.attributeTimeout,
    entryTimeout: options.attributeTimeout,
    timeout: false,
  });
  await new Promise<void>((resolveMount, reject) => fuse.mount((err) => (err ? reject(err) : resolveMount())));
  return {
    unmount: () => new Promise<void>((done) => fuse.unmount(() => done())),
  };
}

interface FuseNativeInstance {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
  _fuseOptions(): string;
}
