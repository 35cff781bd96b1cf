// generated/defaults.ts: GlusterFS's defaults.c. DefaultXlator passes every fop to its first child
// on the same frame (STACK_WIND_TAIL), so a translator that extends it overrides only the fops it
// changes. A leaf that does not implement a fop answers ENOSYS instead of crashing.
import type { Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { addTypeImports, argNames, argParamList, createGenerated, fopDoc, resultNames, resultParamList } from './common.js';

export function emitDefaults(project: Project, spec: SpecModel): void {
  const sf = createGenerated(
    project,
    'generated/defaults.ts',
    'generator/emit/defaults.ts',
    spec,
    'Pass-through defaults (defaults.c): DefaultXlator, and per fop defaultXCbk (unwind unchanged) and\n' +
      'defaultXResume (wind to the first child on a new frame: what a call stub resumes into).',
  );
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/errno.js', namedImports: ['Errno'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/stack.js', namedImports: ['Frame'] });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/xlator.js', namedImports: ['Xlator'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './fop-types.js', namedImports: ['FopReturn'] });
  const windNames = spec.fops.flatMap((f) => [`wind${f.pascal}`, `wind${f.pascal}Tail`, `unwind${f.pascal}`, `unwind${f.pascal}Error`]);
  sf.addImportDeclaration({ moduleSpecifier: './wind.js', namedImports: windNames });
  addTypeImports(sf, spec, spec.fops, { args: true, results: true });

  sf.addClass({
    isExported: true,
    name: 'DefaultXlator',
    extends: 'Xlator',
    docs: ['Every fop passes to the first child; extend it and override the fops your translator changes.'],
    methods: spec.fops.map((fop) => ({
      name: fop.method,
      hasOverrideKeyword: true,
      docs: [fopDoc(fop)],
      parameters: [{ name: 'frame', type: 'Frame' }, ...argParamList(fop)],
      returnType: 'FopReturn',
      statements: [
        'const child = this.children[0];',
        `if (child === undefined) unwind${fop.pascal}Error(frame, Errno.ENOSYS);`,
        `else wind${fop.pascal}Tail(frame, child, ${argNames(fop)});`,
      ],
    })),
  });

  for (const fop of spec.fops) {
    const results = resultNames(fop);
    sf.addFunction({
      isExported: true,
      name: `default${fop.pascal}Cbk`,
      docs: [`Unwind ${fop.name} unchanged.`],
      parameters: [
        { name: 'frame', type: 'Frame' },
        { name: '_cookie', type: 'unknown' },
        { name: '_xl', type: 'Xlator' },
        { name: 'opRet', type: 'number' },
        { name: 'opErrno', type: 'number' },
        ...resultParamList(fop),
      ],
      returnType: 'void',
      statements: `unwind${fop.pascal}(frame, opRet, opErrno${results ? ', ' + results : ''});`,
    });
    sf.addFunction({
      isExported: true,
      name: `default${fop.pascal}Resume`,
      docs: [`Continue ${fop.name} downward on a new frame, unwinding the answer unchanged.`],
      parameters: [{ name: 'frame', type: 'Frame' }, ...argParamList(fop)],
      returnType: 'void',
      statements: [
        'const child = frame.this.children[0];',
        `if (child === undefined) unwind${fop.pascal}Error(frame, Errno.ENOSYS);`,
        `else wind${fop.pascal}(frame, default${fop.pascal}Cbk, child, ${argNames(fop)});`,
      ],
    });
  }
}
