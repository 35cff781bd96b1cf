// xlfs and the stock glusterfs client on one loopback brick (as bench/gluster-pair.ts), with the
// application, the client and the brick pinned to chosen CPUs. For one-request-at-a-time workloads
// the time goes mostly to hand-overs between the three processes, and what a hand-over costs
// depends on where the scheduler puts the one woken: on the waker's CPU it is a context switch, on
// an idle one (a virtual CPU asleep) a wake-up that costs far more. Left free, the scheduler
// places them differently from run to run; this shows each placement apart. Not a test: run as
// root, on a machine with at least 2 CPUs,
//   npx tsx bench/placement.ts [--runs 5] [--seconds 5] [--meta-files 2000] [--workloads create,rand] [--xlfs-options OPTS] [--record]
// (--xlfs-options: mount options for the xlfs mount, e.g. hand-off=on)
import { median, numberOption, record, recordResult, stringOption } from './common.js';
import { serverOf, withGlusterClients } from './gluster-mounts.js';
import { cleanUp, sh, workloadsFor } from './workloads.js';

const runs = numberOption('runs', 5);
const seconds = numberOption('seconds', 5);
const metaFiles = numberOption('meta-files', 2000);
const work = '/var/tmp/xlfs-bench-placement';
const xlfsOptions = stringOption('xlfs-options');
const mounts = [{ name: 'gluster-stock', kind: 'stock' }, { name: 'xlfs-gluster', kind: 'xlfs', options: xlfsOptions }] as const;
const clients = mounts.map((m) => m.name);

/** CPUs of the application, the client and the brick; null leaves that one to the scheduler. */
interface Placement {
  name: string;
  app: number | null;
  client: number | null;
  brick: number | null;
}

const placements: Placement[] = [
  { name: 'free', app: null, client: null, brick: null },
  { name: 'app+client / brick', app: 0, client: 0, brick: 1 },
  { name: 'app / client+brick', app: 0, client: 1, brick: 1 },
  { name: 'app+brick / client', app: 0, client: 1, brick: 0 },
  { name: 'all on one CPU', app: 0, client: 0, brick: 0 },
];

/** Pin every thread of `pid` to `cpu`, or let it run anywhere. */
function pin(pid: number, cpu: number | null, all: string): void {
  sh(`taskset -a -cp ${cpu ?? all} ${pid} > /dev/null`);
}

async function main(): Promise<void> {
  const cpus = Number(sh('nproc').trim());
  if (cpus < 2) throw new Error('placements need at least 2 CPUs');
  const all = `0-${cpus - 1}`;
  const rows: string[] = [];
  await withGlusterClients(work, mounts, (mnt, brick) => {
    const server = { 'gluster-stock': serverOf(mnt['gluster-stock']!), 'xlfs-gluster': serverOf(mnt['xlfs-gluster']!) };
    const workloads = workloadsFor({ sizeMiB: 256, seconds, metaFiles, only: stringOption('workloads') ?? 'create,rand read 4k direct x1' });
    // The first runs after a mount are the slowest (caches cold, V8 still compiling): not counted.
    for (const w of workloads) {
      for (const c of clients) {
        w.run(mnt[c]!);
        cleanUp(mnt[c]!);
      }
    }
    for (const p of placements) {
      pin(brick.pid!, p.brick, all);
      for (const w of workloads) {
        const samples: Record<string, number[]> = { 'gluster-stock': [], 'xlfs-gluster': [] };
        for (let r = 0; r < runs; r++) {
          for (const c of r % 2 === 0 ? clients : [...clients].reverse()) {
            pin(server[c], p.client, all);
            samples[c]!.push(w.run(mnt[c]!, p.app === null ? '' : `taskset -c ${p.app}`));
            cleanUp(mnt[c]!);
          }
        }
        const [stock, xlfs] = clients.map((c) => median(samples[c]!));
        process.stderr.write(`${p.name.padEnd(20)} ${w.name.padEnd(24)} stock ${samples['gluster-stock']!.map((s) => s.toFixed(0)).join(' / ')}; xlfs ${samples['xlfs-gluster']!.map((s) => s.toFixed(0)).join(' / ')} ${w.unit}\n`);
        rows.push(`| ${p.name} | ${w.name} | ${w.unit} | ${stock!.toFixed(0)} | ${xlfs!.toFixed(0)} | ${(xlfs! / stock!).toFixed(2)} |`);
      }
    }
  });
  const table = ['| placement (CPU 0 / CPU 1) | workload | unit | gluster-stock | xlfs-gluster | xlfs-gluster/gluster-stock |', '|---|---|---|---|---|---|', ...rows].join('\n');
  process.stdout.write(`${table}\n`);
  if (record) {
    recordResult(
      import.meta.filename,
      `One brick mounted by both clients at once; for each placement the application (fio, bench/meta.py), the client serving the mount and the brick are pinned with taskset (every thread), and each workload is run ${runs} times alternately through each client (median)${xlfsOptions === undefined ? '' : `; xlfs mounted with -o ${xlfsOptions}`}; ${seconds} s random, ${metaFiles} files for metadata; ${cpus} vCPUs, kernel ${sh('uname -r').trim()}.`,
      table,
    );
  }
}

await main();
