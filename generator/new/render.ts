// xlfs new <category>/<name>: a translator to start from. Renders, from the Handlebars templates in
// generator/templates/new/, a translator that declares an options table and overrides one fop
// (signature and callback from spec/fops.yaml) while passing every other fop through, and a test
// that mounts it over posix and exercises that fop; then registers the type in xlators/index.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { argNames, argParams, newProject, resultNames } from '../emit/common.js';
import { loadSpec, specSourcesIn } from '../load.js';
import type { FopModel } from '../model.js';

/** How a shell exercises a fop on a fresh mount, so that the call reaches the translator. */
interface Exercise {
  what: string;
  /** Run first: in the mount, or behind it in the posix directory (so the kernel has cached nothing). */
  setup: string;
  setupIn: 'm.mnt' | 'm.data';
  run: string;
}

export const EXERCISES: Readonly<Record<string, Exercise>> = {
  writev: { what: 'a file is written', setup: 'echo one > file', setupIn: 'm.mnt', run: 'echo two >> file' },
  readv: { what: 'a file is read', setup: 'echo data > file', setupIn: 'm.data', run: 'cat file' },
  open: { what: 'a file is opened', setup: 'echo data > file', setupIn: 'm.data', run: 'cat file' },
  flush: { what: 'a file is closed', setup: 'echo data > file', setupIn: 'm.data', run: 'cat file' },
  lookup: { what: 'a name is looked up', setup: 'echo data > file', setupIn: 'm.data', run: 'stat file' },
  create: { what: 'a file is created', setup: 'true', setupIn: 'm.mnt', run: 'touch file' },
  mkdir: { what: 'a directory is made', setup: 'true', setupIn: 'm.mnt', run: 'mkdir dir' },
  mknod: { what: 'a fifo is made', setup: 'true', setupIn: 'm.mnt', run: 'mkfifo fifo' },
  symlink: { what: 'a symlink is made', setup: 'true', setupIn: 'm.mnt', run: 'ln -s target link' },
  link: { what: 'a hard link is made', setup: 'touch file', setupIn: 'm.mnt', run: 'ln file hard' },
  unlink: { what: 'a file is removed', setup: 'touch file', setupIn: 'm.mnt', run: 'rm file' },
  rmdir: { what: 'a directory is removed', setup: 'mkdir dir', setupIn: 'm.mnt', run: 'rmdir dir' },
  rename: { what: 'a file is renamed', setup: 'touch file', setupIn: 'm.mnt', run: 'mv file renamed' },
  setattr: { what: 'a mode is changed', setup: 'touch file', setupIn: 'm.mnt', run: 'chmod 600 file' },
  opendir: { what: 'a directory is listed', setup: 'mkdir dir', setupIn: 'm.mnt', run: 'ls dir' },
  readdirp: { what: 'a directory is listed', setup: 'mkdir dir && touch dir/a', setupIn: 'm.data', run: 'ls dir' },
  setxattr: { what: 'an xattr is set', setup: 'touch file', setupIn: 'm.mnt', run: 'setfattr -n user.k -v v file' },
  getxattr: { what: 'an xattr is read', setup: 'touch file && setfattr -n user.k -v v file', setupIn: 'm.mnt', run: 'getfattr -n user.k file' },
  removexattr: { what: 'an xattr is removed', setup: 'touch file && setfattr -n user.k -v v file', setupIn: 'm.mnt', run: 'setfattr -x user.k file' },
  statfs: { what: 'the volume is measured', setup: 'true', setupIn: 'm.mnt', run: 'df .' },
  fsync: { what: 'a file is synced', setup: 'true', setupIn: 'm.mnt', run: 'dd if=/dev/zero of=file bs=4k count=1 conv=fsync status=none' },
};

export class NewXlatorError extends Error {}

export interface NewXlatorRequest {
  /** 'features/hide', 'debug/counter' ... */
  type: string;
  fop: string;
  /** The xlfs checkout to write into. */
  root: string;
}

export interface Rendered {
  xlator: string;
  test: string;
  className: string;
}

