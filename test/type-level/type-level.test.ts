// Runs the type checker over the type-level cases: every @ts-expect-error there must be an error.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

describe('typed wind and unwind stubs', () => {
  it('reject wrong arguments and results at compile time', () => {
    const tsc = join(repo, 'node_modules/.bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--noImplicitOverride', join(import.meta.dirname, 'wind-types.ts')];
    let output = '';
    try {
      output = execFileSync(tsc, args, { cwd: repo, encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
  });
});
