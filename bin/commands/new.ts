// xlfs new <category>/<name>: start a translator from the templates (generator/new/render.ts), in
// the checkout this command belongs to.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The xlfs checkout around this file, from the source tree (tsx) or from dist/. */
function checkoutRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'spec/fops.yaml')) && existsSync(join(dir, 'xlators/index.ts'))) return dir;
  }
  throw new Error('xlfs new works in an xlfs checkout (spec/ and xlators/ beside it); none found above this command');
}

export async function newCommand(type: string, options: { fop: string }): Promise<void> {
  const root = checkoutRoot();
  // Loaded here, not with the program: ts-morph and Handlebars would slow every mount's start.
  const { createNewXlator } = await import('../../generator/new/render.js');
  const made = createNewXlator({ type, fop: options.fop, root });
  process.stdout.write(
    [
      `created ${made.xlator}`,
      `created ${made.test}`,
      `registered '${type}' (${made.className}) in xlators/index.ts`,
      '',
      'next:',
      `  edit the ${options.fop} override in ${made.xlator}`,
      `  npm test -- ${made.test}      (builds first: the test mounts the built xlfs)`,
      `  put "type ${type}" in a volfile and mount it`,
      '',
    ].join('\n'),
  );
}
