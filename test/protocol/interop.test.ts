// Interop, the real proof: one brick mounted at the same time by xlfs and by the stock glusterfs
// FUSE client. A tree written through either one reads back through the other byte for byte, with
// the same modes, owners, times and extended attributes.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFuse, sh, withMount } from '../mount/harness.js';
import { Brick } from '../support/brick.js';

/** The client side both mounts use: protocol/client to the brick, features/utime above it. */
function clientVolfile(brick: Brick): string {
  return `volume interop-client-0
    type protocol/client
    option remote-host 127.0.0.1
    option remote-port ${brick.port}
    option remote-subvolume ${brick.path}
    option transport-type tcp
end-volume

volume interop-utime
    type features/utime
    option noatime on
    subvolumes interop-client-0
end-volume
`;
}

/** The stock client, in the foreground so that the PID is ours, with the kernel caches off. */
async function mountStock(brick: Brick, mnt: string): Promise<ChildProcess> {
  const vol = join(brick.dir, 'stock-client.vol');
  writeFileSync(vol, clientVolfile(brick));
  const child = spawn('/usr/sbin/glusterfs', ['-N', '-f', vol, '-l', join(brick.dir, 'stock-client.log'), '--attribute-timeout=0', '--entry-timeout=0', '--negative-timeout=0', mnt], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mounted = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mnt);
    if (mounted) {
      try {
        readdirSync(mnt);
        return child;
      } catch {
        // mounted but not serving yet
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the stock glusterfs client did not mount:\n${readFileSync(join(brick.dir, 'stock-client.log'), 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function unmountStock(child: ChildProcess, mnt: string): Promise<void> {
  try {
    execFileSync('umount', [mnt]);
  } catch {
    execFileSync('umount', ['-l', mnt]);
  }
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Write a tree with the things people keep in files: sizes, modes, owners, times, xattrs, links. */
async function writeTree(root: string, tag: string): Promise<void> {
  const base = join(root, tag);
  mkdirSync(join(base, 'sub/deeper'), { recursive: true });
  const sizes = [0, 1, 4095, 4096, 131072, 1 << 20, 3 * (1 << 20) + 17];
  for (const [i, size] of sizes.entries()) {
    const data = Buffer.alloc(size);
    for (let j = 0; j < size; j++) data[j] = (j * 31 + i) & 0xff;
    writeFileSync(join(base, i % 2 ? 'sub' : '', `file-${i}`), data);
  }
  writeFileSync(join(base, 'sub/deeper/note.txt'), 'a note\n');
  await sh(`cd ${base} && ln -s sub/deeper/note.txt link && ln sub/deeper/note.txt hard && chmod 640 file-0 && chmod 2751 sub && chown 1234:5678 file-2 && setfattr -n user.colour -v blue file-4 && setfattr -n user.empty file-0 && touch -h -d '2020-02-29 12:34:56.123456789' file-6 && touch -d '2001-09-09 01:46:40' sub/deeper`);
}

interface Entry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  mtime: string;
  content?: string;
  target?: string;
  xattrs: string;
}

function snapshot(root: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    const p = join(root, rel);
    const st = lstatSync(p, { bigint: true });
    const e: Entry = {
      type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file',
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: st.isDirectory() ? 0 : Number(st.size),
      nlink: st.isDirectory() ? 0 : Number(st.nlink),
      mtime: st.mtimeNs.toString(),
      xattrs: execFileSync('getfattr', ['-h', '-d', '-m', '^user\\.', '-e', 'hex', '--absolute-names', p], { encoding: 'utf8' }).replace(/^# file: .*\n/m, ''),
    };
    if (st.isSymbolicLink()) e.target = readlinkSync(p);
    else if (st.isFile()) e.content = createHash('sha256').update(readFileSync(p)).digest('hex');
    out.set(rel, e);
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(rel === '' ? name : `${rel}/${name}`);
  };
  walk('');
  return out;
}

describe('one brick, the stock client and xlfs at once', () => {
  let brick: Brick;
  beforeAll(async () => {
    requireFuse();
    brick = await Brick.create();
  });
  afterAll(async () => {
    await brick?.remove();
  });

  it('reads through each client exactly what the other wrote', async () => {
    const stockMnt = join(brick.dir, 'stock');
    mkdirSync(stockMnt);
    const stock = await mountStock(brick, stockMnt);
    try {
      await withMount(clientVolfile(brick), async ({ mnt }) => {
        await writeTree(stockMnt, 'from-stock');
        await writeTree(mnt, 'from-xlfs');
        const viaStock = snapshot(stockMnt);
        const viaXlfs = snapshot(mnt);
        expect([...viaXlfs.keys()]).toEqual([...viaStock.keys()]);
        for (const [path, entry] of viaStock) expect({ path, ...viaXlfs.get(path) }).toEqual({ path, ...entry });
        // Both trees hold the same things, whoever wrote them (times only where they were set).
        const subtree = (tag: string) =>
          [...viaStock]
            .filter(([p]) => p.startsWith(`${tag}/`))
            .map(([p, e]) => [p.slice(tag.length), { ...e, mtime: /file-6$|deeper$/.test(p) ? e.mtime : '' }]);
        expect(subtree('from-xlfs')).toEqual(subtree('from-stock'));
        expect(subtree('from-xlfs').length).toBe(12);
      }, ['attribute-timeout=0', 'entry-timeout=0', 'negative-timeout=0']);
    } finally {
      await unmountStock(stock, stockMnt);
    }
  }, 120_000);
});
