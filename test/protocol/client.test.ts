// protocol/client against a real, unmodified glusterfsd brick on 127.0.0.1: every fop of the 4.x
// program through the graph, checked against the brick's own directory; the brick's errnos; a
// brick killed in the middle (ENOTCONN, reconnect, fds re-opened); a brick that stops answering
// (frame-timeout); a brick that refuses the handshake (a clear error naming the subvolume).
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fop } from '../../generated/fops.js';
import { syncop } from '../../generated/syncop.js';
import { windReadv } from '../../generated/wind.js';
import { Dict } from '../../runtime/dict.js';
import { Errno } from '../../runtime/errno.js';
import { Fd } from '../../runtime/fd.js';
import { Graph } from '../../runtime/graph.js';
import { SetAttr } from '../../runtime/iatt.js';
import type { Iobref } from '../../runtime/iobref.js';
import { LockCmd, LockType } from '../../runtime/lock.js';
import type { Loc } from '../../runtime/loc.js';
import { callPool } from '../../runtime/stack.js';
import { lgetxattr } from '../../runtime/sys/libc.js';
import { XlatorEvent } from '../../runtime/xlator.js';
import { Brick } from '../support/brick.js';
import { clientVolfile, quietly, StackFixture } from '../support/stack.js';

function brickVolfile(brick: Brick, options: Record<string, string> = {}): string {
  return clientVolfile(brick.port, brick.path, options);
}

const root = { uid: 0, gid: 0, pid: 1234, groups: [] };

