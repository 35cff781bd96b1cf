// meta over posix: /.meta answers from the live graph (type, options, subvolumes, profile, volfile,
// process), never reaches posix, refuses every change, and stays out of the root's listing; then
// the same through a real mount of the seed stack, read with cat, ls and readlink.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { Errno } from '../../runtime/errno.js';
import { Fd } from '../../runtime/fd.js';
import { sh, seedStackVolfile, shFails, withMount } from '../mount/harness.js';
import { stackVolfile, StackFixture } from '../support/stack.js';

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function stack(): Promise<StackFixture> {
  const fx = await StackFixture.create(
    stackVolfile([
      { name: 'posix', type: 'storage/posix', options: { directory: '@DATA@' } },
      { name: 'probe', type: 'test/probe' },
      { name: 'wb', type: 'performance/write-behind', options: { 'cache-size': '2MB' } },
      { name: 'stats', type: 'debug/io-stats', options: { 'latency-measurement': 'on' } },
      { name: 'meta', type: 'meta' },
    ]),
  );
  open.push(fx);
  return fx;
}

async function readMeta(fx: StackFixture, path: string): Promise<string> {
  const { fd, opRet, opErrno } = await fx.open(path, 0);
  if (opRet !== 0) throw new Error(`open ${path}: errno ${opErrno}`);
  let out = '';
  for (let offset = 0; ; ) {
    const r = await syncop.readv(fx.top, fd, 7, offset, 0, null); // small reads: offsets must hold
    if (r.opRet < 0) throw new Error(`read ${path}: errno ${r.opErrno}`);
    if (r.opRet === 0) return out;
    out += Buffer.concat(r.vector!).toString();
    offset += r.opRet;
  }
}

/** graphs/active is a symlink, as in GlusterFS: the graph's own directory, which paths below go through. */
async function activeGraph(fx: StackFixture): Promise<string> {
  const r = await syncop.readlink(fx.top, await fx.loc('/.meta/graphs/active'), 4096, null);
  expect(r.path).toMatch(/^graph-[0-9a-f]{8}$/);
  return `/.meta/graphs/${r.path}`;
}

async function list(fx: StackFixture, path: string): Promise<string[]> {
  const loc = await fx.loc(path);
  const l = await syncop.lookup(fx.top, loc, null);
  if (l.opRet !== 0) throw new Error(`lookup ${path}: errno ${l.opErrno}`);
  fx.link(loc, l.buf!);
  const fd = new Fd(loc.inode, 0);
  expect((await syncop.opendir(fx.top, loc, fd, null)).opRet).toBe(0);
  const names: string[] = [];
  for (let offset = 0; ; ) {
    const r = await syncop.readdirp(fx.top, fd, 4096, offset, null);
    expect(r.opRet).toBeGreaterThanOrEqual(0);
    if (r.entries!.length === 0) return names;
    for (const e of r.entries!) names.push(e.name);
    offset = r.entries![r.entries!.length - 1]!.offset;
  }
}

it('shows each translator: type, name, options, subvolumes, private state and profile', async () => {
  const fx = await stack();
  fx.probe().reset();
  const g = (await activeGraph(fx)).slice('/.meta/'.length);
  expect((await list(fx, `/.meta/${g}/wb`)).sort()).toEqual(['.', '..', 'name', 'options', 'private', 'subvolumes', 'type']);
  expect(await readMeta(fx, `/.meta/${g}/wb/type`)).toBe('performance/write-behind\n');
  expect(await readMeta(fx, `/.meta/${g}/wb/name`)).toBe('wb\n');
  expect(await readMeta(fx, `/.meta/${g}/wb/options/cache-size`)).toBe(`${2 * 1024 * 1024}\n`);
  expect(await readMeta(fx, `/.meta/${g}/wb/options/flush-behind`)).toBe('true\n'); // the default, filled in
  expect(await list(fx, `/.meta/${g}/wb/subvolumes`)).toEqual(['.', '..', '0']);
  const link = await syncop.readlink(fx.top, await fx.loc(`/.meta/${g}/wb/subvolumes/0`), 4096, null);
  expect(link.path).toBe('../../probe');
  expect(JSON.parse(await readMeta(fx, `/.meta/${g}/wb/private`))).toHaveProperty('acknowledged');
  expect(await list(fx, `/.meta/${g}/stats`)).toContain('profile');
  expect(fx.probe().calls).toEqual([]); // none of it went below meta
});

