// generated/utime-fops.ts: features/utime's per-fop code, as GlusterFS generates utime-autogen. The
// spec's `utime` entry picks the template (generator/templates/utime/*.hbs) and the flags; the
// hand-written half (xlators/features/utime) holds the options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Project } from 'ts-morph';
import type { FopModel, SpecModel, TimeField } from '../model.js';
import { addTypeImports, argNames, argParams, createGenerated } from './common.js';

const FLAG: Record<'object' | 'parent', Record<TimeField, string>> = {
  object: { ctime: 'MdataFlags.CTIME', mtime: 'MdataFlags.MTIME', atime: 'MdataFlags.ATIME' },
  parent: { ctime: 'MdataFlags.PAR_CTIME', mtime: 'MdataFlags.PAR_MTIME', atime: 'MdataFlags.PAR_ATIME' },
};

export function emitUtime(project: Project, spec: SpecModel, templateDir: string): void {
  const templates = {
    common: Handlebars.compile(readFileSync(join(templateDir, 'utime/common.hbs'), 'utf8'), { noEscape: true, strict: true }),
    setattr: Handlebars.compile(readFileSync(join(templateDir, 'utime/setattr.hbs'), 'utf8'), { noEscape: true, strict: true }),
  };
  const fops = spec.fops.filter((f): f is FopModel & { utime: NonNullable<FopModel['utime']> } => f.utime !== null);
  const sf = createGenerated(
    project,
    'generated/utime-fops.ts',
    'generator/emit/utime.ts and generator/templates/utime/*.hbs',
    spec,
    `UtimeFops: the fops whose times features/utime stamps (${fops.length} of ${spec.fops.length}), one template each.`,
  );
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/iatt.js', namedImports: ['SetAttr'] });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/stack.js', namedImports: ['MdataFlags', 'stampNow', { name: 'Frame', isTypeOnly: true }] });
  sf.addImportDeclaration({ moduleSpecifier: './defaults.js', namedImports: ['DefaultXlator'] });
  sf.addImportDeclaration({ moduleSpecifier: './wind.js', namedImports: fops.map((f) => `wind${f.pascal}Tail`) });
  addTypeImports(sf, spec, fops, { args: true });

  const cls = sf.addClass({
    isExported: true,
    isAbstract: true,
    name: 'UtimeFops',
    extends: 'DefaultXlator',
    docs: ['Stamps each time-changing fop with one time and the MDATA_* flags of the times it changes.'],
  });
  cls.addProperty({ name: 'noatime', isAbstract: true, isReadonly: true, scope: undefined, type: 'boolean', docs: ['When on, open/opendir/read do not ask for an atime update.'] });
  for (const fop of fops) {
    const flags = [...fop.utime.object.map((t) => FLAG.object[t]), ...fop.utime.parent.map((t) => FLAG.parent[t])];
    const text = templates[fop.utime.template]({
      method: fop.method,
      pascal: fop.pascal,
      params: argParams(fop),
      args: argNames(fop),
      flags: flags.length > 0 ? flags.join(' | ') : '0',
      atimeUnlessNoatime: fop.utime.atimeUnlessNoatime,
    });
    cls.addMember(text.trim());
  }
}