describe('every fop against a real brick', () => {
  let brick: Brick;
  let fx: StackFixture;
  const onBrick = (p: string) => join(brick.path, p);

  beforeAll(async () => {
    brick = await Brick.create();
    fx = await StackFixture.create(brickVolfile(brick));
  });
  afterAll(async () => {
    await fx?.close();
    await brick?.remove();
  });

  it('creates, writes, reads, stats and truncates a file', async () => {
    const { fd, loc, buf } = await fx.create('/file', 'hello brick');
    expect(buf.isRegular()).toBe(true);
    expect(readFileSync(onBrick('file'), 'utf8')).toBe('hello brick');
    // The brick stored the gfid we asked for.
    expect(lgetxattr(onBrick('file'), 'trusted.gfid').equals(Buffer.from(buf.gfid.replace(/-/g, ''), 'hex'))).toBe(true);
    expect(await fx.read(fd, 100, 6)).toBe('brick');
    const st = await syncop.stat(fx.top, loc, null);
    expect([st.opRet, st.buf!.size, st.buf!.gfid]).toEqual([0, 11, buf.gfid]);
    const fst = await syncop.fstat(fx.top, fd, null);
    expect(fst.buf!.size).toBe(11);
    expect((await syncop.ftruncate(fx.top, fd, 5, null)).postbuf!.size).toBe(5);
    expect((await syncop.truncate(fx.top, loc, 2, null)).postbuf!.size).toBe(2);
    expect(readFileSync(onBrick('file'), 'utf8')).toBe('he');
    expect((await syncop.fsync(fx.top, fd, 0, null)).opRet).toBe(0);
    expect((await syncop.flush(fx.top, fd, null)).opRet).toBe(0);
  });

  it('writes a large buffer and reads it back byte for byte', async () => {
    const { fd } = await fx.create('/big');
    const data = Buffer.alloc(1 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i * 2654435761 >>> 0, i);
    const w = await syncop.writev(fx.top, fd, [data.subarray(0, 300_000), data.subarray(300_000)], 2, 0, 0, null, null);
    expect(w.opRet).toBe(data.length);
    expect(readFileSync(onBrick('big')).equals(data)).toBe(true);
    const r = await syncop.readv(fx.top, fd, 1 << 20, 0, 0, null);
    expect(Buffer.concat(r.vector!).equals(data)).toBe(true);
    // Past 128 KiB a write goes as several calls: pieces that straddle the caller's buffers and
    // start at an odd offset must land where they belong, and the answer counts every byte.
    const odd = data.subarray(1000, 1000 + 400_001);
    const w2 = await syncop.writev(fx.top, fd, [odd.subarray(0, 7), odd.subarray(7, 200_000), odd.subarray(200_000)], 3, 12_345, 0, null, null);
    expect(w2.opRet).toBe(odd.length);
    expect(w2.postbuf!.size).toBe(data.length);
    const expected = Buffer.from(data);
    odd.copy(expected, 12_345);
    expect(readFileSync(onBrick('big')).equals(expected)).toBe(true);
  });

  it.each([256 << 10, 8 << 10])('lends READ answers of %i bytes from a pool: a holder refs the iobref, a syncop reader gets a copy', async (size) => {
    const { fd } = await fx.create(`/lent-${size}`);
    const [a, b] = [Buffer.alloc(size, 0xaa), Buffer.alloc(size, 0xbb)];
    expect((await syncop.writev(fx.top, fd, [a, b], 2, 0, 0, null, null)).opRet).toBe(2 * size);
    // A bare wind: the callback sees the answer while its record is lent, and may keep it (ref).
    const read = (offset: number, keep: boolean) =>
      new Promise<{ data: Buffer; iobref: Iobref | null }>((resolve) => {
        windReadv(callPool.createStack(fx.top, root, Fop.READ), (f, _c, _x, opRet, _e, vector, _n, _s, iobref) => {
          f.root.destroy();
          expect(opRet).toBe(size);
          if (keep) iobref?.ref();
          resolve({ data: vector![0]!, iobref });
        }, fx.top, fd, size, offset, 0, null);
      });
    const held = await read(0, true);
    expect(held.iobref?.stable).toBe(true);
    const lent = await read(size, false);
    const next = await read(0, false);
    // The record given back after the second answer carries the third; the held one is untouched.
    expect(next.data.buffer).toBe(lent.data.buffer);
    expect(held.data.equals(a)).toBe(true);
    expect(held.data.buffer).not.toBe(lent.data.buffer);
    held.iobref!.unref();
    // syncop resolves after the callback has returned: its answers are copies, so two in a row both stand.
    const [first, second] = [await syncop.readv(fx.top, fd, size, 0, 0, null), await syncop.readv(fx.top, fd, size, size, 0, null)];
    expect(first.vector![0]!.equals(a)).toBe(true);
    expect(second.vector![0]!.equals(b)).toBe(true);
  });

  it('makes and removes directories, symlinks, hard links, device nodes and renames', async () => {
    await fx.mkdir('/dir', 0o750);
    expect(statSync(onBrick('dir')).mode & 0o7777).toBe(0o750);
    const sl = await fx.loc('/dir/sym');
    const s = await syncop.symlink(fx.top, '../file', sl, 0, null);
    expect(s.opRet).toBe(0);
    fx.link(sl, s.buf!);
    expect(readlinkSync(onBrick('dir/sym'))).toBe('../file');
    const rl = await syncop.readlink(fx.top, sl, 4096, null);
    expect(rl.path).toBe('../file');
    const fifo = await fx.loc('/dir/fifo');
    const mk = await syncop.mknod(fx.top, fifo, 0o010644, 0, 0, null);
    expect(mk.opRet).toBe(0);
    expect(lstatSync(onBrick('dir/fifo')).isFIFO()).toBe(true);
    const hard = await fx.loc('/dir/hard');
    const l = await syncop.link(fx.top, await fx.loc('/file'), hard, null);
    expect([l.opRet, l.buf!.nlink]).toEqual([0, 2]);
    const r = await syncop.rename(fx.top, hard, await fx.loc('/renamed'), null);
    expect(r.opRet).toBe(0);
    expect(existsSync(onBrick('renamed'))).toBe(true);
    expect((await syncop.unlink(fx.top, await fx.loc('/renamed'), 0, null)).opRet).toBe(0);
    expect((await syncop.unlink(fx.top, fifo, 0, null)).opRet).toBe(0);
    expect((await syncop.unlink(fx.top, sl, 0, null)).opRet).toBe(0);
    expect((await syncop.rmdir(fx.top, await fx.loc('/dir'), 0, null)).opRet).toBe(0);
    expect(existsSync(onBrick('dir'))).toBe(false);
  });

  it('returns the brick’s errnos', async () => {
    const missing = await syncop.lookup(fx.top, await fx.loc('/nothing-here'), null);
    expect([missing.opRet, missing.opErrno]).toEqual([-1, Errno.ENOENT]);
    await fx.mkdir('/full');
    await fx.create('/full/x');
    const notEmpty = await syncop.rmdir(fx.top, await fx.loc('/full'), 0, null);
    expect([notEmpty.opRet, notEmpty.opErrno]).toEqual([-1, Errno.ENOTEMPTY]);
    const exists = await syncop.mkdir(fx.top, await fx.loc('/full'), 0o755, 0, Dict.of({}));
    expect([exists.opRet, exists.opErrno]).toEqual([-1, Errno.EEXIST]);
    const noAttr = await syncop.getxattr(fx.top, await fx.loc('/full'), 'user.absent', null);
    expect([noAttr.opRet, noAttr.opErrno]).toEqual([-1, Errno.ENODATA]);
  });

  it('sets, gets, lists and removes extended attributes, by path and by fd', async () => {
    const { fd, loc } = await fx.create('/xattrs');
    expect((await syncop.setxattr(fx.top, loc, Dict.of({ 'user.colour': Buffer.from('blue') }), 0, null)).opRet).toBe(0);
    expect(lgetxattr(onBrick('xattrs'), 'user.colour').toString()).toBe('blue');
    const got = await syncop.getxattr(fx.top, loc, 'user.colour', null);
    expect(got.dict!.getString('user.colour')).toBe('blue');
    expect((await syncop.fsetxattr(fx.top, fd, Dict.of({ 'user.size': Buffer.from('L') }), 0, null)).opRet).toBe(0);
    const all = await syncop.fgetxattr(fx.top, fd, '', null);
    expect([...all.dict!.keys()]).toEqual(expect.arrayContaining(['user.colour', 'user.size']));
    expect((await syncop.removexattr(fx.top, loc, 'user.colour', null)).opRet).toBe(0);
    expect((await syncop.fremovexattr(fx.top, fd, 'user.size', null)).opRet).toBe(0);
    expect((await syncop.getxattr(fx.top, loc, 'user.size', null)).opErrno).toBe(Errno.ENODATA);
    // xattrop: GlusterFS's atomic add on a counter xattr.
    const counter = Buffer.alloc(8);
    counter.writeUInt32BE(5, 4);
    const op = await syncop.xattrop(fx.top, loc, 0, Dict.of({ 'trusted.test.count': counter }), null);
    expect(op.opRet).toBe(0);
    const op2 = await syncop.fxattrop(fx.top, fd, 0, Dict.of({ 'trusted.test.count': counter }), null);
    expect(op2.opRet).toBe(0);
    expect(lgetxattr(onBrick('xattrs'), 'trusted.test.count').readUInt32BE(4)).toBe(10);
  });

  it('keeps calls in order when the brick stops reading and they queue behind a full socket', async () => {
    const loc = await fx.loc('/');
    const client = fx.xlator('brick-client');
    // Calls of ~64 KiB each (a padding key the brick ignores): 160 of them are more than the
    // loopback socket buffers hold, so the later ones wait in the socket's queue.
    const padding = Buffer.alloc(64 << 10, 0x61);
    brick.pause();
    let answers: Promise<{ opRet: number; buf: { gfid: string } | null }>[] = [];
    try {
      answers = Array.from({ length: 160 }, () => syncop.lookup(fx.top, loc, Dict.of({ 'xlfs.test.padding': padding })));
      await new Promise((r) => setTimeout(r, 200));
      expect((client.dump() as { queuedBytes: number }).queuedBytes).toBeGreaterThan(0);
    } finally {
      brick.resume();
    }
    // More calls while the queue drains: none may overtake what is queued.
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => setImmediate(r));
      answers.push(syncop.lookup(fx.top, loc, Dict.of({ 'xlfs.test.padding': padding })));
    }
    const done = await Promise.all(answers);
    expect(done.every((a) => a.opRet === 0 && a.buf?.gfid === '00000000-0000-0000-0000-000000000001')).toBe(true);
    expect((client.dump() as { queuedBytes: number }).queuedBytes).toBe(0);
    // Whole records made it across: the connection is as good as before.
    expect((await syncop.stat(fx.top, loc, null)).opRet).toBe(0);
  }, 30_000);

  it('changes modes, owners and times', async () => {
    const { fd, loc, buf } = await fx.create('/attrs');
    const want = buf.clone();
    want.mode = 0o600;
    expect((await syncop.setattr(fx.top, loc, want, SetAttr.MODE, null)).statpost!.mode & 0o7777).toBe(0o600);
    want.uid = 1234;
    want.gid = 5678;
    await syncop.fsetattr(fx.top, fd, want, SetAttr.UID | SetAttr.GID, null);
    want.mtime = 1_600_000_000;
    want.mtimeNsec = 123_456_789;
    want.atime = 1_500_000_000;
    await syncop.setattr(fx.top, loc, want, SetAttr.ATIME | SetAttr.MTIME, null);
    const st = statSync(onBrick('attrs'), { bigint: true });
    expect([Number(st.mode & 0o7777n), Number(st.uid), Number(st.gid)]).toEqual([0o600, 1234, 5678]);
    const back = await syncop.stat(fx.top, loc, null);
    expect([back.buf!.mtime, back.buf!.mtimeNsec, back.buf!.atime]).toEqual([1_600_000_000, 123_456_789, 1_500_000_000]);
    expect((await syncop.access(fx.top, loc, 4, null)).opRet).toBe(0);
  });

  it('lists a directory with readdir and readdirp, across several calls', async () => {
    const loc = await fx.mkdir('/many');
    for (let i = 0; i < 300; i++) await fx.create(`/many/entry-with-a-long-name-${i}`);
    for (const plus of [false, true]) {
      const fd = new Fd(loc.inode, 0);
      expect((await syncop.opendir(fx.top, loc, fd, null)).opRet).toBe(0);
      const names: string[] = [];
      let offset = 0;
      let calls = 0;
      for (;;) {
        const r = plus ? await syncop.readdirp(fx.top, fd, 4096, offset, null) : await syncop.readdir(fx.top, fd, 4096, offset, null);
        expect(r.opRet).toBeGreaterThanOrEqual(0);
        if (r.entries!.length === 0) break;
        calls++;
        for (const e of r.entries!) {
          if (e.name !== '.' && e.name !== '..') names.push(e.name);
          if (plus && e.name.startsWith('entry')) expect(e.stat!.isRegular()).toBe(true);
        }
        offset = r.entries![r.entries!.length - 1]!.offset;
      }
      expect(calls).toBeGreaterThan(1);
      expect(names.sort()).toEqual(Array.from({ length: 300 }, (_, i) => `entry-with-a-long-name-${i}`).sort());
      expect((await syncop.fsyncdir(fx.top, fd, 0, null)).opRet).toBe(0);
      fx.top.releasedir(fd);
    }
  });

  it('allocates, punches, zeroes, seeks, checksums and copies ranges', async () => {
    const { fd } = await fx.create('/space', 'x'.repeat(8192));
    expect((await syncop.fallocate(fx.top, fd, 0, 0, 65536, null)).opRet).toBe(0);
    expect(statSync(onBrick('space')).size).toBe(65536);
    expect((await syncop.discard(fx.top, fd, 0, 4096, null)).opRet).toBe(0);
    expect((await syncop.zerofill(fx.top, fd, 4096, 4096, null)).opRet).toBe(0);
    expect(readFileSync(onBrick('space')).subarray(0, 8192).every((b) => b === 0)).toBe(true);
    const data = await syncop.seek(fx.top, fd, 0, 3, null);
    expect(data.opRet).toBe(0);
    const sum = await syncop.rchecksum(fx.top, fd, 0, 4096, null);
    expect(sum.opRet).toBe(0);
    expect(sum.strongChecksum!.length).toBeGreaterThan(0);
    const src = await fx.create('/copy-src', 'copied bytes');
    const dst = await fx.create('/copy-dst');
    const cp = await syncop.copyFileRange(fx.top, src.fd, 0, dst.fd, 0, 12, 0, null);
    expect(cp.opRet).toBe(12);
    expect(readFileSync(onBrick('copy-dst'), 'utf8')).toBe('copied bytes');
  });

  it('takes posix, inode and entry locks on the brick', async () => {
    const { fd, loc } = await fx.create('/locked');
    const owner = (n: number) => Buffer.from([n, 0, 0, 0, 0, 0, 0, 1]);
    const lock = { type: LockType.WRLCK, whence: 0, start: 0, len: 10, pid: 1, owner: owner(1) };
    expect((await syncop.lk(fx.top, fd, LockCmd.SETLK, lock, null, { credentials: { ...root, lkOwner: owner(1) } })).opRet).toBe(0);
    const fd2 = (await fx.open('/locked', 2)).fd;
    const other = await syncop.lk(fx.top, fd2, LockCmd.SETLK, { ...lock, owner: owner(2), pid: 2 }, null, { credentials: { ...root, lkOwner: owner(2) } });
    expect([other.opRet, other.opErrno]).toEqual([-1, Errno.EAGAIN]);
    const probe = await syncop.lk(fx.top, fd2, LockCmd.GETLK, { ...lock, owner: owner(2), pid: 2 }, null, { credentials: { ...root, lkOwner: owner(2) } });
    expect(probe.lock!.type).toBe(LockType.WRLCK);
    const il = { type: LockType.WRLCK, whence: 0, start: 0, len: 0, pid: 1, owner: owner(3) };
    const creds = { credentials: { ...root, lkOwner: owner(3) } };
    expect((await syncop.inodelk(fx.top, 'test.domain', loc, LockCmd.SETLK, il, null, creds)).opRet).toBe(0);
    expect((await syncop.inodelk(fx.top, 'test.domain', loc, LockCmd.SETLK, { ...il, type: LockType.UNLCK }, null, creds)).opRet).toBe(0);
    expect((await syncop.finodelk(fx.top, 'test.domain', fd, LockCmd.SETLK, il, null, creds)).opRet).toBe(0);
    expect((await syncop.finodelk(fx.top, 'test.domain', fd, LockCmd.SETLK, { ...il, type: LockType.UNLCK }, null, creds)).opRet).toBe(0);
    const dir = fx.table.root;
    const rootLoc = { path: '/', name: '', parent: null, inode: dir, gfid: dir.gfid, pargfid: dir.gfid };
    expect((await syncop.entrylk(fx.top, 'test.domain', rootLoc, 'locked', 0, 1, null, creds)).opRet).toBe(0);
    expect((await syncop.entrylk(fx.top, 'test.domain', rootLoc, 'locked', 1, 1, null, creds)).opRet).toBe(0);
    const rootFd = new Fd(dir, 0);
    await syncop.opendir(fx.top, rootLoc, rootFd, null);
    expect((await syncop.fentrylk(fx.top, 'test.domain', rootFd, 'locked', 2, 1, null, creds)).opRet).toBe(0);
    expect((await syncop.fentrylk(fx.top, 'test.domain', rootFd, 'locked', 1, 1, null, creds)).opRet).toBe(0);
    const active = await syncop.getactivelk(fx.top, loc, null);
    expect(active.opRet).toBeGreaterThanOrEqual(0);
  });

  it('reports the brick’s filesystem', async () => {
    const s = await syncop.statfs(fx.top, await fx.loc('/'), null);
    expect(s.opRet).toBe(0);
    expect(s.buf!.blocks).toBeGreaterThan(0);
  });

  it('answers the fops a plain brick leaves to other translators with its errno, and the brick lives on', async () => {
    // ipc, lease, setactivelk and icreate are for translators a plain brick lacks (leases, lock
    // migration, gfid-only creation): it refuses them. NAMELINK is refused here, not sent: it
    // kills a 10.3 brick.
    const loc = await fx.loc('/file');
    const answers = [
      await syncop.ipc(fx.top, 1, null),
      await syncop.lease(fx.top, loc, { cmd: 1, leaseType: 1, leaseId: Buffer.alloc(16), flags: 0 }, null),
      await syncop.setactivelk(fx.top, loc, [], null),
      await syncop.icreate(fx.top, await fx.loc('/never'), 0o100644, null),
      await syncop.namelink(fx.top, await fx.loc('/never'), null),
    ].map((r) => [r.opRet, r.opErrno]);
    expect(answers).toEqual([[-1, Errno.EOPNOTSUPP], [-1, Errno.ENOSYS], [-1, Errno.EIO], [-1, Errno.ESTALE], [-1, Errno.EOPNOTSUPP]]);
    expect((await syncop.getactivelk(fx.top, loc, null)).opRet).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(brick.pid).toBeDefined();
    expect((await syncop.stat(fx.top, loc, null)).opRet).toBe(0);
  });
});

