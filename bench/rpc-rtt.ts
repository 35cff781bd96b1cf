// Round trips of protocol/client to one loopback brick, in-process (no FUSE): reads of 4 KiB,
// 128 KiB and 1 MiB and fstats, one at a time, from a graph holding protocol/client alone. What the
// wire path costs before any translator or the kernel adds to it. Not a test: run it as root,
//   npx tsx bench/rpc-rtt.ts [--runs 3] [--record]
import '../xlators/index.js';
import { syncop } from '../generated/syncop.js';
import { Fd } from '../runtime/fd.js';
import { Graph } from '../runtime/graph.js';
import { InodeTable } from '../runtime/inode.js';
import { childLoc } from '../runtime/loc.js';
import { processLog } from '../runtime/log.js';
import { Brick } from '../test/support/brick.js';
import { median, numberOption, record, recordResult } from './common.js';

const runs = numberOption('runs', 3);
const FILE = 64 << 20;
const cases = [
  { name: 'read 4 KiB', size: 4096, calls: 5000 },
  { name: 'read 128 KiB', size: 128 << 10, calls: 2000 },
  { name: 'read 1 MiB', size: 1 << 20, calls: 300 },
  { name: 'fstat', size: 0, calls: 5000 },
];

async function main(): Promise<void> {
  processLog.toStderr = false;
  const brick = await Brick.create({ parent: '/var/tmp' });
  const graph = Graph.fromText(
    `volume client\n    type protocol/client\n    option remote-host 127.0.0.1\n    option remote-port ${brick.port}\n    option remote-subvolume ${brick.path}\nend-volume\n`,
    'rpc-rtt.vol',
  );
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  try {
    await graph.activate();
    await graph.waitForChildUp(5000);
    const top = graph.top;
    const table = new InodeTable();
    const loc = childLoc(table, table.root, 'rtt');
    const fd = new Fd(loc.inode, 2);
    fd.onRelease = (f) => graph.releaseFd(f);
    const made = await syncop.create(top, loc, 0o102, 0o644, 0, fd, null);
    if (made.opRet < 0) throw new Error(`create: errno ${made.opErrno}`);
    loc.inode = table.link(loc.inode, table.root, 'rtt', made.buf!);
    const block = Buffer.alloc(1 << 20, 1);
    for (let at = 0; at < FILE; at += block.length) await syncop.writev(top, fd, [block], 1, at, 0, null, null);
    for (let r = 0; r < runs; r++) {
      for (const c of cases) {
        const t = process.hrtime.bigint();
        for (let i = 0; i < c.calls; i++) {
          if (c.size === 0) await syncop.fstat(top, fd, null);
          else await syncop.readv(top, fd, c.size, (i * c.size) % FILE, 0, null);
        }
        samples.get(c.name)!.push(Number(process.hrtime.bigint() - t) / 1e3 / c.calls);
      }
    }
    fd.unref();
  } finally {
    await graph.fini();
    await brick.remove();
  }
  const lines = ['| call | µs per round trip | MB/s |', '|---|---|---|'];
  for (const c of cases) {
    const us = median(samples.get(c.name)!);
    lines.push(`| ${c.name} | ${us.toFixed(0)} | ${c.size === 0 ? '' : (c.size / us).toFixed(0)} |`);
  }
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  if (record) {
    recordResult(import.meta.filename, `protocol/client alone to one loopback glusterfsd, in-process, one call at a time; median of ${runs} runs.`, table);
  }
}

await main();
