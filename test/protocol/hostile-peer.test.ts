// protocol/client when what comes back is not what a brick sends: a proxy on 127.0.0.1 stands
// between the client and a real glusterfsd brick, passes the client's calls through untouched and,
// when told to, spoils the brick's next reply on the way back. A reply that does not decode fails
// its one call with EINVAL, a call rejected at the RPC level fails with ENOTCONN (the errnos the
// stock client gives for them), and the connection goes on; a stream that cannot be a reply stream (a
// record longer than any reply, a message that is neither call nor reply) is dropped, the calls
// waiting on it fail with ENOTCONN, the log says why, and the client connects again. Nothing a
// peer sends ends the process. A port with no brick behind it (nothing listening, or a peer that
// never answers) is named in the graph's reason for not coming up.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Errno } from '../../runtime/errno.js';
import { Graph } from '../../runtime/graph.js';
import { processLog } from '../../runtime/log.js';
import { Brick } from '../support/brick.js';
import { clientVolfile, quietly, StackFixture } from '../support/stack.js';

type Spoil = 'truncate-body' | 'unknown-xid' | 'garbage-args' | 'denied' | 'huge-record' | 'not-a-reply';

/** A TCP proxy to the brick that, once armed, spoils the next reply record it carries back. */
class SpoilingProxy {
  armed: Spoil | null = null;
  /** Connections the client has made through the proxy (a reconnect makes one more). */
  connections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(brickPort: number): Promise<SpoilingProxy> {
    let proxy!: SpoilingProxy;
    const server = createServer((client) => proxy.carry(client, brickPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = new SpoilingProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  private carry(client: Socket, brickPort: number): void {
    this.connections++;
    const brick = connect(brickPort, '127.0.0.1');
    for (const s of [client, brick]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        brick.destroy();
      });
    }
    client.pipe(brick);
    // Replies are cut into records (GlusterFS sends each as one last fragment) so that one can be
    // spoiled whole.
    let pending = Buffer.alloc(0);
    brick.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4) {
        const size = pending.readUInt32BE(0) & 0x7fffffff;
        if (pending.length < 4 + size) break;
        const record = pending.subarray(0, 4 + size);
        pending = pending.subarray(4 + size);
        client.write(this.spoil(record));
      }
    });
  }

  private spoil(record: Buffer): Buffer {
    const spoil = this.armed;
    // Replies only (message type 1), and only fop replies: the handshake's are left alone.
    if (spoil === null || record.readUInt32BE(8) !== 1 || record.length < 40) return record;
    this.armed = null;
    const out = Buffer.from(record);
    switch (spoil) {
      case 'truncate-body': {
        // The RPC header and the reply's op_ret, then nothing: op_errno and xdata are missing.
        const cut = out.subarray(0, 4 + 24 + 4);
        cut.writeUInt32BE((0x80000000 | (cut.length - 4)) >>> 0, 0);
        return cut;
      }
      case 'unknown-xid':
        // An answer to a call never made, then the real one.
        out.writeUInt32BE((record.readUInt32BE(4) + 0x10000000) >>> 0, 4);
        return Buffer.concat([out, record]);
      case 'garbage-args':
        out.writeUInt32BE(4, 24); // accept_stat GARBAGE_ARGS: the brick could not read the call
        return out;
      case 'denied':
        out.writeUInt32BE(1, 12); // reply_stat MSG_DENIED
        out.writeUInt32BE(1, 16); // AUTH_ERROR
        out.writeUInt32BE(1, 20); // AUTH_BADCRED
        return out;
      case 'huge-record':
        // A record mark announcing 2 GiB - 1: no reply to any call is that long.
        return Buffer.from([0xff, 0xff, 0xff, 0xff]);
      case 'not-a-reply':
        out.writeUInt32BE(7, 8);
        return out;
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

describe('protocol/client against a peer that spoils replies', () => {
  let brick: Brick;
  let proxy: SpoilingProxy;
  let fx: StackFixture;
  const logged: string[] = [];
  let dropSink: () => void;
  let toStderr: boolean;

  beforeAll(async () => {
    brick = await Brick.create();
    proxy = await SpoilingProxy.start(brick.port);
    toStderr = processLog.toStderr;
    processLog.toStderr = false;
    dropSink = processLog.addSink((_level, _domain, message) => logged.push(message));
    fx = await StackFixture.create(clientVolfile(proxy.port, brick.path));
  });
  afterAll(async () => {
    await fx?.close();
    await proxy?.close();
    await brick?.remove();
    dropSink?.();
    processLog.toStderr = toStderr;
  });

  async function upAgain(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!fx.graph.isUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fx.graph.isUp).toBe(true);
  }

  it('fails the one call whose reply does not decode with EINVAL, and goes on on the same connection', async () => {
    const { loc } = await fx.create('/kept', 'twelve bytes');
    proxy.armed = 'truncate-body';
    const spoiled = await syncop.stat(fx.top, loc, null);
    expect(proxy.armed).toBeNull();
    expect([spoiled.opRet, spoiled.opErrno]).toEqual([-1, Errno.EINVAL]);
    expect(logged.some((m) => /STAT: undecodable reply from the brick/.test(m))).toBe(true);
    const next = await syncop.stat(fx.top, loc, null);
    expect(next.buf?.size).toBe(12);
    expect(proxy.connections).toBe(1);
  });

  it('ignores an answer to a call it never made', async () => {
    const loc = await fx.loc('/kept');
    proxy.armed = 'unknown-xid';
    expect((await syncop.stat(fx.top, loc, null)).buf?.size).toBe(12);
    expect(proxy.armed).toBeNull();
    expect(proxy.connections).toBe(1);
  });

  // RPC-level rejections fail the call alone; a stream that cannot be replies is dropped and made
  // again. Either way the call reports ENOTCONN and the log says why.
  it.each([
    ['garbage-args', /STAT: garbage arguments/, 'keeps'],
    ['denied', /STAT: call denied \(auth error 1\)/, 'keeps'],
    ['huge-record', /a record of 2147483647 bytes is beyond any reply/, 'drops'],
    ['not-a-reply', /undecodable record: message type 7/, 'drops'],
  ] as const)('fails the call with ENOTCONN when the reply is %s, says why, and %s the connection', async (spoil, why, connection) => {
    const loc = await fx.loc('/kept');
    const before = proxy.connections;
    proxy.armed = spoil;
    const r = await syncop.stat(fx.top, loc, null);
    expect(proxy.armed).toBeNull();
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.ENOTCONN]);
    expect(logged.some((m) => why.test(m))).toBe(true);
    if (connection === 'keeps') expect(fx.graph.isUp).toBe(true);
    else await upAgain();
    expect(proxy.connections).toBe(connection === 'keeps' ? before : before + 1);
    expect((await syncop.stat(fx.top, loc, null)).buf?.size).toBe(12);
  }, 30_000);
});