/**
 * A fresh brick and a client graph on it, the log kept off stderr (these tests break the brick on
 * purpose); the brick is resumed, the graph stopped and the brick removed however `body` ends.
 */
async function withBrickGraph(options: Record<string, string>, body: (brick: Brick, fx: StackFixture) => Promise<void>): Promise<void> {
  const brick = await Brick.create();
  try {
    await quietly(async () => {
      const fx = await StackFixture.create(brickVolfile(brick, options));
      try {
        await body(brick, fx);
      } finally {
        brick.resume();
        await fx.close();
      }
    });
  } finally {
    await brick.remove();
  }
}

/** Stop the brick (SIGSTOP) and stat the root: ENOTCONN, after `atLeast` ms and before `before` ms. Returns the root's loc. */
async function expectStatFailsWhilePaused(brick: Brick, fx: StackFixture, atLeast: number, before: number): Promise<Loc> {
  const loc = await fx.loc('/');
  brick.pause();
  const started = Date.now();
  const r = await syncop.stat(fx.top, loc, null);
  expect([r.opRet, r.opErrno]).toEqual([-1, Errno.ENOTCONN]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(atLeast);
  expect(Date.now() - started).toBeLessThan(before);
  return loc;
}

describe('when the brick goes away', () => {
  it('fails calls with ENOTCONN, reconnects when the brick is back, and re-opens fds', () =>
    withBrickGraph({}, async (brick, fx) => {
      const { fd, loc } = await fx.create('/survivor', 'before');
      const events: number[] = [];
      fx.graph.onTopEvent = (event) => events.push(event);
      await brick.kill();
      const during = await syncop.stat(fx.top, loc, null);
      expect([during.opRet, during.opErrno]).toEqual([-1, Errno.ENOTCONN]);
      expect(events).toContain(XlatorEvent.CHILD_DOWN);
      await brick.start();
      const deadline = Date.now() + 15_000;
      while (!fx.graph.isUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(fx.graph.isUp).toBe(true);
      expect((await syncop.stat(fx.top, loc, null)).buf!.size).toBe(6);
      // The fd opened before the crash works on the new connection.
      const w = await syncop.writev(fx.top, fd, [Buffer.from('after!')], 1, 0, 0, null, null);
      expect(w.opRet).toBe(6);
      expect(readFileSync(join(brick.path, 'survivor'), 'utf8')).toBe('after!');
    }), 40_000);

  it('gives up on a brick that stops answering after frame-timeout', () =>
    withBrickGraph({ 'frame-timeout': '2' }, async (brick, fx) => {
      // ENOTCONN, as the stock client's bailed-out frames (the reason is in the log).
      await expectStatFailsWhilePaused(brick, fx, 2000, 5000);
      expect(fx.graph.isUp).toBe(true);
    }), 20_000);

  it('drops a brick that answers nothing, not even a ping, after ping-timeout, and connects again once it answers', () =>
    withBrickGraph({ 'ping-timeout': '2', 'frame-timeout': '600' }, async (brick, fx) => {
      const events: number[] = [];
      fx.graph.onTopEvent = (event) => events.push(event);
      // Silent for 2 s while a call waits: a ping; no answer to it in 2 s either: the connection goes.
      const loc = await expectStatFailsWhilePaused(brick, fx, 4000, 10_000);
      expect(events).toContain(XlatorEvent.CHILD_DOWN);
      brick.resume();
      const deadline = Date.now() + 15_000;
      while (!fx.graph.isUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(fx.graph.isUp).toBe(true);
      expect((await syncop.stat(fx.top, loc, null)).opRet).toBe(0);
    }), 40_000);

  it('names the subvolume a brick refuses', async () => {
    const brick = await Brick.create();
    const graph = Graph.fromText(brickVolfile(brick, { 'remote-subvolume': '/no/such/brick' }), 'refused.vol');
    try {
      await quietly(async () => {
        await graph.activate();
        await expect(graph.waitForChildUp(10_000)).rejects.toThrow(/remote-subvolume '\/no\/such\/brick'.*(not found|Brick not found)/i);
      });
    } finally {
      await quietly(() => graph.fini());
      await brick.remove();
    }
  }, 20_000);
});
