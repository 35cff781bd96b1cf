// What each translator layer costs and gains, measured in-process (no FUSE, no kernel): the graph
// is built from volfile text and driven through syncop, so the figures are the translators' own.
// Rows: storage/posix alone, posix under 10 debug/pass-through layers (the price of one layer),
// then the seed stack (spec/volfiles/seed-stack.vol) grown one translator at a time, bottom up.
// Columns: a create+stat+unlink loop, a repeated stat of one file, 4 KiB sequential writes.
// Not a test: run it by hand, `npx tsx bench/layers.ts [--runs 5] [--files 3000] [--record]`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../xlators/index.js';
import { syncop } from '../generated/syncop.js';
import { Fd } from '../runtime/fd.js';
import { Graph } from '../runtime/graph.js';
import { InodeTable } from '../runtime/inode.js';
import { childLoc } from '../runtime/loc.js';
import { processLog } from '../runtime/log.js';
import { parseVolfile, printVolfile } from '../runtime/volfile.js';
import { median, numberOption, record, recordResult } from './common.js';

const repo = join(import.meta.dirname, '..');
const runs = numberOption('runs', 5);
const files = numberOption('files', 3000);
const stats = numberOption('stats', 20000);
const writes = numberOption('writes', 8000);

interface Layer {
  name: string;
  type: string;
  options: Map<string, string>;
}

function volfileOf(layers: Layer[], dir: string): string {
  const volumes = layers.map((l, i) => ({
    name: l.name,
    type: l.type,
    options: l.type === 'storage/posix' ? new Map([['directory', dir]]) : l.options,
    optionLines: new Map(),
    subvolumes: i === 0 ? [] : [layers[i - 1]!.name],
    line: 0,
    typeLine: 0,
  }));
  return printVolfile({ volumes, warnings: [] });
}

const seed = parseVolfile(readFileSync(join(repo, 'spec/volfiles/seed-stack.vol'), 'utf8')).volumes.map((v) => ({ name: v.name, type: v.type, options: v.options }));
const posix = seed[0]!;
const passes = Array.from({ length: 10 }, (_, i) => ({ name: `pass-${i}`, type: 'debug/pass-through', options: new Map<string, string>() }));
const rows: Array<{ label: string; layers: Layer[] }> = [
  { label: 'storage/posix', layers: [posix] },
  { label: 'posix + 10 × debug/pass-through', layers: [posix, ...passes] },
  ...seed.slice(1).map((l, i) => ({ label: `+ ${l.type}`, layers: seed.slice(0, i + 2) })),
];

async function measure(graph: Graph, table: InodeTable, work: number): Promise<number[]> {
  const top = graph.top;
  // create + stat + unlink
  let t = process.hrtime.bigint();
  for (let i = 0; i < files; i++) {
    const loc = childLoc(table, table.root, `m${work}-${i}`);
    const fd = new Fd(loc.inode, 0o1);
    fd.onRelease = (f) => graph.releaseFd(f);
    const c = await syncop.create(top, loc, 0o101, 0o644, 0, fd, null);
    if (c.opRet !== 0) throw new Error(`create: errno ${c.opErrno}`);
    loc.inode = table.link(loc.inode, table.root, loc.name, c.buf!);
    await syncop.flush(top, fd, null);
    fd.unref();
    await syncop.stat(top, loc, null);
    await syncop.unlink(top, loc, 0, null);
    table.unlink(table.root, loc.name);
  }
  const meta = (3 * files) / (Number(process.hrtime.bigint() - t) / 1e9);

  // the same file's attributes, again and again
  const loc = childLoc(table, table.root, `s${work}`);
  const fd = new Fd(loc.inode, 0o2);
  fd.onRelease = (f) => graph.releaseFd(f);
  const c = await syncop.create(top, loc, 0o102, 0o644, 0, fd, null);
  loc.inode = table.link(loc.inode, table.root, loc.name, c.buf!);
  t = process.hrtime.bigint();
  for (let i = 0; i < stats; i++) await syncop.stat(top, loc, null);
  const stat = stats / (Number(process.hrtime.bigint() - t) / 1e9);

  // small sequential writes
  const block = Buffer.alloc(4096, 7);
  t = process.hrtime.bigint();
  for (let i = 0; i < writes; i++) await syncop.writev(top, fd, [block], 1, i * 4096, 0, null, null);
  await syncop.flush(top, fd, null);
  const write = (writes * 4096) / 2 ** 20 / (Number(process.hrtime.bigint() - t) / 1e9);
  fd.unref();
  await syncop.unlink(top, loc, 0, null);
  return [meta, stat, write];
}

async function main(): Promise<void> {
  processLog.toStderr = false;
  const results: number[][] = [];
  for (const row of rows) {
    const samples: number[][] = [[], [], []];
    for (let r = 0; r < runs; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'xlfs-layers-'));
      const graph = Graph.fromText(volfileOf(row.layers, dir), 'bench.vol');
      await graph.activate();
      await graph.waitForChildUp(5000);
      const figures = await measure(graph, new InodeTable(), r);
      await graph.fini();
      rmSync(dir, { recursive: true, force: true });
      figures.forEach((f, i) => samples[i]!.push(f));
    }
    const m = samples.map(median);
    results.push(m);
    process.stderr.write(`${row.label.padEnd(36)} ${m.map((x) => x.toFixed(0).padStart(8)).join(' ')}\n`);
  }
  const base = results[0]!;
  const layer = ((1 / results[1]![0]! - 1 / base[0]!) / 10) * base[0]!;
  const lines = [
    '| stack (bottom up) | create+stat+unlink ops/s | repeated stat ops/s | 4 KiB writes MiB/s | metadata time vs posix |',
    '|---|---|---|---|---|',
    ...rows.map((row, i) => {
      const r = results[i]!;
      return `| ${row.label} | ${r[0]!.toFixed(0)} | ${r[1]!.toFixed(0)} | ${r[2]!.toFixed(1)} | ${(base[0]! / r[0]!).toFixed(2)}× |`;
    }),
  ];
  const summary = `One pass-through layer costs ${(layer * 100).toFixed(2)} % of a metadata operation's time through posix alone.`;
  const text = `${lines.join('\n')}\n\n${summary}\n`;
  process.stdout.write(text);
  if (record) {
    recordResult(
      import.meta.filename,
      `In-process (syncop on the graph top, no FUSE): median of ${runs} runs; ${files} files, ${stats} stats of one file, ${writes} 4 KiB writes.`,
      text,
    );
  }
}

await main();
