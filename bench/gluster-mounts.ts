// One loopback brick mounted at once by the stock glusterfs client and by xlfs, all with the same
// client volfile (bench/gluster-client.vol): what the side-by-side scripts (gluster-pair.ts,
// placement.ts) stand on. Everything started here is stopped and removed when the body ends,
// however it ends.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Brick } from '../test/support/brick.js';
import { glusterClientVolfile } from './common.js';
import { sh } from './workloads.js';

const repo = join(import.meta.dirname, '..');

/** A column of the comparison: the stock client, or xlfs with extra mount options. */
export interface GlusterClient {
  name: string;
  kind: 'stock' | 'xlfs';
  /** `-o` options for an xlfs mount. */
  options?: string;
  /** The xlfs entry point to mount with (another build's dist/bin/xlfs.js); default: this tree's. */
  bin?: string;
}

/** The process serving a mount (the stock client or an xlfs daemon): the one whose arguments name the mountpoint. */
export function serverOf(mountpoint: string): number {
  for (const line of sh('ps -eo pid=,args=').split('\n')) {
    const [pid, ...argv] = line.trim().split(/\s+/);
    if (argv.includes(mountpoint) && /glusterfs$|node$/.test(argv[0] ?? '')) return Number(pid);
  }
  throw new Error(`no process serves ${mountpoint}`);
}

/** Mount every client on a fresh brick under `work`, run `body` with their mountpoints by name, tear down. */
export async function withGlusterClients<T>(work: string, clients: readonly GlusterClient[], body: (mountpoints: Record<string, string>, brick: Brick) => T | Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0) throw new Error('run as root: mounting needs it');
  rmSync(work, { recursive: true, force: true });
  const mountpoints: Record<string, string> = Object.fromEntries(clients.map((c, i) => [c.name, join(work, `client${i}`)]));
  for (const dir of Object.values(mountpoints)) mkdirSync(dir, { recursive: true });
  const brick = await Brick.create({ parent: work });
  const vol = join(work, 'client.vol');
  writeFileSync(vol, glusterClientVolfile(brick));
  const mounted: GlusterClient[] = [];
  try {
    for (const c of clients) {
      const at = mountpoints[c.name]!;
      if (c.kind === 'stock') sh(`glusterfs -f ${vol} -l ${work}/stock.log ${at}`);
      else sh(`node ${c.bin ?? `${repo}/dist/bin/xlfs.js`} mount ${c.options === undefined ? '' : `-o ${c.options}`} ${vol} ${at}`);
      mounted.push(c);
    }
    return await body(mountpoints, brick);
  } finally {
    for (const c of mounted) {
      if (c.kind === 'stock') spawnSync('umount', [mountpoints[c.name]!]);
      else spawnSync('node', [c.bin ?? `${repo}/dist/bin/xlfs.js`, 'umount', mountpoints[c.name]!]);
    }
    for (let i = 0; i < 100 && sh(`pgrep -f '${vol}' || true`).trim() !== ''; i++) sh('sleep 0.1');
    await brick.remove();
    rmSync(work, { recursive: true, force: true });
  }
}
