// xlfs and the stock glusterfs client side by side on one loopback brick, mounted at once with the
// same client volfile (bench/gluster-client.vol), each workload run alternately through one and the
// other. On a noisy machine this is the fairer comparison: both see the same brick, page cache and
// neighbours at nearly the same moment, where bench/run.ts measures one configuration after the
// other. Not a test: run it as root,
//   npx tsx bench/gluster-pair.ts [--runs 5] [--seconds 5] [--size 512] [--workloads seq,create] [--also OPTIONS]... [--record]
// Each --also mounts xlfs once more with those mount options (e.g. --also busy-poll-us=300), as
// one more column.
import { args, median, numberOption, record, recordResult, stringOption } from './common.js';
import { type GlusterClient, withGlusterClients } from './gluster-mounts.js';
import { cleanUp, sh, workloadsFor } from './workloads.js';

const runs = numberOption('runs', 5);
const seconds = numberOption('seconds', 5);
const sizeMiB = numberOption('size', 512);
const metaFiles = numberOption('meta-files', 2000);
const work = '/var/tmp/xlfs-bench-pair';
const variants = args.flatMap((a, i) => (a === '--also' && args[i + 1] !== undefined ? [args[i + 1]!] : []));
const clients: GlusterClient[] = [
  { name: 'gluster-stock', kind: 'stock' },
  { name: 'xlfs-gluster', kind: 'xlfs' },
  ...variants.map((o): GlusterClient => ({ name: `xlfs -o ${o}`, kind: 'xlfs', options: o })),
];
const names = clients.map((c) => c.name);

async function main(): Promise<void> {
  const rows: string[] = [];
  await withGlusterClients(work, clients, (mnt) => {
    for (const w of workloadsFor({ sizeMiB, seconds, metaFiles, only: stringOption('workloads') })) {
      const samples: Record<string, number[]> = Object.fromEntries(names.map((c) => [c, []]));
      for (let r = 0; r < runs; r++) {
        // Rotate who goes first: the one after a write meets the brick's writeback.
        const order = names.map((_, i) => names[(i + r) % names.length]!);
        for (const c of order) {
          samples[c]!.push(w.run(mnt[c]!));
          cleanUp(mnt[c]!);
        }
      }
      const medians = names.map((c) => median(samples[c]!));
      for (const c of names) process.stderr.write(`${c.padEnd(14)} ${w.name.padEnd(24)} ${samples[c]!.map((s) => s.toFixed(0)).join(' / ')} ${w.unit}\n`);
      const stock = medians[0]!;
      rows.push(`| ${w.name} | ${w.unit} | ${medians.map((m) => m.toFixed(0)).join(' | ')} | ${medians.slice(1).map((m) => (m / stock).toFixed(2)).join(' | ')} |`);
    }
  });
  const header = `| workload | unit | ${names.join(' | ')} | ${names.slice(1).map((c) => `${c}/gluster-stock`).join(' | ')} |`;
  const table = [header, `|${'---|'.repeat(2 + names.length * 2 - 1)}`, ...rows].join('\n');
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
