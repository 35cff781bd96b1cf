// Graphs from volfiles: translators found by type, options validated against their declarations,
// one-line errors naming the line and volume, and a trace through several pass-through layers over
// a real posix directory that shows the exact wind/unwind order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../xlators/index.js';
import { syncop } from '../../generated/syncop.js';
import { Dict } from '../../runtime/dict.js';
import { Fd } from '../../runtime/fd.js';
import { Graph, GraphError } from '../../runtime/graph.js';
import { InodeTable } from '../../runtime/inode.js';
import { childLoc } from '../../runtime/loc.js';
import { processLog } from '../../runtime/log.js';
import { VolfileError } from '../../runtime/volfile.js';

const dir = mkdtempSync(join(tmpdir(), 'xlfs-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stackVolfile = `
# two traces around two pass-through layers, over posix
volume posix
    type storage/posix
    option directory ${dir}
end-volume

volume trace-low
    type debug/trace
    subvolumes posix
end-volume

volume pass-2
    type debug/pass-through
    subvolumes trace-low
end-volume

volume pass-1
    type debug/pass-through
    subvolumes pass-2
end-volume

volume trace-top
    type debug/trace
    option include-ops WRITE,create
    subvolumes pass-1
end-volume
`;

describe('a graph of pass-through translators over posix', () => {
  it('winds and unwinds a write in the exact order the traces show', async () => {
    const graph = Graph.fromText(stackVolfile, 'stack.vol');
    expect(graph.top.name).toBe('trace-top');
    expect(graph.xlators.map((x) => `${x.name}:${x.type}`)).toEqual([
      'posix:storage/posix',
      'trace-low:debug/trace',
      'pass-2:debug/pass-through',
      'pass-1:debug/pass-through',
      'trace-top:debug/trace',
    ]);
    await graph.activate();
    await graph.waitForChildUp(1000);

    const table = new InodeTable();
    const loc = childLoc(table, table.root, 'file');
    const fd = new Fd(loc.inode, 0o2);
    const created = await syncop.create(graph.top, loc, 0o102, 0o644, 0o022, fd, Dict.of({}));
    expect(created.opRet).toBe(0);
    table.link(loc.inode, table.root, 'file', created.buf!);

    const lines: Array<[string, string]> = [];
    const remove = processLog.addSink((_level, domain, message) => {
      if (message.includes(': writev ')) lines.push([domain, message]);
    });
    processLog.toStderr = false;
    try {
      const written = await syncop.writev(graph.top, fd, [Buffer.from('hello')], 1, 0, 0, null, null);
      expect(written.opRet).toBe(5);
    } finally {
      remove();
    }
    const shape = lines.map(([domain, m]) => `${domain} ${m.replace(/^\d+: writev (wind|unwind) (\S+) -> (\S+):.*$/, '$1 $2 -> $3')}`);
    expect(shape).toEqual([
      'trace-top wind syncop -> pass-1',
      'trace-low wind trace-top -> posix',
      'trace-low unwind posix -> trace-top',
      'trace-top unwind pass-1 -> syncop',
    ]);
    // Arguments going down, results (with stat lines) coming up.
    expect(lines[0]![1]).toMatch(/writev wind syncop -> pass-1: fd=\{fd=\d+, gfid=[0-9a-f-]{36}, flags=02\}, vector=\{count=1, size=5\}, count=1, offset=0, flags=0, iobref=null, xdata=null$/);
    expect(lines[2]![1]).toMatch(/writev unwind posix -> trace-top: op_ret=5, prebuf=\{gfid=\S+ ino=\d+, mode=0100644, nlink=1, uid=0, gid=0, size=0, .*\}, postbuf=\{gfid=\S+ ino=\d+, mode=0100644, nlink=1, uid=0, gid=0, size=5, /);
    await graph.fini();
  });
});

describe('bad volfiles give one clear line', () => {
  function errorOf(text: string): string {
    try {
      Graph.fromText(text, 'bad.vol');
    } catch (e) {
      if (e instanceof GraphError || e instanceof VolfileError) return e.message;
      throw e;
    }
    return 'no error';
  }

  it('an unknown translator type', () => {
    expect(errorOf('volume a\n  type storage/posixx\n  option directory /tmp\nend-volume\n')).toMatch(
      /^bad\.vol:2: volume 'a': unknown translator type 'storage\/posixx' \(known: .*storage\/posix.*\)$/,
    );
  });

  it('a subvolume that is not defined', () => {
    expect(errorOf(`volume t\n  type debug/trace\n  subvolumes nowhere\nend-volume\n`)).toMatch(/^bad\.vol:3: volume 't': .*'nowhere'.*$/);
  });

  it('a translator given the wrong number of subvolumes', () => {
    expect(errorOf(`volume p\n  type storage/posix\n  option directory ${dir}\nend-volume\nvolume t\n  type debug/trace\nend-volume\n`)).toMatch(
      /^bad\.vol:5: volume 't': debug\/trace takes exactly 1 subvolume, not 0$/,
    );
  });

  it('a bad option value', () => {
    expect(errorOf(`volume p\n  type storage/posix\n  option directory relative/path\nend-volume\n`)).toMatch(/^bad\.vol:3: volume 'p': option 'directory'.*$/);
  });

  it('a syntax error', () => {
    expect(errorOf(`volume p\n  type storage/posix\n  option directory\nend-volume\n`)).toMatch(/^bad\.vol:3: volume 'p': .+$/);
  });

  it('a cycle is impossible to write: a volume cannot name itself or a later volume', () => {
    expect(errorOf(`volume a\n  type debug/trace\n  subvolumes a\nend-volume\n`)).toMatch(/^bad\.vol:3: volume 'a': .+$/);
  });

  it('every message is a single line', () => {
    for (const text of ['volume a\n', 'volume a\n type\nend-volume\n', 'option x y\n']) {
      expect(errorOf(text)).not.toContain('\n');
    }
  });
});
