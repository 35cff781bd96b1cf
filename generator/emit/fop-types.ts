// generated/fop-types.ts: per-fop callback and result types, and XlatorFops, the method each
// translator has per fop. Winding or unwinding with the wrong shape is a compile error.
import type { Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { addTypeImports, argParams, createGenerated, fopDoc, resultParams, resultType } from './common.js';

export function emitFopTypes(project: Project, spec: SpecModel): void {
  const sf = createGenerated(
    project,
    'generated/fop-types.ts',
    'generator/emit/fop-types.ts',
    spec,
    'Fop signatures: what a translator method takes (after the frame) and what its callback receives\n(after frame, cookie, the calling translator, opRet and opErrno).',
  );
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/stack.js', namedImports: ['Frame'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/xlator.js', namedImports: ['Xlator'] });
  addTypeImports(sf, spec, spec.fops, { args: true, results: true });

  sf.addTypeAlias({
    isExported: true,
    name: 'FopReturn',
    type: 'void | Promise<void>',
    docs: ['A fop answers by unwinding its frame, now or later; an async fop that rejects fails its call with EIO.'],
  });

  for (const fop of spec.fops) {
    const cbkParams = resultParams(fop);
    sf.addTypeAlias({
      isExported: true,
      name: `${fop.pascal}Cbk`,
      docs: [`Callback of ${fop.name}: receives the caller's frame, the cookie, the caller, and the results.`],
      type: `(frame: Frame, cookie: unknown, xl: Xlator, opRet: number, opErrno: number${cbkParams ? ', ' + cbkParams : ''}) => void`,
    });
    sf.addTypeAlias({
      isExported: true,
      name: `${fop.pascal}Fn`,
      docs: [`A function that performs ${fop.name} on a frame (what a call stub resumes).`],
      type: `(frame: Frame, ${argParams(fop)}) => FopReturn`,
    });
    sf.addInterface({
      isExported: true,
      name: `${fop.pascal}Result`,
      docs: [`What ${fop.name} unwinds with, as one value (syncop).`],
      properties: [
        { name: 'opRet', type: 'number' },
        { name: 'opErrno', type: 'number' },
        ...fop.results.map((r) => ({ name: r.name, type: resultType(r) })),
      ],
    });
  }

  sf.addInterface({
    isExported: true,
    name: 'XlatorFops',
    docs: ['One method per fop. The frame is the translator\'s own; answer by unwinding it (unwindX) or wind to a child (windX).'],
    methods: spec.fops.map((fop) => ({
      name: fop.method,
      docs: [fopDoc(fop)],
      parameters: [{ name: 'frame', type: 'Frame' }, ...fop.args.map((a) => ({ name: a.name, type: a.type.nullableArg ? `${a.type.ts} | null` : a.type.ts }))],
      returnType: 'FopReturn',
    })),
  });
}
