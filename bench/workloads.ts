// The workloads every bench script runs through a mount: fio for sequential and random I/O, and
// bench/meta.py for metadata. Each returns one figure (MiB/s, IOPS or ops/s).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface Workload {
  name: string;
  unit: string;
  /** Run it in `dir`; `prefix` goes in front of the command (e.g. `taskset -c 0` to pin it). */
  run(dir: string, prefix?: string): number;
}

export function sh(cmd: string): string {
  return execFileSync('bash', ['-c', cmd], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function fio(dir: string, extra: string, prefix = ''): { read: number; write: number; iops: number } {
  const out = JSON.parse(sh(`${prefix} fio --output-format=json --name=b --directory=${dir} --ioengine=psync --group_reporting ${extra}`)) as {
    jobs: Array<{ read: { bw_bytes: number; iops: number }; write: { bw_bytes: number; iops: number } }>;
  };
  const j = out.jobs[0]!;
  return { read: j.read.bw_bytes / 2 ** 20, write: j.write.bw_bytes / 2 ** 20, iops: j.read.iops + j.write.iops };
}

/** The workloads, or those whose names start with one of `only` (comma-separated, e.g. "seq,create"). */
export function workloadsFor(o: { sizeMiB: number; seconds: number; metaFiles: number; only?: string }): Workload[] {
  const meta = join(import.meta.dirname, 'meta.py');
  const wanted = o.only?.split(',').filter(Boolean);
  const all: Workload[] = [
    { name: 'seq write 1M', unit: 'MiB/s', run: (d, p) => fio(d, `--rw=write --bs=1M --size=${o.sizeMiB}M --end_fsync=1`, p).write },
    { name: 'seq read 1M', unit: 'MiB/s', run: (d, p) => fio(d, `--rw=read --bs=1M --size=${o.sizeMiB}M`, p).read },
    { name: 'rand read 4k direct x1', unit: 'IOPS', run: (d, p) => fio(d, `--rw=randread --bs=4k --size=256M --direct=1 --time_based --runtime=${o.seconds}`, p).iops },
    { name: 'rand read 4k direct x4', unit: 'IOPS', run: (d, p) => fio(d, `--rw=randread --bs=4k --size=256M --direct=1 --numjobs=4 --time_based --runtime=${o.seconds}`, p).iops },
    { name: 'create+stat+unlink', unit: 'ops/s', run: (d, p = '') => Number(sh(`${p} python3 ${meta} ${d} ${o.metaFiles}`)) },
  ];
  return wanted === undefined ? all : all.filter((w) => wanted.some((prefix) => w.name.startsWith(prefix)));
}

/** Remove what a workload left, through the mount (a cache above the backing directory must see it go), and settle writeback. */
export function cleanUp(dir: string): void {
  sh(`rm -f ${dir}/b.* ; sync`);
}
