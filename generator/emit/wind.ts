// generated/wind.ts: STACK_WIND, STACK_WIND_COOKIE, STACK_WIND_TAIL and STACK_UNWIND_STRICT, typed
// per fop. A fop that throws, rejects or whose callback throws fails that one call with EIO.
import { VariableDeclarationKind, type Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { addTypeImports, argNames, argParamList, createGenerated, errorValues, resultNames, resultParamList } from './common.js';

export function emitWind(project: Project, spec: SpecModel): void {
  const sf = createGenerated(
    project,
    'generated/wind.ts',
    'generator/emit/wind.ts',
    spec,
    'Wind and unwind, one typed pair per fop.\n' +
      'windX(frame, cbk, child, ...args, cookie?)  STACK_WIND / STACK_WIND_COOKIE: a new frame for child, answering to cbk.\n' +
      'windXTail(frame, child, ...args)           STACK_WIND_TAIL: child continues on this frame; the caller vanishes from the unwind.\n' +
      'unwindX(frame, opRet, opErrno, ...results) STACK_UNWIND_STRICT: answer the frame\'s caller.\n' +
      'unwindXError(frame, opErrno)               an error answer with empty results.',
  );
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/errno.js', namedImports: ['Errno'] });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/stack.js', namedImports: ['reportThrow', 'fopLabel', { name: 'Frame', isTypeOnly: true }] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/xlator.js', namedImports: ['Xlator'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './fop-types.js', namedImports: spec.fops.map((f) => `${f.pascal}Cbk`) });
  sf.addImportDeclaration({ moduleSpecifier: './fops.js', namedImports: ['Fop'] });
  addTypeImports(sf, spec, spec.fops, { args: true, results: true });

  sf.addFunction({
    isExported: true,
    name: 'failCall',
    docs: ['A translator threw (or its promise rejected) while `frame` was its to answer: log it and answer EIO once.'],
    parameters: [{ name: 'frame', type: 'Frame' }, { name: 'what', type: 'string' }, { name: 'error', type: 'unknown' }],
    returnType: 'void',
    statements: [
      'reportThrow(frame.this, what, error);',
      'if (frame.complete || frame.ret === null) return;',
      'const unwind = errorUnwinders[frame.op];',
      'if (unwind !== undefined) unwind(frame, Errno.EIO);',
    ],
  });

  for (const fop of spec.fops) {
    const names = argNames(fop);
    const resultList = resultNames(fop);
    const call = `child.${fop.method}(next, ${names})`;
    sf.addFunction({
      isExported: true,
      name: `wind${fop.pascal}`,
      docs: [`Wind ${fop.name} to \`child\` on a new frame; \`cbk\` gets the answer with \`cookie\` (default: the new frame).`],
      parameters: [
        { name: 'frame', type: 'Frame' },
        { name: 'cbk', type: `${fop.pascal}Cbk` },
        { name: 'child', type: 'Xlator' },
        ...argParamList(fop),
        { name: 'cookie', type: 'unknown', hasQuestionToken: true },
      ],
      returnType: 'void',
      statements: [
        `const next = frame.windFrame(child, Fop.${fop.enumName}, cbk, cookie);`,
        'try {',
        `  const pending = ${call};`,
        `  if (pending !== undefined) pending.catch((e: unknown) => failCall(next, '${fop.name}', e));`,
        '} catch (e) {',
        `  failCall(next, '${fop.name}', e);`,
        '}',
      ],
    });
    sf.addFunction({
      isExported: true,
      name: `wind${fop.pascal}Tail`,
      docs: [`Hand ${fop.name} to \`child\` on this same frame (STACK_WIND_TAIL): the caller's callback gets the answer directly.`],
      parameters: [{ name: 'frame', type: 'Frame' }, { name: 'child', type: 'Xlator' }, ...argParamList(fop)],
      returnType: 'void',
      statements: [
        'frame.this = child;',
        'try {',
        `  const pending = child.${fop.method}(frame, ${names});`,
        `  if (pending !== undefined) pending.catch((e: unknown) => failCall(frame, '${fop.name}', e));`,
        '} catch (e) {',
        `  failCall(frame, '${fop.name}', e);`,
        '}',
      ],
    });
    sf.addFunction({
      isExported: true,
      name: `unwind${fop.pascal}`,
      docs: [`Answer ${fop.name}: call the caller's callback with its frame and this frame's cookie.`],
      parameters: [{ name: 'frame', type: 'Frame' }, { name: 'opRet', type: 'number' }, { name: 'opErrno', type: 'number' }, ...resultParamList(fop)],
      returnType: 'void',
      statements: [
        'const parent = frame.parent;',
        'if (parent === null) {',
        `  frame.this.log.error(\`\${frame.this.name} unwound ${fop.name} on a stack's first frame, which nobody waits for\`);`,
        '  return;',
        '}',
        'if (!frame.beginUnwind(opRet, opErrno)) return;',
        `const cbk = frame.ret as ${fop.pascal}Cbk;`,
        'try {',
        `  cbk.call(parent.this, parent, frame.cookie, parent.this, opRet, opErrno${resultList ? ', ' + resultList : ''});`,
        '} catch (e) {',
        `  failCall(parent, \`\${fopLabel(Fop.${fop.enumName})} callback \${cbk.name || '(anonymous)'}\`, e);`,
        '}',
      ],
    });
    sf.addFunction({
      isExported: true,
      name: `unwind${fop.pascal}Error`,
      docs: [`Answer ${fop.name} with an error: opRet -1, \`opErrno\`, empty results.`],
      parameters: [{ name: 'frame', type: 'Frame' }, { name: 'opErrno', type: 'number' }],
      returnType: 'void',
      statements: `unwind${fop.pascal}(frame, -1, opErrno${fop.results.length ? ', ' + errorValues(fop) : ''});`,
    });
  }

  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['The error answer of every fop, by number: for code that fails a frame without knowing its fop.'],
    declarations: [
      {
        name: 'errorUnwinders',
        type: 'Readonly<Record<number, (frame: Frame, opErrno: number) => void>>',
        initializer: `{\n${spec.fops.map((f) => `  [Fop.${f.enumName}]: unwind${f.pascal}Error,`).join('\n')}\n}`,
      },
    ],
  });

  // Untyped tables for translators that treat every fop alike (io-threads queues them all): the
  // typed functions above, looked up by fop number, taking the fop's arguments or results in order.
  sf.addTypeAlias({
    isExported: true,
    name: 'AnyCbk',
    docs: ['A callback of any fop: the frame, cookie and translator, opRet, opErrno, then the results in order.'],
    type: '(frame: Frame, cookie: unknown, xl: Xlator, opRet: number, opErrno: number, ...results: any[]) => void',
  });
  sf.addTypeAlias({ isExported: true, name: 'AnyWind', type: '(frame: Frame, cbk: AnyCbk, child: Xlator, ...args: any[]) => void' });
  sf.addTypeAlias({ isExported: true, name: 'AnyUnwind', type: '(frame: Frame, opRet: number, opErrno: number, ...results: any[]) => void' });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['windX of every fop, by number: `(frame, cbk, child, ...args)` winds on a new frame.'],
    declarations: [
      {
        name: 'winders',
        type: 'Readonly<Record<number, AnyWind>>',
        initializer: `{\n${spec.fops.map((f) => `  [Fop.${f.enumName}]: wind${f.pascal} as AnyWind,`).join('\n')}\n}`,
      },
    ],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['unwindX of every fop, by number: `(frame, opRet, opErrno, ...results)`.'],
    declarations: [
      {
        name: 'unwinders',
        type: 'Readonly<Record<number, AnyUnwind>>',
        initializer: `{\n${spec.fops.map((f) => `  [Fop.${f.enumName}]: unwind${f.pascal} as AnyUnwind,`).join('\n')}\n}`,
      },
    ],
  });
}
