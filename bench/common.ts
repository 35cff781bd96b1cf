// What the bench scripts share: their command line, medians, and the entry they add to RESULTS.md.
import { appendFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const args = process.argv.slice(2);

/** `--name N` from the command line, or `dflt`. */
export function numberOption(name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** `--name TEXT` from the command line, or undefined. */
export function stringOption(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export const record = args.includes('--record');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Append a dated entry to bench/RESULTS.md headed by the command that produced it. */
export function recordResult(script: string, intro: string, body: string): void {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const command = ['npx tsx', `bench/${basename(script)}`, ...args.filter((a) => a !== '--record')].join(' ');
  appendFileSync(join(import.meta.dirname, 'RESULTS.md'), `\n## ${when} UTC — \`${command}\`\n\n${intro}\n\n${body}\n`);
}

/** bench/gluster-client.vol for one brick: its port and path filled in. */
export function glusterClientVolfile(brick: { port: number; path: string }): string {
  return readFileSync(join(import.meta.dirname, 'gluster-client.vol'), 'utf8').replaceAll('@PORT@', String(brick.port)).replaceAll('@BRICK@', brick.path);
}
