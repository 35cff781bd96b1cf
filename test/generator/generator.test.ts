// The generator: the committed generated/ matches the spec, spec errors name file, fop and field,
// and a small fixture spec produces exactly the snapshot in test/generator/expected/generated/
// (which the type checker compiles with the rest of the tests).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../generator/main.js';
import { SpecError } from '../../generator/load.js';

const repo = join(import.meta.dirname, '../..');
const fixture = join(import.meta.dirname, 'fixture');
const expectedDir = join(import.meta.dirname, 'expected/generated');

describe('npm run gen -- --check', () => {
  it('passes on the committed tree', () => {
    const out = execFileSync('npx', ['tsx', 'generator/main.ts', '--check'], { cwd: repo, encoding: 'utf8' });
    expect(out).toMatch(/^generated\/ is up to date \(\d+ files\)\n$/);
  });
});

describe('a fixture spec', () => {
  const files = generate(fixture);
  it('emits the same files as the snapshot', () => {
    expect([...files.keys()]).toEqual(readdirSync(expectedDir).sort().map((f) => `generated/${f}`));
  });
  for (const name of readdirSync(expectedDir)) {
    it(`emits ${name} as in the snapshot`, () => {
      expect(files.get(`generated/${name}`)).toBe(readFileSync(join(expectedDir, name), 'utf8'));
    });
  }
});

describe('spec errors name the file, the fop and the field', () => {
  function problemsWith(edit: (fops: string) => string): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'xlfs-spec-'));
    try {
      cpSync(fixture, dir, { recursive: true });
      writeFileSync(join(dir, 'fops.yaml'), edit(readFileSync(join(fixture, 'fops.yaml'), 'utf8')));
      generate(dir);
      return [];
    } catch (e) {
      if (e instanceof SpecError) return e.problems;
      throw e;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('an unknown type', () => {
    expect(problemsWith((s) => s.replace('vector: Iovec', 'vector: Iovek'))).toEqual([
      expect.stringMatching(/^spec\/fops\.yaml: fop 'writev', field 'args\.vector': unknown type 'Iovek' \(known: Loc, Fd, /),
    ]);
  });

  it('a duplicate number', () => {
    expect(problemsWith((s) => s.replace('number: 13', 'number: 1'))).toEqual([
      "spec/fops.yaml: fop 'writev', field 'number': 1 is already the number of 'stat'",
    ]);
  });

  it('a missing xdata argument and result', () => {
    expect(problemsWith((s) => s.replace('args: { loc: Loc, xdata: Dict }', 'args: { loc: Loc }').replace('results: { buf: Iatt, xdata: Dict }', 'results: { buf: Iatt }'))).toEqual([
      "spec/fops.yaml: fop 'stat', field 'args.xdata': missing (every fop's last argument is 'xdata: Dict'; set noXdata for the exceptions)",
      "spec/fops.yaml: fop 'stat', field 'results.xdata': missing (every callback returns 'xdata: Dict')",
    ]);
  });

  it('a field the schema does not know', () => {
    expect(problemsWith((s) => s.replace('priority: hi', 'priority: hi\n    colour: blue'))).toEqual([
      "spec/fops.yaml: fop 'stat': must NOT have additional properties 'colour'",
    ]);
  });

  it('a bad category value', () => {
    expect(problemsWith((s) => s.replace('category: fd-op', 'category: fd-write'))).toEqual([
      "spec/fops.yaml: fop 'writev', field 'category': must be equal to one of the allowed values (entry-op, inode-op, fd-op, read-only)",
    ]);
  });
});
