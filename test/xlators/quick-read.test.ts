// performance/quick-read over posix: a small file looked up is read without a readv reaching
// posix, at any offset; a change through the stack is never served stale; large files, O_DIRECT
// and expired content read through; the cache stays within cache-size.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Graph } from '../../runtime/graph.js';
import type { QuickRead } from '../../xlators/performance/quick-read/index.js';
import { overPosix, StackFixture } from '../support/stack.js';

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function stack(options: Record<string, string> = {}): Promise<StackFixture> {
  const fx = await StackFixture.create(overPosix({ name: 'qr', type: 'performance/quick-read', options }));
  open.push(fx);
  return fx;
}

/** Write a file behind the stack, then look it up and open it through the stack. */
async function lookedUp(fx: StackFixture, name: string, content: string | Buffer, flags = 0) {
  writeFileSync(join(fx.dir, name), content);
  const loc = await fx.loc(`/${name}`);
  const l = await syncop.lookup(fx.top, loc, null);
  fx.link(loc, l.buf!);
  const { fd } = await fx.open(`/${name}`, flags);
  return { loc, fd, lookup: l };
}

it('serves reads of a looked-up small file without posix, at any offset', async () => {
  const fx = await stack();
  const { fd, lookup } = await lookedUp(fx, 'small', 'quick read content');
  expect(lookup.xdata?.has('glusterfs.content') ?? false).toBe(false); // not handed to those above
  fx.probe().reset();
  expect(await fx.read(fd, 100)).toBe('quick read content');
  expect(await fx.read(fd, 4, 6)).toBe('read');
  expect(await fx.read(fd, 10, 50)).toBe('');
  expect(fx.probe().count('readv')).toBe(0);
  expect(fx.xlator<QuickRead>('qr').stats.hits).toBe(3);
});

it('never serves content older than a write made through it', async () => {
  const fx = await stack();
  const { fd } = await lookedUp(fx, 'changing', 'before', 2);
  expect(await fx.read(fd, 100)).toBe('before');
  expect((await syncop.writev(fx.top, fd, [Buffer.from('AFTER!')], 1, 0, 0, null, null)).opRet).toBe(6);
  fx.probe().reset();
  expect(await fx.read(fd, 100)).toBe('AFTER!');
  expect(fx.probe().count('readv')).toBe(1);
  await syncop.ftruncate(fx.top, fd, 3, null);
  expect(await fx.read(fd, 100)).toBe('AFT');
});

it('drops content whose attributes moved, as a later stat shows', async () => {
  const fx = await stack();
  const { fd, loc } = await lookedUp(fx, 'behind', 'one');
  writeFileSync(join(fx.dir, 'behind'), 'changed behind');
  await syncop.stat(fx.top, loc, null);
  expect(await fx.read(fd, 100)).toBe('changed behind');
});

it('reads larger files, O_DIRECT reads and expired content through posix', async () => {
  const fx = await stack({ 'max-file-size': '8KB', 'cache-timeout': '1' });
  const big = await lookedUp(fx, 'big', Buffer.alloc(9000, 7));
  fx.probe().reset();
  await fx.read(big.fd, 100);
  expect(fx.probe().count('readv')).toBe(1);
  const direct = await lookedUp(fx, 'direct', 'direct', 0o40000);
  fx.probe().reset();
  expect(await fx.read(direct.fd, 100)).toBe('direct');
  expect(fx.probe().count('readv')).toBe(1);
  const old = await lookedUp(fx, 'old', 'old');
  await new Promise((r) => setTimeout(r, 1050));
  fx.probe().reset();
  expect(await fx.read(old.fd, 100)).toBe('old');
  expect(fx.probe().count('readv')).toBe(1);
});

it('keeps no more than cache-size, dropping the least recently read', async () => {
  const fx = await stack({ 'cache-size': '10KB' });
  const a = await lookedUp(fx, 'a', Buffer.alloc(4096, 1));
  await lookedUp(fx, 'b', Buffer.alloc(4096, 2));
  await fx.read(a.fd, 10); // a is now the most recent
  await lookedUp(fx, 'c', Buffer.alloc(4096, 3)); // b goes
  const qr = fx.xlator<QuickRead>('qr');
  expect(qr.dump()).toMatchObject({ files: 2, bytes: 8192 });
  fx.probe().reset();
  await fx.read(a.fd, 10);
  expect(fx.probe().count('readv')).toBe(0);
});

it('rejects a max-file-size beyond GlusterFS range', () => {
  expect(() => Graph.fromText(overPosix({ name: 'qr', type: 'performance/quick-read', options: { 'max-file-size': '2MB' } }).replace('@DATA@', '/tmp'))).toThrow(/max-file-size/);
});
