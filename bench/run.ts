// Benchmarks, side by side in one run on the same backing filesystem: the plain directory, xlfs
// over storage/posix and over the seed stack (spec/volfiles/seed-stack.vol), the usual FUSE
// alternatives for a local pass-through mount (mergerfs, bindfs), and one loopback GlusterFS
// brick mounted by the stock glusterfs client and by xlfs with the same client volfile
// (bench/gluster-client.vol). Each figure is the median of --runs runs; the table gives the ratio
// of xlfs-posix to each peer, and of xlfs-gluster to gluster-stock. Not a test: run it as root:
//   npx tsx bench/run.ts [--runs 3] [--seconds 5] [--size 512] [--only a,b] [--workloads seq,create] [--record]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Brick } from '../test/support/brick.js';
import { args, glusterClientVolfile, median, numberOption, record, recordResult, stringOption } from './common.js';
import { cleanUp, sh, workloadsFor } from './workloads.js';

const repo = join(import.meta.dirname, '..');
const runs = numberOption('runs', 3);
const seconds = numberOption('seconds', 5);
const sizeMiB = numberOption('size', 512);
const metaFiles = numberOption('meta-files', 2000);
const workloads = workloadsFor({ sizeMiB, seconds, metaFiles, only: stringOption('workloads') });
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? new Set(args[onlyIndex + 1]!.split(',')) : null;

const work = '/var/tmp/xlfs-bench';
const backing = join(work, 'backing');
const mnt = join(work, 'mnt');

interface Config {
  name: string;
  mount(): void | Promise<void>;
  unmount(): void | Promise<void>;
  /** Where the workloads run. */
  dir: string;
}

function fuseUnmount(): void {
  spawnSync('umount', [mnt]);
  spawnSync('umount', ['-l', mnt]);
}

function xlfsConfig(name: string, volfile: string, mountOptions = ''): Config {
  return {
    name,
    dir: mnt,
    mount() {
      const vol = join(work, `${name}.vol`);
      writeFileSync(vol, readFileSync(join(repo, volfile), 'utf8'));
      sh(`node ${repo}/dist/bin/xlfs.js mount ${mountOptions} --xlator-option posix.directory=${backing} ${vol} ${mnt}`);
    },
    unmount() {
      sh(`node ${repo}/dist/bin/xlfs.js umount ${mnt}`);
      // The daemon exits once the kernel closes the connection.
      for (let i = 0; i < 100 && sh(`pgrep -f 'xlfs.js mount.*${name}.vol' || true`).trim() !== ''; i++) sh('sleep 0.1');
    },
  };
}

/** One brick on the bench's filesystem, mounted through `client` (stock glusterfs or xlfs). */
function glusterConfig(name: string, client: 'stock' | 'xlfs'): Config {
  let brick: Brick | null = null;
  return {
    name,
    dir: mnt,
    async mount() {
      brick = await Brick.create({ parent: work });
      const vol = join(work, `${name}.vol`);
      writeFileSync(vol, glusterClientVolfile(brick));
      if (client === 'stock') sh(`glusterfs -f ${vol} -l ${work}/${name}.log ${mnt}`);
      else sh(`node ${repo}/dist/bin/xlfs.js mount ${vol} ${mnt}`);
    },
    async unmount() {
      // Also after a mount that failed: nothing to unmount then, but the brick must go.
      if (client === 'stock') fuseUnmount();
      else spawnSync('node', [`${repo}/dist/bin/xlfs.js`, 'umount', mnt]);
      for (let i = 0; i < 100 && sh(`pgrep -f '${name}.vol' || true`).trim() !== ''; i++) sh('sleep 0.1');
      await brick?.remove();
      brick = null;
    },
  };
}

const glusterInstalled = existsSync('/usr/sbin/glusterfsd') && existsSync('/usr/sbin/glusterfs');
const allConfigs: Config[] = [
  { name: 'plain', dir: backing, mount() {}, unmount() {} },
  xlfsConfig('xlfs-posix', 'spec/volfiles/local.vol'),
  xlfsConfig('xlfs-fuse-native', 'spec/volfiles/local.vol', '-o transport=fuse-native'),
  ...(existsSync(join(repo, 'spec/volfiles/seed-stack.vol')) ? [xlfsConfig('xlfs-seed-stack', 'spec/volfiles/seed-stack.vol')] : []),
  { name: 'mergerfs', dir: mnt, mount: () => void sh(`mergerfs -o allow_other,use_ino,cache.files=off ${backing} ${mnt}`), unmount: fuseUnmount },
  { name: 'bindfs', dir: mnt, mount: () => void sh(`bindfs -o allow_other ${backing} ${mnt}`), unmount: fuseUnmount },
  ...(glusterInstalled ? [glusterConfig('gluster-stock', 'stock'), glusterConfig('xlfs-gluster', 'xlfs')] : []),
];
const configs = allConfigs.filter((c) => only === null || only.has(c.name) || c.name === 'plain');

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: mounting needs it');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(backing, { recursive: true });
  mkdirSync(mnt, { recursive: true });
  const results = new Map<string, Map<string, number>>();
  for (const c of configs) {
    const perWorkload = new Map<string, number>();
    try {
      await c.mount();
      for (const w of workloads) {
        const samples: number[] = [];
        for (let r = 0; r < runs; r++) {
          samples.push(w.run(c.dir));
          cleanUp(c.dir);
        }
        perWorkload.set(w.name, median(samples));
        process.stderr.write(`${c.name.padEnd(16)} ${w.name.padEnd(24)} ${samples.map((s) => s.toFixed(0)).join(' / ')} ${w.unit}\n`);
      }
    } finally {
      await c.unmount();
    }
    results.set(c.name, perWorkload);
  }
  // Ratios: xlfs over posix against each local peer; xlfs against the stock client on GlusterFS.
  const local = ['plain', 'mergerfs', 'bindfs', 'xlfs-fuse-native', 'xlfs-seed-stack'];
  const candidates: Array<[string, string]> = [...local.map((p): [string, string] => ['xlfs-posix', p]), ['xlfs-gluster', 'gluster-stock']];
  const pairs = candidates.filter(([a, b]) => results.has(a) && results.has(b));
  const header = `| workload | unit | ${configs.map((c) => c.name).join(' | ')} | ${pairs.map(([a, b]) => `${a}/${b}`).join(' | ')} |`;
  const rule = `|${'---|'.repeat(2 + configs.length + pairs.length)}`;
  const rows = workloads.map((w) => {
    const cells = configs.map((c) => results.get(c.name)!.get(w.name)!.toFixed(0));
    const ratios = pairs.map(([a, b]) => (results.get(a)!.get(w.name)! / results.get(b)!.get(w.name)!).toFixed(2));
    return `| ${w.name} | ${w.unit} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`;
  });
  const table = [header, rule, ...rows].join('\n');
  process.stdout.write(table + '\n');
  if (record) {
    recordResult(
      import.meta.filename,
      `Median of ${runs} runs, ${sizeMiB} MiB sequential, ${seconds} s random, ${metaFiles} files for metadata; backing directory on ${sh(`findmnt -no FSTYPE -T ${work}`).trim()}, ${sh('nproc').trim()} vCPUs, kernel ${sh('uname -r').trim()}.`,
      table,
    );
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
