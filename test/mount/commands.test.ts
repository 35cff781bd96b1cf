// The ways people mount: `mount -t xlfs` through the mount.xlfs helper, the xlfs daemon, and
// `xlfs umount`; and what happens when the server dies under a mount.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Brick } from '../support/brick.js';
import { clientVolfile } from '../support/stack.js';
import { requireFuse, sh, shFails, xlfsBin } from './harness.js';

function mounted(mnt: string): boolean {
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mnt);
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function scratch(): { dir: string; data: string; mnt: string; vol: string } {
  requireFuse();
  const dir = mkdtempSync(join(tmpdir(), 'xlfs-cmd-'));
  const data = join(dir, 'data');
  const mnt = join(dir, 'mnt');
  mkdirSync(data);
  mkdirSync(mnt);
  const vol = join(dir, 'local.vol');
  writeFileSync(vol, `volume posix\n    type storage/posix\n    option directory ${data}\nend-volume\n`);
  return { dir, data, mnt, vol };
}

/**
 * A scratch local volume mounted by the xlfs daemon with `options` for `body`; then `xlfs umount`,
 * which must end the daemon. Nothing is left mounted or on disk, whatever happens.
 */
async function withDaemon(options: string, body: (m: { pid: string; data: string; mnt: string }) => Promise<void>): Promise<void> {
  const { dir, data, mnt, vol } = scratch();
  try {
    const pid = (await sh(`node ${xlfsBin} mount ${options} ${vol} ${mnt}`)).trim();
    await body({ pid, data, mnt });
    await sh(`node ${xlfsBin} umount ${mnt}`);
    await waitFor(() => !serverRunning(vol));
  } finally {
    if (mounted(mnt)) await sh(`umount -l ${mnt}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('mounting commands', () => {
  it('mount -t xlfs goes through mount.xlfs and the daemon; xlfs umount ends it', async () => {
    const { dir, data, mnt, vol } = scratch();
    try {
      if (!existsSync('/sbin/mount.xlfs')) throw new Error('/sbin/mount.xlfs is missing: run scripts/setup');
      await sh(`mount -t xlfs -o attribute-timeout=0.5,fsname=testvol ${vol} ${mnt}`);
      expect(mounted(mnt)).toBe(true);
      expect(await sh(`grep ' ${mnt} ' /proc/mounts | cut -d' ' -f1,3`)).toBe('testvol fuse.xlfs\n');
      writeFileSync(`${mnt}/through-mount`, 'ok');
      expect(readFileSync(`${data}/through-mount`, 'utf8')).toBe('ok');
      await sh(`node ${xlfsBin} umount ${mnt}`);
      expect(mounted(mnt)).toBe(false);
      await waitFor(() => !serverRunning(vol));
    } finally {
      if (mounted(mnt)) await sh(`umount -l ${mnt}`);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad volfile fails the mount at once with the line and the reason', async () => {
    const { dir, mnt } = scratch();
    try {
      const vol = join(dir, 'bad.vol');
      writeFileSync(vol, 'volume posix\n    type storage/posixx\nend-volume\n');
      const r = await shFails(`node ${xlfsBin} mount ${vol} ${mnt}`);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(new RegExp(`^xlfs: ${vol}:2: volume 'posix': unknown translator type 'storage/posixx' \\(known: .*\\)\\n$`));
      expect(mounted(mnt)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a brick that refuses the volume fails the daemon mount with the brick\'s reason, and no daemon stays', async () => {
    const { dir, mnt } = scratch();
    const brick = await Brick.create();
    try {
      const vol = join(dir, 'refused.vol');
      writeFileSync(vol, `volume c\n    type protocol/client\n    option remote-host 127.0.0.1\n    option remote-port ${brick.port}\n    option remote-subvolume /no/such/brick\nend-volume\n`);
      const started = Date.now();
      const r = await shFails(`node ${xlfsBin} mount ${vol} ${mnt}`);
      expect(r.code).toBe(1);
      // The daemon's own words, not "run with --foreground to see why".
      expect(r.output).toMatch(/^xlfs: .*remote-subvolume '\/no\/such\/brick'/);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(mounted(mnt)).toBe(false);
      await waitFor(() => !serverRunning(vol));
    } finally {
      await brick.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a brick not up yet: the mount comes up at once, says so, answers ENOTCONN, and serves once the brick starts', async () => {
    const { dir, mnt } = scratch();
    const brick = await Brick.create({ start: false });
    try {
      const vol = join(dir, 'later.vol');
      writeFileSync(vol, clientVolfile(brick.port, brick.path));
      const started = Date.now();
      // The stock client does the same with its bricks down (checked on this machine): it mounts,
      // and every operation fails with ENOTCONN until a reconnect finds the brick.
      const output = await sh(`node ${xlfsBin} mount ${vol} ${mnt} 2>&1`);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(output).toMatch(new RegExp(`^xlfs: warning: mounted with nothing to serve yet \\(brick-client: .*ECONNREFUSED 127\\.0\\.0\\.1:${brick.port}.*\\): operations fail with ENOTCONN`, 'm'));
      expect(mounted(mnt)).toBe(true);
      expect(() => statSync(join(mnt, 'f'))).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
      expect(() => writeFileSync(join(mnt, 'f'), 'x')).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));

      await brick.start();
      await waitFor(() => {
        try {
          writeFileSync(join(mnt, 'f'), 'after the brick came up');
          return true;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOTCONN') throw e;
          return false;
        }
      }, 15_000);
      expect(readFileSync(join(brick.path, 'f'), 'utf8')).toBe('after the brick came up');
      await sh(`node ${xlfsBin} umount ${mnt}`);
      await waitFor(() => !serverRunning(vol));
    } finally {
      if (mounted(mnt)) await sh(`umount -l ${mnt}`);
      await brick.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('reads /dev/fuse on the event loop by default, or with -o reader-thread-count threads; sets the read-ahead', async () => {
    for (const { options, threads, readAheadKb } of [
      { options: '', threads: 0, readAheadKb: 1024 },
      { options: '-o reader-thread-count=2,read-ahead-kb=256', threads: 2, readAheadKb: 256 },
    ]) {
      await withDaemon(options, async ({ pid, data, mnt }) => {
        const content = Buffer.alloc(3 << 20);
        for (let i = 0; i < content.length; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i);
        writeFileSync(`${mnt}/file`, content);
        expect(readFileSync(`${data}/file`).equals(content)).toBe(true);
        await sh(`echo 3 > /proc/sys/vm/drop_caches`);
        expect(readFileSync(`${mnt}/file`).equals(content)).toBe(true);
        // Threads parked in read(2) on the device: syscall 0 with the device's fd as first argument.
        const fuseFd = readdirSync(`/proc/${pid}/fd`).find((fd) => readlinkOr(`/proc/${pid}/fd/${fd}`) === '/dev/fuse');
        expect(fuseFd).toBeDefined();
        const parkedReaders = () => readdirSync(`/proc/${pid}/task`).filter((tid) => {
          const call = readFileOr(`/proc/${pid}/task/${tid}/syscall`).split(' ');
          return call[0] === '0' && Number(call[1]) === Number(fuseFd);
        }).length;
        await waitFor(() => parkedReaders() === threads, 5000);
        await new Promise((r) => setTimeout(r, 200));
        expect(parkedReaders()).toBe(threads);
        const device = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === mnt)!.split(' ')[2];
        expect(readFileSync(`/sys/class/bdi/${device}/read_ahead_kb`, 'utf8').trim()).toBe(String(readAheadKb));
      });
    }
  });

  it('with -o busy-poll-us the daemon keeps running for that long after a request, then sleeps; without it, it sleeps at once', async () => {
    // The main thread's time on a CPU (first field of schedstat, in ns) across a quiet spell that
    // starts right after one request.
    const onCpuMs = (pid: string) => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    const spell = async (pid: string, mnt: string, ms: number) => {
      statSync(`${mnt}/file`);
      const before = onCpuMs(pid);
      await new Promise((r) => setTimeout(r, ms));
      return onCpuMs(pid) - before;
    };
    for (const windowUs of [0, 100_000]) {
      await withDaemon(`-o busy-poll-us=${windowUs},attribute-timeout=0`, async ({ pid, data, mnt }) => {
        writeFileSync(`${data}/file`, 'x');
        const during = await spell(pid, mnt, 80);
        await new Promise((r) => setTimeout(r, 150));
        const before = onCpuMs(pid);
        await new Promise((r) => setTimeout(r, 200));
        const idle = onCpuMs(pid) - before;
        // Spinning through the 80 ms takes most of them (a share of them on a busy machine);
        // sleeping takes well under a millisecond.
        if (windowUs === 0) expect(during).toBeLessThan(5);
        else expect(during).toBeGreaterThan(15);
        expect(idle).toBeLessThan(10); // a quiet mount costs nothing either way
      });
    }
  });

  it('a server killed with SIGKILL does not leave the mount wedged: the watchdog unmounts it', async () => {
    const { dir, mnt, vol } = scratch();
    try {
      const pid = (await sh(`node ${xlfsBin} mount ${vol} ${mnt}`)).trim();
      expect(mounted(mnt)).toBe(true);
      process.kill(Number(pid), 'SIGKILL');
      await waitFor(() => !mounted(mnt), 10_000);
      expect(await sh(`ls ${mnt}`)).toBe('');
    } finally {
      if (mounted(mnt)) await sh(`umount -l ${mnt}`);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Whether an xlfs process serving this volfile is still running. */
function serverRunning(vol: string): boolean {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.endsWith('xlfs.js')) && args.includes('mount') && args.includes(vol)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}
