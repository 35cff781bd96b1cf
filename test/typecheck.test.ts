// The whole tree type-checks under strict settings (the same run as `npm run typecheck`).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('npm run typecheck reports no error', () => {
  const repo = join(import.meta.dirname, '..');
  let output = '';
  try {
    output = execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: repo, encoding: 'utf8' });
  } catch (e) {
    output = String((e as { stdout?: string }).stdout);
  }
  expect(output).toBe('');
});