describe('protocol/client towards a port that is no brick', () => {
  /** Activate a client graph towards `port` and say why it did not come up within 1.5 s. */
  async function whyNotUp(port: number): Promise<string> {
    const graph = Graph.fromText(clientVolfile(port, '/bricks/b0', {}, 'c'), 'nobrick.vol');
    return await quietly(async () => {
      try {
        await graph.activate();
        return await graph.waitForChildUp(1500).then(
          () => 'came up',
          (e: Error) => e.message,
        );
      } finally {
        await graph.fini();
      }
    });
  }

  it('says the connection was refused when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    expect(await whyNotUp(port)).toBe(`the graph's top 'c' reported no CHILD_UP within 1500 ms (c: connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('says which call went unanswered when the peer accepts and says nothing, and hangs up on it when stopped', async () => {
    const quiet: Socket[] = [];
    let hungUp = 0;
    const server = createServer((s) => {
      quiet.push(s);
      s.on('end', () => hungUp++);
      s.resume(); // read (and drop) the calls, so that the hang-up is seen
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await whyNotUp(port)).toBe(`the graph's top 'c' reported no CHILD_UP within 1500 ms (c: no answer yet from 127.0.0.1:${port} to DUMP (is it a glusterfsd brick?))`);
      // fini() closed the connection still in its handshake: nothing waits on the silent peer.
      const deadline = Date.now() + 2000;
      while (hungUp < quiet.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect([quiet.length, hungUp]).toEqual([1, 1]);
    } finally {
      for (const s of quiet) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