it('shows the volfile, the top, the process and the io-stats profile as it moves', async () => {
  const fx = await stack();
  expect(await list(fx, '/.meta')).toEqual(['.', '..', 'cmdline', 'graphs', 'process_uuid', 'version']);
  const g = await activeGraph(fx);
  const volfile = await readMeta(fx, `${g}/volfile`);
  expect(volfile).toMatch(/volume wb\n\s+type performance\/write-behind\n\s+option cache-size 2MB\n\s+subvolumes probe\nend-volume/);
  expect((await syncop.readlink(fx.top, await fx.loc(`${g}/top`), 4096, null)).path).toBe('meta');
  expect(await readMeta(fx, '/.meta/cmdline')).toBe(process.argv.join(' ') + '\n');
  expect(await readMeta(fx, '/.meta/version')).toMatch(/^xlfs \d+\.\d+\.\d+\nnode v\d+/);
  expect(await readMeta(fx, '/.meta/process_uuid')).toContain(`-${process.pid}-`);
  const before = JSON.parse(await readMeta(fx, `${g}/stats/profile`));
  await fx.create('/f', 'hello');
  const after = JSON.parse(await readMeta(fx, `${g}/stats/profile`));
  expect(after.cumulative.fops.CREATE?.count ?? 0).toBe((before.cumulative.fops.CREATE?.count ?? 0) + 1);
});

it('answers a stable identity: the same path is the same gfid, the size is what a read returns', async () => {
  const fx = await stack();
  const g = await activeGraph(fx);
  const a = await syncop.lookup(fx.top, await fx.loc(`${g}/wb/type`), null);
  const b = await syncop.lookup(fx.top, await fx.loc(`${g}/wb/type`), null);
  expect(a.buf!.gfid).toBe(b.buf!.gfid);
  expect(a.buf!.size).toBe('performance/write-behind\n'.length);
  expect(a.buf!.mode).toBe(0o100444);
  expect((await syncop.lookup(fx.top, await fx.loc(`${g}/nosuch`), null)).opErrno).toBe(Errno.ENOENT);
});

it('refuses every change under /.meta, and hides it from the root listing', async () => {
  const fx = await stack();
  fx.probe().reset();
  const { opErrno: openErr } = await fx.open('/.meta/version', 2);
  expect(openErr).toBe(Errno.EPERM);
  expect((await syncop.mkdir(fx.top, await fx.loc('/.meta/x'), 0o755, 0, null)).opErrno).toBe(Errno.EPERM);
  expect((await syncop.unlink(fx.top, await fx.loc('/.meta/version'), 0, null)).opErrno).toBe(Errno.EPERM);
  expect((await syncop.mkdir(fx.top, await fx.loc('/.meta'), 0o755, 0, null)).opErrno).toBe(Errno.EPERM);
  const dict = StackFixture.dict({ 'user.x': '1' });
  expect((await syncop.setxattr(fx.top, await fx.loc('/.meta/cmdline'), dict, 0, null)).opErrno).toBe(Errno.EPERM);
  expect(fx.probe().calls).toEqual([]);
  expect(existsSync(join(fx.dir, '.meta'))).toBe(false);
  await fx.create('/visible');
  expect((await list(fx, '/')).filter((n) => n !== '.' && n !== '..')).toEqual(['visible']);
});

it('reads through a real mount of the seed stack: cat, ls, readlink, and writes refused', async () => {
  await withMount(seedStackVolfile, async (m) => {
    const meta = join(m.mnt, '.meta');
    expect((await sh(`ls -A ${m.mnt}`)).trim()).toBe('');
    expect((await sh(`ls ${meta}`)).trim().split('\n')).toEqual(['cmdline', 'graphs', 'process_uuid', 'version']);
    expect(await sh(`cat ${meta}/graphs/active/seed-write-behind/type`)).toBe('performance/write-behind\n');
    expect(await sh(`cat ${meta}/graphs/active/volfile`)).toContain('type performance/io-threads');
    expect((await sh(`readlink ${meta}/graphs/active/top`)).trim()).toBe('meta-autoload');
    expect((await sh(`ls ${meta}/graphs/active/seed-io-threads/subvolumes/0/`)).split('\n')).toContain('type');
    await sh(`echo hi > ${m.mnt}/a; cat ${m.mnt}/a`);
    const profile = JSON.parse(readFileSync(`${meta}/graphs/active/seed/profile`, 'utf8'));
    expect(profile.cumulative.fops.CREATE.count).toBeGreaterThanOrEqual(1);
    // The profile grows as it is read: reads bypass the page cache and stop at the real end.
    const again = JSON.parse(await sh(`cat ${meta}/graphs/active/seed/profile`));
    expect(again.cumulative.fops.LOOKUP.count).toBeGreaterThan(profile.cumulative.fops.LOOKUP.count - 1);
    expect((await shFails(`echo x > ${meta}/version`)).code).not.toBe(0);
    expect((await shFails(`mkdir ${meta}/d`)).output).toMatch(/Operation not permitted/);
    expect(existsSync(join(m.data, '.meta'))).toBe(false);
  });
});
