#!/usr/bin/env node
// The xlfs command: mount a volfile's graph through FUSE, unmount it, check a volfile, start a
// translator from the templates.
import './env.js';
import { Command, Option } from 'commander';
import '../xlators/index.js';
import { graphCommand } from './commands/graph.js';
import { mountCommand } from './commands/mount.js';
import { newCommand } from './commands/new.js';
import { umountCommand } from './commands/umount.js';

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

  program
    .command('mount')
    .description('mount a volfile\'s translator graph at a directory through FUSE (needs root)')
    .argument('<volfile>', 'the volfile to mount')
    .argument('<mountpoint>', 'an existing directory')
    .option('-f, --foreground', 'stay in the foreground (default: run as a daemon once mounted)')
    .option('-N, --no-daemon', 'same as --foreground (glusterfs spelling)')
    .option('-o <options>', 'mount options: fsname=, allow_other, default_permissions, ro, attribute-timeout=, entry-timeout=, negative-timeout=, direct-io-mode, kernel-writeback-cache, reader-thread-count=, transport=dev (repeatable)', collect)
    .option('--log-file <path>', 'write the log to a file')
    .option('--log-level <level>', 'TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL or NONE')
    .option('--xlator-option <volume.key=value>', 'override an option of the volumes matching a glob (repeatable)', collect)
    .action((volfile: string, mountpoint: string, options) =>
      mountCommand(volfile, mountpoint, { ...options, foreground: options.foreground === true || options.daemon === false }),
    );

  program
    .command('umount')
    .description('unmount an xlfs mount (lazily if it is busy)')
    .argument('<mountpoint>')
    .action((mountpoint: string) => umountCommand(mountpoint));

  program
    .command('new')
    .description('start a translator from the templates: xlators/<category>/<name>/index.ts, its test, its registration')
    .argument('<category/name>', 'the volfile type string, e.g. features/hide')
    .option('--fop <fop>', 'the fop the example overrides (writev, readv, lookup, create, mkdir, rename, setattr, ...)', 'writev')
    .action((type: string, options: { fop: string }) => newCommand(type, options));

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
