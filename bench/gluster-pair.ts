// xlfs and the stock glusterfs client side by side on one loopback brick, mounted at once with the
// same client volfile (bench/gluster-client.vol), each workload run alternately through one and the
// other. On a noisy machine this is the fairer comparison: both see the same brick, page cache and
// neighbours at nearly the same moment, where bench/run.ts measures one configuration after the
// other. Not a test: run it as root,
//   npx tsx bench/gluster-pair.ts [--runs 5] [--seconds 5] [--size 512] [--record]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Brick } from '../test/support/brick.js';
import { glusterClientVolfile, median, numberOption, record, recordResult } from './common.js';
import { cleanUp, sh, workloadsFor } from './workloads.js';

const repo = join(import.meta.dirname, '..');
const runs = numberOption('runs', 5);
const seconds = numberOption('seconds', 5);
const sizeMiB = numberOption('size', 512);
const metaFiles = numberOption('meta-files', 2000);
const work = '/var/tmp/xlfs-bench-pair';
const clients = ['gluster-stock', 'xlfs-gluster'] as const;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: mounting needs it');
  rmSync(work, { recursive: true, force: true });
  const mnt = { 'gluster-stock': join(work, 'stock'), 'xlfs-gluster': join(work, 'xlfs') };
  for (const dir of Object.values(mnt)) mkdirSync(dir, { recursive: true });
  const brick = await Brick.create({ parent: work });
  const vol = join(work, 'client.vol');
  writeFileSync(vol, glusterClientVolfile(brick));
  const rows: string[] = [];
  try {
    sh(`glusterfs -f ${vol} -l ${work}/stock.log ${mnt['gluster-stock']}`);
    sh(`node ${repo}/dist/bin/xlfs.js mount ${vol} ${mnt['xlfs-gluster']}`);
    for (const w of workloadsFor({ sizeMiB, seconds, metaFiles })) {
      const samples = { 'gluster-stock': [] as number[], 'xlfs-gluster': [] as number[] };
      for (let r = 0; r < runs; r++) {
        // Alternate who goes first: the one after a write meets the brick's writeback.
        const order = r % 2 === 0 ? clients : [...clients].reverse();
        for (const c of order) {
          samples[c].push(w.run(mnt[c]));
          cleanUp(mnt[c]);
        }
      }
      const [stock, xlfs] = clients.map((c) => median(samples[c]));
      for (const c of clients) process.stderr.write(`${c.padEnd(14)} ${w.name.padEnd(24)} ${samples[c].map((s) => s.toFixed(0)).join(' / ')} ${w.unit}\n`);
      rows.push(`| ${w.name} | ${w.unit} | ${stock!.toFixed(0)} | ${xlfs!.toFixed(0)} | ${(xlfs! / stock!).toFixed(2)} |`);
    }
  } finally {
    spawnSync('umount', [mnt['gluster-stock']]);
    spawnSync('node', [`${repo}/dist/bin/xlfs.js`, 'umount', mnt['xlfs-gluster']]);
    for (let i = 0; i < 100 && sh(`pgrep -f '${vol}' || true`).trim() !== ''; i++) sh('sleep 0.1');
    await brick.remove();
    rmSync(work, { recursive: true, force: true });
  }
  const table = ['| workload | unit | gluster-stock | xlfs-gluster | xlfs-gluster/gluster-stock |', '|---|---|---|---|---|', ...rows].join('\n');
  process.stdout.write(`${table}\n`);
  if (record) {
    recordResult(
      import.meta.filename,
      `One brick mounted by both clients at once, each workload run ${runs} times alternately through each (median); ${sizeMiB} MiB sequential, ${seconds} s random, ${metaFiles} files for metadata; ${sh('nproc').trim()} vCPUs, kernel ${sh('uname -r').trim()}.`,
      table,
    );
  }
}

await main();
