// debug/io-stats over posix: counts, latency and bytes after a known run of fops; dumps through
// the virtual xattr (get and set), SIGUSR1 and the interval that a dump starts anew.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Dict } from '../../runtime/dict.js';
import { DUMP_DIR, DUMP_KEY } from '../../xlators/debug/io-stats/index.js';
import { overPosix, StackFixture } from '../support/stack.js';

interface Profile {
  volume: string;
  cumulative: { read_bytes: number; write_bytes: number; fops: Record<string, { count: number; errors: number; latency_us: { min: number; avg: number; max: number } }> };
  interval: { read_bytes: number; write_bytes: number; fops: Record<string, { count: number }> };
}

let fx: StackFixture;
beforeAll(async () => {
  fx = await StackFixture.create(overPosix({ name: 'stats', type: 'debug/io-stats', options: { 'latency-measurement': 'on' } }));
});
afterAll(() => fx.close());

async function profileViaXattr(): Promise<Profile> {
  const r = await syncop.getxattr(fx.top, await fx.loc('/'), DUMP_KEY, null);
  expect(r.opRet).toBe(0);
  return JSON.parse(r.dict!.getBuffer(DUMP_KEY)!.toString()) as Profile;
}

it('counts fops, bytes and latency, and answers the dump xattr itself', async () => {
  await profileViaXattr(); // start a fresh interval
  fx.probe().reset();
  const { fd } = await fx.create('/counted');
  for (let i = 0; i < 3; i++) await syncop.writev(fx.top, fd, [Buffer.alloc(1000, i)], 1, i * 1000, 0, null, null);
  await syncop.readv(fx.top, fd, 2500, 0, 0, null);
  await syncop.stat(fx.top, await fx.loc('/missing'), null);
  const p = await profileViaXattr();
  expect(fx.probe().calls).not.toContain('getxattr'); // the dump never reached posix
  const c = p.cumulative;
  expect(c.fops.CREATE!.count).toBe(1);
  expect(c.fops.WRITE!.count).toBe(3);
  expect(c.fops.READ!.count).toBe(1);
  expect(c.fops.STAT!.errors).toBe(1);
  expect([c.write_bytes, c.read_bytes]).toEqual([3000, 2500]);
  const l = c.fops.WRITE!.latency_us;
  expect(l.min).toBeGreaterThan(0);
  expect(l.min).toBeLessThanOrEqual(l.avg);
  expect(l.avg).toBeLessThanOrEqual(l.max);
  expect(p.interval.fops.WRITE!.count).toBe(3);
  expect(p.volume).toBe('stats');
});

it('starts a new interval at each dump and keeps the cumulative figures', async () => {
  const before = await profileViaXattr();
  await syncop.stat(fx.top, await fx.loc('/counted'), null);
  const after = await profileViaXattr();
  expect(after.interval.fops.STAT!.count).toBe(1);
  expect(after.interval.fops.WRITE).toBeUndefined();
  expect(after.cumulative.fops.STAT!.count).toBe(before.cumulative.fops.STAT!.count + 1);
});

it('writes the profile to the file a setxattr names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xlfs-iostats-'));
  try {
    const file = join(dir, 'profile.json');
    const r = await syncop.setxattr(fx.top, await fx.loc('/'), Dict.of({ [DUMP_KEY]: file }), 0, null);
    expect(r.opRet).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as Profile).cumulative.fops.CREATE!.count).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('writes the profile on SIGUSR1', async () => {
  const file = join(DUMP_DIR, `io-stats-stats-${process.pid}.json`);
  rmSync(file, { force: true });
  process.kill(process.pid, 'SIGUSR1');
  for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
  try {
    expect((JSON.parse(readFileSync(file, 'utf8')) as Profile).cumulative.fops.CREATE!.count).toBe(1);
  } finally {
    rmSync(file, { force: true });
  }
});
