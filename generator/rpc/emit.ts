// generated/rpc-xdr.ts from spec/rpc/: per XDR struct an interface, an encoder and a decoder; per
// program a table of its procedures with their codecs. Types with a hand-written codec (gfid,
// gfx_dict, gfx_iattx, gf_statfs, the old dict) call runtime/rpc/codecs.ts.
import { VariableDeclarationKind, type Project } from 'ts-morph';
import { registerHeader } from '../emit/common.js';
import { PRIMITIVES, type RpcField, type RpcModel, type RpcStruct, SPECIAL_TYPES } from './model.js';

const EMITTER = 'generator/rpc/emit.ts';

function tsType(f: RpcField, model: RpcModel): string {
  const t = f.type;
  switch (t.kind) {
    case 'primitive':
      return PRIMITIVES[t.name].ts;
    case 'fixed-opaque':
      return 'Buffer';
    case 'special':
      return SPECIAL_TYPES[t.name].ts;
    case 'struct':
      return model.structs.get(t.struct)!.typeName;
    case 'list':
      return `${model.structs.get(t.struct)!.typeName}[]`;
  }
}

function encodeStatement(f: RpcField, model: RpcModel): string {
  const v = `v.${f.name}`;
  const t = f.type;
  switch (t.kind) {
    case 'primitive':
      return `w.${PRIMITIVES[t.name].write}(${v});`;
    case 'fixed-opaque':
      return `w.fixedOpaque(${v}, ${t.length});`;
    case 'special':
      return `${SPECIAL_TYPES[t.name].encode}(w, ${v});`;
    case 'struct':
      return `encode${model.structs.get(t.struct)!.typeName}(w, ${v});`;
    case 'list':
      return `encodeList(w, ${v}, encode${model.structs.get(t.struct)!.typeName});`;
  }
}

// Decoded bytes are copies: a record may lie in a pooled buffer that the next reply reuses, so a
// view into it must not outlive the callback (READ data, the one large exception, is lent through
// an iobref instead).
function decodeExpression(f: RpcField, model: RpcModel): string {
  const t = f.type;
  switch (t.kind) {
    case 'primitive':
      return t.name === 'opaque' ? 'Buffer.from(r.opaque())' : `r.${PRIMITIVES[t.name].read}()`;
    case 'fixed-opaque':
      return `Buffer.from(r.fixedOpaque(${t.length}))`;
    case 'special':
      return `${SPECIAL_TYPES[t.name].decode}(r)`;
    case 'struct':
      return `decode${model.structs.get(t.struct)!.typeName}(r)`;
    case 'list':
      return `decodeList(r, decode${model.structs.get(t.struct)!.typeName})`;
  }
}

export function emitRpc(project: Project, model: RpcModel): void {
  const sf = project.createSourceFile('generated/rpc-xdr.ts', '', { overwrite: true });
  registerHeader(
    sf,
    EMITTER,
    model.sources,
    'The XDR of GlusterFS\'s RPC programs: for each struct an interface, encodeX(w, v) and decodeX(r);\nfor each program its number, version and procedures with their codecs.',
  );
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/dict.js', namedImports: [{ name: 'Dict', isTypeOnly: true }] });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/gfid.js', namedImports: [{ name: 'Gfid', isTypeOnly: true }] });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/iatt.js', namedImports: [{ name: 'Iatt', isTypeOnly: true }, { name: 'Statvfs', isTypeOnly: true }] });
  sf.addImportDeclaration({
    moduleSpecifier: '../runtime/rpc/codecs.js',
    namedImports: [...new Set(Object.values(SPECIAL_TYPES).flatMap((s) => [s.encode, s.decode])), 'decodeList', 'encodeList'].sort(),
  });
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/rpc/xdr.js', namedImports: [{ name: 'XdrReader', isTypeOnly: true }, { name: 'XdrWriter', isTypeOnly: true }] });

  for (const s of model.structs.values()) emitStruct(s, model, sf);

  for (const p of model.programs) {
    const procedures = p.procedures.map((proc) => {
      const enc = proc.request === null ? 'null' : `encode${model.structs.get(proc.request)!.typeName}`;
      const dec = proc.reply === null ? 'null' : `decode${model.structs.get(proc.reply)!.typeName}`;
      const payload = proc.payload === null ? 'null' : `'${proc.payload}'`;
      return `    ${proc.name}: { number: ${proc.number}, encodeRequest: ${enc}, decodeReply: ${dec}, payload: ${payload} },`;
    });
    sf.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`${p.name}: program ${p.number}, version ${p.version} (${p.source}).`],
      declarations: [
        {
          name: p.constant,
          initializer: `{\n  name: '${p.name}',\n  number: ${p.number},\n  version: ${p.version},\n  procedures: {\n${procedures.join('\n')}\n  },\n} as const`,
        },
      ],
    });
  }
}

function emitStruct(s: RpcStruct, model: RpcModel, sf: import('ts-morph').SourceFile): void {
  sf.addInterface({
    isExported: true,
    name: s.typeName,
    docs: [`struct ${s.name} (${s.source}).`],
    properties: s.fields.map((f) => ({ name: f.name, type: tsType(f, model) })),
  });
  sf.addFunction({
    isExported: true,
    name: `encode${s.typeName}`,
    parameters: [{ name: 'w', type: 'XdrWriter' }, { name: s.fields.length === 0 ? '_v' : 'v', type: s.typeName }],
    returnType: 'void',
    statements: s.fields.map((f) => encodeStatement(f, model)),
  });
  sf.addFunction({
    isExported: true,
    name: `decode${s.typeName}`,
    parameters: [{ name: s.fields.length === 0 ? '_r' : 'r', type: 'XdrReader' }],
    returnType: s.typeName,
    statements: s.fields.length === 0 ? 'return {};' : `return {\n${s.fields.map((f) => `  ${f.name}: ${decodeExpression(f, model)},`).join('\n')}\n};`,
  });
}
