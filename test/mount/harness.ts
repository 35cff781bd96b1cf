// Real mounts for tests: `withMount` starts `xlfs mount --foreground` on a fresh mount point as a
// child process, waits until the kernel has the mount, runs the test, and always unmounts and ends
// that process (by its PID) afterwards, so a failing test leaves nothing behind.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repo = join(import.meta.dirname, '../..');
export const xlfsBin = join(repo, 'dist/bin/xlfs.js');
const execFileP = promisify(execFile);

export interface Mounted {
  mnt: string;
  /** The directory a posix volume stores into (when the volfile uses @DATA@). */
  data: string;
  dir: string;
  server: ChildProcess;
  log: () => string;
}

export function requireFuse(): void {
  // CI must run these: a machine without /dev/fuse fails them rather than skipping them.
  if (!existsSync('/dev/fuse')) throw new Error('/dev/fuse is missing: the mount tests need FUSE');
  if (process.getuid?.() !== 0) throw new Error('the mount tests need root (mount(8) with fd=)');
}

function mounted(mnt: string): boolean {
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mnt);
}

/** Run a command with a shell; resolves with stdout, rejects with stderr on a non-zero exit. */
export async function sh(command: string, cwd?: string): Promise<string> {
  const { stdout } = await execFileP('bash', ['-c', command], { cwd, maxBuffer: 64 << 20, encoding: 'utf8' });
  return stdout;
}

/** A volfile's text with @DATA@ replaced by the test's data directory. */
export async function withMount(volfile: string, fn: (m: Mounted) => Promise<void>, mountOptions: string[] = []): Promise<void> {
  requireFuse();
  const dir = mkdtempSync(join(tmpdir(), 'xlfs-mount-'));
  const data = join(dir, 'data');
  const mnt = join(dir, 'mnt');
  mkdirSync(data);
  mkdirSync(mnt);
  const vol = join(dir, 'test.vol');
  writeFileSync(vol, volfile.replace(/@DATA@/g, data));
  let output = '';
  const server = spawn(process.execPath, [xlfsBin, 'mount', '--foreground', ...mountOptions.flatMap((o) => ['-o', o]), vol, mnt], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const m: Mounted = { mnt, data, dir, server, log: () => output };
  try {
    const deadline = Date.now() + 20_000;
    while (!output.includes('] I [mount] mounted ')) {
      if (server.exitCode !== null) throw new Error(`xlfs mount exited ${server.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`xlfs mount did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await fn(m);
  } finally {
    await unmount(m);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function unmount(m: Mounted): Promise<void> {
  if (mounted(m.mnt)) {
    await execFileP('umount', [m.mnt]).catch(() => execFileP('umount', ['-l', m.mnt]).catch(() => undefined));
  }
  const exited = new Promise<void>((resolve) => (m.server.exitCode !== null ? resolve() : m.server.once('exit', () => resolve())));
  const timer = setTimeout(() => m.server.kill('SIGKILL'), 10_000);
  if (m.server.exitCode === null) m.server.kill('SIGTERM');
  await exited;
  clearTimeout(timer);
  if (mounted(m.mnt)) await execFileP('umount', ['-l', m.mnt]).catch(() => undefined);
}

export const posixVolfile = `
volume posix
    type storage/posix
    option directory @DATA@
end-volume
`;

/** spec/volfiles/seed-stack.vol (the GlusterFS client stack) with its posix storing in @DATA@. */
export const seedStackVolfile = readFileSync(join(repo, 'spec/volfiles/seed-stack.vol'), 'utf8').replace(
  /(volume posix\n\s+type storage\/posix\n\s+option directory )\S+/,
  '$1@DATA@',
);

/** Run a command expected to fail: its exit code and everything it printed. */
export async function shFails(command: string): Promise<{ code: number; output: string }> {
  try {
    const out = await sh(`{ ${command}; } 2>&1`);
    return { code: 0, output: out };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: err.code ?? -1, output: err.stdout ?? '' };
  }
}
