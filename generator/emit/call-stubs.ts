// generated/call-stubs.ts: capture a fop call (going down) or its answer (going up) to resume
// later, as GlusterFS's call-stub.c does for write-behind, open-behind and io-threads queues.
import { Scope, type Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { addTypeImports, argNames, argParamList, createGenerated, resultNames, resultParamList } from './common.js';

export function emitCallStubs(project: Project, spec: SpecModel): void {
  const sf = createGenerated(
    project,
    'generated/call-stubs.ts',
    'generator/emit/call-stubs.ts',
    spec,
    'Call stubs: stubX(frame, fn, ...args) captures a call, stubXCbk(frame, cbk, opRet, opErrno, ...results)\n' +
      'captures an answer; resume() continues it, unwindError(errno) fails it instead.\n' +
      'Arguments are kept by reference. A stub holds a reference on the fop\'s iobref (WRITE data, READ\n' +
      'answers) until it has been resumed or failed; other buffers a translator keeps past the\n' +
      'caller\'s lifetime it must copy itself.',
  );
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../runtime/stack.js', namedImports: ['Frame'] });
  sf.addImportDeclaration({
    isTypeOnly: true,
    moduleSpecifier: './fop-types.js',
    namedImports: spec.fops.flatMap((f) => [`${f.pascal}Fn`, `${f.pascal}Cbk`]),
  });
  sf.addImportDeclaration({ moduleSpecifier: './fops.js', namedImports: ['Fop'] });
  sf.addImportDeclaration({ moduleSpecifier: './wind.js', namedImports: ['errorUnwinders', 'failCall', ...spec.fops.map((f) => `unwind${f.pascal}`)] });
  addTypeImports(sf, spec, spec.fops, { args: true, results: true });

  sf.addClass({
    isExported: true,
    name: 'CallStub',
    docs: ['A paused fop call (wind) or a paused answer (unwind).'],
    ctors: [
      {
        parameters: [
          { name: 'frame', type: 'Frame', isReadonly: true, scope: Scope.Public },
          { name: 'fop', type: 'number', isReadonly: true, scope: Scope.Public },
          { name: 'wind', type: 'boolean', isReadonly: true, scope: Scope.Public },
          { name: 'run', type: '(stub: CallStub) => void', isReadonly: true, scope: Scope.Private },
          { name: 'iobref', type: 'Iobref | null', initializer: 'null' },
        ],
        statements: ['this.held = iobref?.ref() ?? null;'],
      },
    ],
    properties: [{ name: 'held', type: 'Iobref | null', scope: Scope.Private, docs: ['The reference this stub holds until it is resumed or failed.'] }],
    methods: [
      {
        name: 'resume',
        docs: ['Continue the call (or the answer) where it was paused.'],
        returnType: 'void',
        statements: ['try {', '  this.run(this);', '} catch (e) {', "  failCall(this.frame, 'resumed call', e);", '} finally {', '  this.letGo();', '}'],
      },
      {
        name: 'unwindError',
        docs: ['Fail the paused call: its caller gets opRet -1 and `opErrno`.'],
        parameters: [{ name: 'opErrno', type: 'number' }],
        returnType: 'void',
        statements: ['try {', '  errorUnwinders[this.fop]?.(this.frame, opErrno);', '} finally {', '  this.letGo();', '}'],
      },
      {
        name: 'letGo',
        docs: ['Drop the reference once, whichever of resume() and unwindError() comes first.'],
        scope: Scope.Private,
        returnType: 'void',
        statements: ['const held = this.held;', 'this.held = null;', 'held?.unref();'],
      },
    ],
  });

  for (const fop of spec.fops) {
    const names = argNames(fop);
    const results = resultNames(fop);
    // The stub keeps the fop's data alive (and its owner from reusing it) while it waits.
    const argIobref = argParamList(fop).find((p) => p.type.startsWith('Iobref'))?.name;
    const resultIobref = resultParamList(fop).find((p) => p.type.startsWith('Iobref'))?.name;
    sf.addFunction({
      isExported: true,
      name: `stub${fop.pascal}`,
      docs: [`Capture a ${fop.name} call on \`frame\`; resume() calls \`fn\` with the same arguments.`],
      parameters: [{ name: 'frame', type: 'Frame' }, { name: 'fn', type: `${fop.pascal}Fn` }, ...argParamList(fop)],
      returnType: 'CallStub',
      statements: `return new CallStub(frame, Fop.${fop.enumName}, true, (stub) => {\n  const pending = fn.call(stub.frame.this, stub.frame, ${names});\n  if (pending !== undefined) pending.catch((e: unknown) => failCall(stub.frame, '${fop.name}', e));\n}${argIobref ? `, ${argIobref}` : ''});`,
    });
    sf.addFunction({
      isExported: true,
      name: `stub${fop.pascal}Cbk`,
      docs: [`Capture a ${fop.name} answer for \`frame\`; resume() calls \`cbk\` (or unwinds the frame when cbk is null).`],
      parameters: [
        { name: 'frame', type: 'Frame' },
        { name: 'cbk', type: `${fop.pascal}Cbk | null` },
        { name: 'opRet', type: 'number' },
        { name: 'opErrno', type: 'number' },
        ...resultParamList(fop),
      ],
      returnType: 'CallStub',
      statements: `return new CallStub(frame, Fop.${fop.enumName}, false, (stub) => {\n  if (cbk === null) unwind${fop.pascal}(stub.frame, opRet, opErrno${results ? ', ' + results : ''});\n  else cbk.call(stub.frame.this, stub.frame, stub.frame.cookie, stub.frame.this, opRet, opErrno${results ? ', ' + results : ''});\n}${resultIobref ? `, ${resultIobref}` : ''});`,
    });
  }
}
