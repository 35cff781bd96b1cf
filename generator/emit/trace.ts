// generated/trace-fops.ts: the per-fop half of debug/trace. Every fop logs its arguments on the way
// down and its results on the way up; xlators/debug/trace formats them and holds the options.
// GlusterFS writes these 3,500 lines by hand (trace.c); here the spec writes them.
import { Scope, type Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { addTypeImports, argNames, argParamList, createGenerated, resultNames, resultParamList } from './common.js';

export function emitTrace(project: Project, spec: SpecModel): void {
  const sf = createGenerated(
    project,
    'generated/trace-fops.ts',
    'generator/emit/trace.ts',
    spec,
    'TraceFops: every fop and callback reports itself to traceWind/traceUnwind, then passes on.',
  );
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/stack.js', namedImports: ['Frame'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/xlator.js', namedImports: ['Xlator'] });
  sf.addImportDeclaration({ moduleSpecifier: './defaults.js', namedImports: ['DefaultXlator'] });
  sf.addImportDeclaration({ moduleSpecifier: './fops.js', namedImports: ['Fop'] });
  sf.addImportDeclaration({ moduleSpecifier: './wind.js', namedImports: spec.fops.flatMap((f) => [`wind${f.pascal}`, `unwind${f.pascal}`, `unwind${f.pascal}Error`]) });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/errno.js', namedImports: ['Errno'] });
  addTypeImports(sf, spec, spec.fops, { args: true, results: true });

  const methods = spec.fops.flatMap((fop) => {
    const names = argNames(fop);
    const results = resultNames(fop);
    return [
      {
        name: fop.method,
        hasOverrideKeyword: true,
        parameters: [{ name: 'frame', type: 'Frame' }, ...argParamList(fop)],
        returnType: 'void',
        statements: [
          `if (this.traces(Fop.${fop.enumName})) this.traceWind(frame, Fop.${fop.enumName}, [${names}]);`,
          'const child = this.children[0];',
          `if (child === undefined) unwind${fop.pascal}Error(frame, Errno.ENOSYS);`,
          `else wind${fop.pascal}(frame, this.${fop.method}Cbk, child, ${names});`,
        ],
      },
      {
        name: `${fop.method}Cbk`,
        scope: Scope.Protected,
        parameters: [
          { name: 'frame', type: 'Frame' },
          { name: '_cookie', type: 'unknown' },
          { name: '_xl', type: 'Xlator' },
          { name: 'opRet', type: 'number' },
          { name: 'opErrno', type: 'number' },
          ...resultParamList(fop),
        ],
        returnType: 'void',
        statements: [
          `if (this.traces(Fop.${fop.enumName})) this.traceUnwind(frame, Fop.${fop.enumName}, opRet, opErrno, [${results}]);`,
          `unwind${fop.pascal}(frame, opRet, opErrno${results ? ', ' + results : ''});`,
        ],
      },
    ];
  });

  sf.addClass({
    isExported: true,
    isAbstract: true,
    name: 'TraceFops',
    extends: 'DefaultXlator',
    docs: ['Wraps every fop with a report on wind and on unwind. Values come in the spec\'s argument/result order.'],
    methods: [
      { name: 'traces', isAbstract: true, scope: Scope.Protected, parameters: [{ name: 'op', type: 'number' }], returnType: 'boolean' },
      {
        name: 'traceWind',
        isAbstract: true,
        scope: Scope.Protected,
        parameters: [{ name: 'frame', type: 'Frame' }, { name: 'op', type: 'number' }, { name: 'args', type: 'readonly unknown[]' }],
        returnType: 'void',
      },
      {
        name: 'traceUnwind',
        isAbstract: true,
        scope: Scope.Protected,
        parameters: [
          { name: 'frame', type: 'Frame' },
          { name: 'op', type: 'number' },
          { name: 'opRet', type: 'number' },
          { name: 'opErrno', type: 'number' },
          { name: 'results', type: 'readonly unknown[]' },
        ],
        returnType: 'void',
      },
      ...methods,
    ],
  });
}
