// Two builds of xlfs and the stock glusterfs client on one loopback brick, with the application,
// the three clients and the brick all pinned to one CPU: for changes that save CPU per request.
// There, every cycle a client spends is a cycle the application and the brick wait for, so the
// figures show CPU per request; with the processes free to spread over CPUs, where the scheduler
// puts them decides more than the code does (bench/placement.ts). Runs alternate between the
// clients; samples agree within a few per cent. The base build is a git revision, checked out
// into a scratch worktree and compiled there; the other is this tree's dist/ (npm run build).
// Not a test: run as root,
//   npx tsx bench/one-cpu.ts --base REV [--runs 9] [--workloads create] [--meta-files 2000] [--record]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { median, numberOption, record, recordResult, stringOption } from './common.js';
import { serverOf, withGlusterClients } from './gluster-mounts.js';
import { cleanUp, sh, workloadsFor } from './workloads.js';

const repo = join(import.meta.dirname, '..');
const runs = numberOption('runs', 9);
const base = stringOption('base');
const work = '/var/tmp/xlfs-bench-one-cpu';
const baseTree = '/var/tmp/xlfs-bench-one-cpu-base';

const ticksPerSecond = Number(sh('getconf CLK_TCK'));

/** CPU time (user + system) a process has used, in milliseconds. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Check out and compile `rev` beside this tree (a worktree of its own); returns its entry point. */
function buildBase(rev: string): string {
  removeBase();
  execFileSync('git', ['-C', repo, 'worktree', 'add', '--detach', baseTree, rev], { stdio: 'ignore' });
  symlinkSync(join(repo, 'node_modules'), join(baseTree, 'node_modules'));
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: baseTree, stdio: 'inherit' });
  return join(baseTree, 'dist/bin/xlfs.js');
}

function removeBase(): void {
  rmSync(baseTree, { recursive: true, force: true });
  execFileSync('git', ['-C', repo, 'worktree', 'prune']);
}

async function main(): Promise<void> {
  if (base === undefined) throw new Error('--base REV: the revision to compare this tree against');
  const label = execFileSync('git', ['-C', repo, 'rev-parse', '--short', base], { encoding: 'utf8' }).trim();
  const baseBin = buildBase(base);
  const clients = [
    { name: 'gluster-stock', kind: 'stock' },
    { name: `xlfs ${label}`, kind: 'xlfs', bin: baseBin },
    { name: 'xlfs tree', kind: 'xlfs' },
  ] as const;
  const rows: string[] = [];
  try {
    await withGlusterClients(work, clients, (mnt, brick) => {
      const server = Object.fromEntries(clients.map((c) => [c.name, serverOf(mnt[c.name]!)]));
      for (const pid of [...Object.values(server), brick.pid!]) sh(`taskset -a -cp 0 ${pid} > /dev/null`);
      const app = 'taskset -c 0';
      const workloads = workloadsFor({ sizeMiB: 256, seconds: 5, metaFiles: numberOption('meta-files', 2000), only: stringOption('workloads') ?? 'create' });
      for (const w of workloads) {
        // The first run after a mount is the slowest (caches cold, V8 still compiling): not counted.
        for (const c of clients) {
          w.run(mnt[c.name]!, app);
          cleanUp(mnt[c.name]!);
        }
        const samples = Object.fromEntries(clients.map((c) => [c.name, [] as number[]]));
        const clientCpu = Object.fromEntries(clients.map((c) => [c.name, [] as number[]]));
        const brickCpu = Object.fromEntries(clients.map((c) => [c.name, [] as number[]]));
        for (let r = 0; r < runs; r++) {
          for (const c of r % 2 === 0 ? clients : [...clients].reverse()) {
            const [c0, b0] = [cpuMs(server[c.name]!), cpuMs(brick.pid!)];
            samples[c.name]!.push(w.run(mnt[c.name]!, app));
            clientCpu[c.name]!.push(cpuMs(server[c.name]!) - c0);
            brickCpu[c.name]!.push(cpuMs(brick.pid!) - b0);
            cleanUp(mnt[c.name]!);
          }
        }
        for (const c of clients) {
          process.stderr.write(`${w.name.padEnd(24)} ${c.name.padEnd(16)} ${samples[c.name]!.map((s) => s.toFixed(0)).join(' / ')} ${w.unit}\n`);
        }
        const stock = median(samples['gluster-stock']!);
        for (const c of clients) {
          const m = median(samples[c.name]!);
          rows.push(`| ${w.name} | ${c.name} | ${m.toFixed(0)} ${w.unit} | ${(m / stock).toFixed(2)} | ${median(clientCpu[c.name]!).toFixed(0)} | ${median(brickCpu[c.name]!).toFixed(0)} |`);
        }
      }
    });
  } finally {
    removeBase();
  }
  const table = ['| workload | client | median | /stock | client CPU ms per run | brick CPU ms per run |', '|---|---|---|---|---|---|', ...rows].join('\n');
  process.stdout.write(`${table}\n`);
  if (record) {
    recordResult(
      import.meta.filename,
      `One brick mounted at once by the stock client, xlfs at ${label} and xlfs from this tree; the application, the three clients and the brick pinned to CPU 0 (every thread); ${runs} runs per client, alternating (median); CPU per run from /proc; kernel ${sh('uname -r').trim()}.`,
      table,
    );
  }
}

await main();
