// xlfs new: in a copy of this checkout, a translator rendered for each fop the templates support
// compiles, is found by its type string in a volfile, and its rendered test (a real mount over
// posix) passes without edits; bad requests are refused with the reason and write nothing.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXERCISES } from '../../generator/new/render.js';
import { repo } from '../mount/harness.js';

const run = promisify(execFile);
let copy = '';

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'xlfs-new-'));
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo, maxBuffer: 64 << 20 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repo, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repo, file), join(copy, file), { verbatimSymlinks: true }); // a relative link stays inside the copy
  }
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

async function xlfsNew(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(copy, 'node_modules/tsx/dist/cli.mjs'), 'bin/xlfs.ts', 'new', ...args], { cwd: copy });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

/** Runs a command in the copy; a failure carries the command's own output, not just its exit code. */
async function inCopy(command: string, ...args: string[]): Promise<string> {
  try {
    return (await run(command, args, { cwd: copy, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

it('refuses a bad name, an unknown fop and a type that exists, writing nothing', async () => {
  const before = readFileSync(join(copy, 'xlators/index.ts'), 'utf8');
  expect(await xlfsNew('Features/Bad')).toMatchObject({ code: 1, out: expect.stringContaining('is not <category>/<name>') });
  expect(await xlfsNew('features/x', '--fop', 'nosuch')).toMatchObject({ code: 1, out: expect.stringContaining('--fop nosuch: choose one') });
  expect(await xlfsNew('performance/write-behind')).toMatchObject({ code: 1, out: expect.stringContaining('already registered') });
  expect(readFileSync(join(copy, 'xlators/index.ts'), 'utf8')).toBe(before);
  expect(existsSync(join(copy, 'xlators/features/x'))).toBe(false);
});

it('renders translators that compile, mount by their type string, and pass their own tests', async () => {
  const fops = Object.keys(EXERCISES);
  for (const fop of fops) {
    const made = await xlfsNew(`examples/new-${fop}`, '--fop', fop);
    expect(made.out).toContain(`registered 'examples/new-${fop}'`);
  }
  const translator = readFileSync(join(copy, 'xlators/examples/new-writev/index.ts'), 'utf8');
  expect(translator).toContain('override writev(frame: Frame, fd: Fd, vector: Buffer[]');
  expect(translator).not.toMatch(/override (?!writev|dump)\w+\(/); // one fop, every other passed through
  await inCopy('npx', 'tsc', '-p', 'tsconfig.json', '--noEmit');
  // Option values are typed from the translator's own table: a misspelt option does not compile.
  const file = join(copy, 'xlators/examples/new-writev/index.ts');
  expect(translator).toContain("this.options['log-calls']");
  writeFileSync(file, translator.replace("this.options['log-calls']", "this.options['log-call']"));
  await expect(inCopy('npx', 'tsc', '-p', 'tsconfig.json', '--noEmit')).rejects.toThrow(/new-writev\/index\.ts.*error TS2551: Property 'log-call' does not exist.*Did you mean 'log-calls'\?/);
  writeFileSync(file, translator);
  await inCopy('npx', 'tsc', '-p', 'tsconfig.build.json');
  const tests = fops.map((fop) => `test/xlators/examples-new-${fop}.test.ts`);
  const plain = (await inCopy('npx', 'vitest', 'run', ...tests)).replace(/\x1b\[[0-9;]*m/g, '');
  expect(plain).toMatch(new RegExp(`Tests\\s+${fops.length} passed \\(${fops.length}\\)`));
}, 600_000);
