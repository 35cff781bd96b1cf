// Mounting and unmounting a FUSE connection without libfuse: mount(8) with the open /dev/fuse
// passed as its fd 3, and umount(8). Both are spawned asynchronously: umount (and anything else
// that touches the mount) must never wait on this process's own event loop, which serves it.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

export interface KernelMountOptions {
  fsname: string;
  /** Shown as fuse.<subtype> in /proc/mounts. */
  subtype: string;
  allowOther: boolean;
  defaultPermissions: boolean;
  readOnly: boolean;
  maxRead: number;
}

function run(command: string, args: string[], fd?: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
    if (fd !== undefined) stdio.push(fd);
    const child = spawn(command, args, { stdio });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: 127, stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

/** mount -i -t fuse.SUBTYPE -o fd=3,... : the kernel resolves fd=3 in mount's own process. */
export async function kernelMount(deviceFd: number, mountpoint: string, o: KernelMountOptions): Promise<void> {
  const options = [
    'fd=3',
    'rootmode=40000',
    'user_id=0',
    'group_id=0',
    `max_read=${o.maxRead}`,
    ...(o.defaultPermissions ? ['default_permissions'] : []),
    ...(o.allowOther ? ['allow_other'] : []),
    ...(o.readOnly ? ['ro'] : []),
  ];
  const { code, stderr } = await run('mount', ['-i', '-t', `fuse.${o.subtype}`, '-o', options.join(','), o.fsname, mountpoint], deviceFd);
  if (code !== 0) throw new Error(`mount ${mountpoint} failed: ${stderr || `exit ${code}`}`);
}

/** Mount points as /proc shows them: space, tab, newline and backslash escaped in octal. */
function escapeMountPath(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * Set the kernel's read-ahead for the filesystem mounted at `mountpoint` (its backing device's
 * read_ahead_kb in sysfs). The kernel starts a FUSE mount at 128 KiB, and sequential reads then
 * wait for one round trip to the brick every 128 KiB; network filesystems in the kernel read
 * further ahead (NFS 15 times rsize, CephFS 8 MiB). Files opened from now on use the new value.
 */
export function setReadAhead(mountpoint: string, kib: number): void {
  const escaped = escapeMountPath(mountpoint);
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').findLast((l) => l.split(' ')[4] === escaped);
  if (line === undefined) throw new Error(`${mountpoint} is not in /proc/self/mountinfo`);
  writeFileSync(`/sys/class/bdi/${line.split(' ')[2]}/read_ahead_kb`, `${Math.round(kib)}\n`);
}

/** Whether a FUSE filesystem is mounted at this path now. */
export function isFuseMounted(mountpoint: string): boolean {
  const mounts = readFileSync('/proc/mounts', 'utf8');
  return mounts.split('\n').some((line) => {
    const [, dir, type] = line.split(' ');
    return dir === escapeMountPath(mountpoint) && type !== undefined && type.startsWith('fuse');
  });
}

/** umount, then a lazy umount if the mount is busy: the mount goes away either way. */
export async function kernelUnmount(mountpoint: string): Promise<void> {
  if (!isFuseMounted(mountpoint)) return;
  const first = await run('umount', [mountpoint]);
  if (first.code === 0 || !isFuseMounted(mountpoint)) return;
  const lazy = await run('umount', ['-l', mountpoint]);
  if (lazy.code !== 0 && isFuseMounted(mountpoint)) throw new Error(`umount ${mountpoint} failed: ${lazy.stderr || first.stderr}`);
}

/**
 * If this process dies without unmounting, the mount would answer ENOTCONN until someone unmounts
 * it: a small detached watcher does that. It exits on its own once the mount is gone.
 */
export function startWatchdog(mountpoint: string, pid = process.pid): void {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  // The mount's line in /proc/mounts, matched as a fixed string, escaped as /proc escapes it.
  const entry = quote(` ${escapeMountPath(mountpoint)} fuse`);
  const script = `while kill -0 ${pid} 2>/dev/null && grep -qsF ${entry} /proc/mounts; do sleep 1; done; ` +
    `if grep -qsF ${entry} /proc/mounts; then umount -l ${quote(mountpoint)}; fi`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
}