function pascalOf(name: string): string {
  return name.split(/[-_]/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

function compile(root: string, file: string): HandlebarsTemplateDelegate {
  return Handlebars.compile(readFileSync(join(root, 'generator/templates/new', file), 'utf8'), { noEscape: true, strict: true });
}

/** Render the two files, without touching the tree. */
export function renderNewXlator(req: NewXlatorRequest): Rendered & { files: Map<string, string> } {
  const match = /^([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)$/.exec(req.type);
  if (match === null) throw new NewXlatorError(`'${req.type}' is not <category>/<name> (lower case letters, digits and dashes, e.g. features/hide)`);
  const [, category, name] = match as unknown as [string, string, string];
  const spec = loadSpec(specSourcesIn(req.root));
  const fop: FopModel | undefined = spec.fops.find((f) => f.name === req.fop || f.method === req.fop);
  const exercise = fop === undefined ? undefined : EXERCISES[fop.name];
  if (fop === undefined || exercise === undefined) {
    throw new NewXlatorError(`--fop ${req.fop}: choose one whose test a shell can drive: ${Object.keys(EXERCISES).join(', ')}`);
  }
  const className = pascalOf(name);
  const byModule = new Map<string, Set<string>>();
  for (const f of [...fop.args, ...fop.results]) {
    if (f.type.from === undefined || f.type.importName === undefined) continue;
    byModule.set(f.type.from, (byModule.get(f.type.from) ?? new Set()).add(f.type.importName));
  }
  const imports = [...byModule].sort(([a], [b]) => a.localeCompare(b)).map(([from, names]) => ({ from, names: [...names].sort().join(', ') }));
  const xlatorPath = `xlators/${category}/${name}/index.ts`;
  const testPath = `test/xlators/${category}-${name}.test.ts`;
  const context = {
    type: req.type,
    name,
    className,
    fop: { ...fop, doc: fop.doc.replace(/\*\//g, '* /') },
    params: argParams(fop),
    args: argNames(fop),
    results: resultNames(fop),
    imports,
    exercise,
  };
  const files = new Map<string, string>([
    [xlatorPath, compile(req.root, 'xlator.ts.hbs')({ ...context, up: '../../../' })],
    [testPath, compile(req.root, 'test.ts.hbs')({ ...context, up: '../' })],
  ]);
  return { xlator: xlatorPath, test: testPath, className, files };
}

/** Render and write the files, and register the type in xlators/index.ts. */
export function createNewXlator(req: NewXlatorRequest): Rendered {
  const rendered = renderNewXlator(req);
  const indexPath = join(req.root, 'xlators/index.ts');
  const index = readFileSync(indexPath, 'utf8');
  if (index.includes(`registerXlator('${req.type}',`)) throw new NewXlatorError(`${req.type} is already registered in xlators/index.ts`);
  for (const path of rendered.files.keys()) {
    if (existsSync(join(req.root, path))) throw new NewXlatorError(`${path} already exists`);
  }
  for (const [path, text] of rendered.files) {
    mkdirSync(dirname(join(req.root, path)), { recursive: true });
    writeFileSync(join(req.root, path), text);
  }
  writeFileSync(indexPath, registered(index, rendered.className, req.type, rendered.xlator));
  return rendered;
}

/** xlators/index.ts with the new translator imported and registered under its type string. */
function registered(text: string, className: string, type: string, xlatorPath: string): string {
  const sf = newProject().createSourceFile('xlators/index.ts', text);
  if (sf.getImportDeclarations().some((d) => d.getNamedImports().some((n) => n.getName() === className))) {
    throw new NewXlatorError(`xlators/index.ts already imports a ${className}: choose another name`);
  }
  const specifier = './' + relative('xlators', xlatorPath).replace(/\.ts$/, '.js');
  sf.insertImportDeclaration(sf.getImportDeclarations().length, { moduleSpecifier: specifier, namedImports: [className] });
  sf.addStatements(`registerXlator('${type}', ${className});`);
  return sf.getFullText();
}
