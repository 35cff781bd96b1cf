// One application write through the seed stack (spec/volfiles/seed-stack.vol) with debug/trace
// between every pair of translators: it must take the shape a GlusterFS client's write takes
// (../shared/seeds: the write path followed with gdb). The write winds down to write-behind,
// write-behind answers the application first, then the write goes on through utime to posix and
// its answer comes back to write-behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { processLog } from '../../runtime/log.js';
import { parseVolfile, printVolfile, type VolfileVolume } from '../../runtime/volfile.js';
import type { WriteBehind } from '../../xlators/performance/write-behind/index.js';
import { StackFixture } from '../support/stack.js';

const seedPath = join(import.meta.dirname, '../../spec/volfiles/seed-stack.vol');

/** The seed stack with a debug/trace volume `trace-X` over every volume X that has a parent. */
function tracedSeedStack(): { text: string; order: string[] } {
  const volfile = parseVolfile(readFileSync(seedPath, 'utf8'), seedPath);
  const volumes: VolfileVolume[] = [];
  const top = volfile.volumes[volfile.volumes.length - 1]!;
  for (const vol of volfile.volumes) {
    if (vol.type === 'storage/posix') vol.options.set('directory', '@DATA@');
    vol.subvolumes = vol.subvolumes.map((s) => `trace-${s}`);
    volumes.push(vol);
    if (vol !== top) {
      volumes.push({ name: `trace-${vol.name}`, type: 'debug/trace', options: new Map(), optionLines: new Map(), subvolumes: [vol.name], line: 0, typeLine: 0 });
    }
  }
  // Top to bottom: the order a wind passes the traces.
  const order = volumes.filter((v) => v.type === 'debug/trace').map((v) => v.name).reverse();
  return { text: printVolfile({ ...volfile, volumes }), order };
}

let fx: StackFixture;
let order: string[];
const toStderr = processLog.toStderr;
beforeAll(async () => {
  processLog.toStderr = false; // every fop is traced eleven times: keep the test output readable
  const traced = tracedSeedStack();
  order = traced.order;
  fx = await StackFixture.create(traced.text);
});
afterAll(async () => {
  await fx.close();
  processLog.toStderr = toStderr;
});

it('answers the application from write-behind, then writes through utime to posix', async () => {
  const { fd } = await fx.create('/file');
  await fx.xlator<WriteBehind>('seed-write-behind').drained();

  const events: string[] = [];
  const remove = processLog.addSink((_level, domain, message) => {
    const m = /^\d+: writev (wind|unwind) /.exec(message);
    if (m !== null && domain.startsWith('trace-')) events.push(`${m[1]} ${domain}`);
  });
  let answeredAt = -1;
  try {
    const written = await syncop.writev(fx.top, fd, [Buffer.from('through the seed stack')], 1, 0, 0, null, null).then((r) => {
      answeredAt = events.length;
      return r;
    });
    expect(written.opRet).toBe(22);
    await fx.xlator<WriteBehind>('seed-write-behind').drained();
  } finally {
    remove();
  }

  // The traces above write-behind, top first; the two below it.
  const wbTrace = order.indexOf('trace-seed-write-behind');
  const above = order.slice(0, wbTrace + 1);
  const below = order.slice(wbTrace + 1);
  expect(below).toEqual(['trace-seed-utime', 'trace-posix']);
  const expected = [
    ...above.map((t) => `wind ${t}`),
    ...[...above].reverse().map((t) => `unwind ${t}`), // write-behind answers the application
    ...below.map((t) => `wind ${t}`), // then the write goes down on its own
    ...[...below].reverse().map((t) => `unwind ${t}`), // and its answer stops at write-behind
  ];
  expect(events).toEqual(expected);
  // The application had its answer before the write reached utime.
  expect(answeredAt).toBeLessThanOrEqual(above.length * 2 + 2);
  expect(readFileSync(join(fx.dir, 'file'), 'utf8')).toBe('through the seed stack');
});
