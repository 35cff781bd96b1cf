// xlfs and the stock glusterfs client side by side on one loopback brick, mounted at once with the
// same client volfile (bench/gluster-client.vol), each workload run alternately through one and the
// other. On a noisy machine this is the fairer comparison: both see the same brick, page cache and
// neighbours at nearly the same moment, where bench/run.ts measures one configuration after the
// other. Not a test: run it as root,
//   npx tsx bench/gluster-pair.ts [--runs 5] [--seconds 5] [--size 512] [--workloads seq,create] [--also OPTIONS]... [--record]
// Each --also mounts xlfs once more with those mount options (e.g. --also busy-poll-us=300), as
// one more column.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Brick } from '../test/support/brick.js';
import { args, glusterClientVolfile, median, numberOption, record, recordResult, stringOption } from './common.js';
import { cleanUp, sh, workloadsFor } from './workloads.js';

const repo = join(import.meta.dirname, '..');
const runs = numberOption('runs', 5);
const seconds = numberOption('seconds', 5);
const sizeMiB = numberOption('size', 512);
const metaFiles = numberOption('meta-files', 2000);
const work = '/var/tmp/xlfs-bench-pair';
const variants = args.flatMap((a, i) => (a === '--also' && args[i + 1] !== undefined ? [args[i + 1]!] : []));
const clients = ['gluster-stock', 'xlfs-gluster', ...variants.map((o) => `xlfs -o ${o}`)];

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: mounting needs it');
  rmSync(work, { recursive: true, force: true });
  const mnt: Record<string, string> = Object.fromEntries(clients.map((c, i) => [c, join(work, `client${i}`)]));
  for (const dir of Object.values(mnt)) mkdirSync(dir, { recursive: true });
  const brick = await Brick.create({ parent: work });
  const vol = join(work, 'client.vol');
  writeFileSync(vol, glusterClientVolfile(brick));
  const rows: string[] = [];
  try {
    sh(`glusterfs -f ${vol} -l ${work}/stock.log ${mnt['gluster-stock']}`);
    sh(`node ${repo}/dist/bin/xlfs.js mount ${vol} ${mnt['xlfs-gluster']}`);
    for (const o of variants) sh(`node ${repo}/dist/bin/xlfs.js mount -o ${o} ${vol} ${mnt[`xlfs -o ${o}`]}`);
    for (const w of workloadsFor({ sizeMiB, seconds, metaFiles, only: stringOption('workloads') })) {
      const samples: Record<string, number[]> = Object.fromEntries(clients.map((c) => [c, []]));
      for (let r = 0; r < runs; r++) {
        // Rotate who goes first: the one after a write meets the brick's writeback.
        const order = clients.map((_, i) => clients[(i + r) % clients.length]!);
        for (const c of order) {
          samples[c]!.push(w.run(mnt[c]!));
          cleanUp(mnt[c]!);
        }
      }
      const medians = clients.map((c) => median(samples[c]!));
      for (const c of clients) process.stderr.write(`${c.padEnd(14)} ${w.name.padEnd(24)} ${samples[c]!.map((s) => s.toFixed(0)).join(' / ')} ${w.unit}\n`);
      const stock = medians[0]!;
      rows.push(`| ${w.name} | ${w.unit} | ${medians.map((m) => m.toFixed(0)).join(' | ')} | ${medians.slice(1).map((m) => (m / stock).toFixed(2)).join(' | ')} |`);
    }
  } finally {
    spawnSync('umount', [mnt['gluster-stock']]);
    for (const c of clients.slice(1)) spawnSync('node', [`${repo}/dist/bin/xlfs.js`, 'umount', mnt[c]!]);
    for (let i = 0; i < 100 && sh(`pgrep -f '${vol}' || true`).trim() !== ''; i++) sh('sleep 0.1');
    await brick.remove();
    rmSync(work, { recursive: true, force: true });
  }
  const header = `| workload | unit | ${clients.join(' | ')} | ${clients.slice(1).map((c) => `${c}/gluster-stock`).join(' | ')} |`;
  const table = [header, `|${'---|'.repeat(2 + clients.length * 2 - 1)}`, ...rows].join('\n');
  process.stdout.write(`${table}\n`);
  if (record) {
    recordResult(
      import.meta.filename,
      `One brick mounted by ${clients.length === 2 ? 'both clients' : `the ${clients.length} clients`} at once, each workload run ${runs} times in turn through each (median); ${sizeMiB} MiB sequential, ${seconds} s random, ${metaFiles} files for metadata; ${sh('nproc').trim()} vCPUs, kernel ${sh('uname -r').trim()}.`,
      table,
    );
  }
}

await main();
