#!/usr/bin/env node
// The xlfs command: mount a volfile's graph through FUSE, unmount it, check a volfile.
import { Command, Option } from 'commander';
import '../xlators/index.js';
import { graphCommand } from './commands/graph.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('xlfs')
    .description('A GlusterFS-style translator stack in TypeScript, mounted through FUSE')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('graph')
    .description('check a volfile as a mount would, and print its graph with effective options')
    .argument('<volfile>', 'the volfile (GlusterFS grammar; the last volume is the top)')
    .option('--xlator-option <volume.key=value>', 'override an option of the volumes matching a glob (repeatable)', collect)
    .addOption(new Option('--json', 'print the graph as JSON'))
    .action((volfile: string, options) => graphCommand(volfile, options));

  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    process.stderr.write(`xlfs: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

void main();
