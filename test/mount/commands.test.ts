// The ways people mount: `mount -t xlfs` through the mount.xlfs helper, the xlfs daemon, and
// `xlfs umount`; and what happens when the server dies under a mount.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
