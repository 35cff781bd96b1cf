// generated/syncop.ts: call any fop on a graph and await its answer (GlusterFS's syncop), for
// tests, tools and the library API. Each call is its own call stack.
import { VariableDeclarationKind, type Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { addTypeImports, argNames, argParamList, createGenerated, resultNames, resultParamList } from './common.js';

export function emitSyncop(project: Project, spec: SpecModel): void {
  const sf = createGenerated(
    project,
    'generated/syncop.ts',
    'generator/emit/syncop.ts',
    spec,
    'syncopX(subvolume, ...args, options?) → Promise of XResult ({ opRet, opErrno, ...results }).\n' +
      'An error answer resolves too (opRet -1): fops fail with errnos, not exceptions.',
  );
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/stack.js', namedImports: ['callPool', { name: 'Credentials', isTypeOnly: true }, { name: 'Frame', isTypeOnly: true }] });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/xlator.js', namedImports: ['CallerXlator', { name: 'Xlator', isTypeOnly: true }] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './fop-types.js', namedImports: spec.fops.map((f) => `${f.pascal}Result`) });
  sf.addImportDeclaration({ moduleSpecifier: './fops.js', namedImports: ['Fop'] });
  sf.addImportDeclaration({ moduleSpecifier: './wind.js', namedImports: spec.fops.map((f) => `wind${f.pascal}`) });
  addTypeImports(sf, spec, spec.fops, { args: true, results: true });

  sf.addInterface({
    isExported: true,
    name: 'SyncopOptions',
    properties: [
      { name: 'credentials', type: 'Credentials', hasQuestionToken: true, docs: ['Who is asking (default: root, pid 0).'] },
      { name: 'caller', type: 'Xlator', hasQuestionToken: true, docs: ["The stack's first translator, named in logs (default: 'syncop')."] },
      { name: 'prepare', type: '(frame: Frame) => void', hasQuestionToken: true, docs: ['Adjust the new stack before the wind (utime flags, lock owner ...).'] },
    ],
  });
  sf.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'syncopCaller', initializer: "new CallerXlator('syncop', 'caller/syncop')" }],
  });

  for (const fop of spec.fops) {
    const results = resultNames(fop);
    const iobref = resultParamList(fop).find((p) => p.type.startsWith('Iobref'))?.name;
    const vector = resultParamList(fop).find((p) => p.type.startsWith('Buffer[]'))?.name;
    const lends = iobref !== undefined && vector !== undefined;
    const kept = resultParamList(fop).map((p) => {
      if (lends && p.name === vector) return `${vector}: ${iobref}?.stable ? (${vector}?.map((b) => Buffer.from(b)) ?? null) : ${vector}`;
      if (lends && p.name === iobref) return `${iobref}: ${iobref}?.stable ? null : ${iobref}`;
      return p.name;
    });
    const resultObject = `{ ${['opRet', 'opErrno', ...kept].join(', ')} }`;
    const cbkParams = ['_frame: Frame', '_cookie: unknown', '_xl: Xlator', 'opRet: number', 'opErrno: number', ...resultParamList(fop).map((p) => `${p.name}: ${p.type}`)];
    sf.addFunction({
      isExported: true,
      name: `syncop${fop.pascal}`,
      docs: [`${fop.name} on \`subvolume\`, awaited.`],
      parameters: [{ name: 'subvolume', type: 'Xlator' }, ...argParamList(fop), { name: 'options', type: 'SyncopOptions', initializer: '{}' }],
      returnType: `Promise<${fop.pascal}Result>`,
      statements: [
        `const frame = callPool.createStack(options.caller ?? syncopCaller, options.credentials, Fop.${fop.enumName});`,
        'options.prepare?.(frame);',
        `return new Promise<${fop.pascal}Result>((resolve) => {`,
        `  wind${fop.pascal}(`,
        '    frame,',
        `    (${cbkParams.join(', ')}) => {`,
        '      frame.root.destroy();',
        ...(lends ? ["      // A stable iobref's owner takes its buffers back when this returns, before the promise's reader runs."] : []),
        `      resolve(${resultObject});`,
        '    },',
        '    subvolume,',
        `    ${argNames(fop)},`,
        '  );',
        '});',
      ],
    });
  }

  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every syncop by fop method name: syncop.writev(subvolume, ...).'],
    declarations: [{ name: 'syncop', initializer: `{\n${spec.fops.map((f) => `  ${f.method}: syncop${f.pascal},`).join('\n')}\n} as const` }],
  });
}
