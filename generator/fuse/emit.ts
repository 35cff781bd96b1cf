// generated/fuse-abi.ts (the structs of <linux/fuse.h> with their codecs) and
// generated/fuse-opcodes.ts (the opcode table as data, request decoders, FuseHandlers, dispatch),
// from spec/fuse.yaml.
import { VariableDeclarationKind, type Project, type SourceFile } from 'ts-morph';
import { registerHeader } from '../emit/common.js';
import type { FuseField, FuseModel, FuseStruct } from './model.js';

const EMITTER = 'generator/fuse/emit.ts';

function create(project: Project, path: string, model: FuseModel, doc: string): SourceFile {
  const sf = project.createSourceFile(path, '', { overwrite: true });
  registerHeader(sf, EMITTER, [model.source], doc);
  return sf;
}

const READ: Record<string, (o: string) => string> = {
  u8: (o) => `buf.readUInt8(${o})`,
  u16: (o) => `buf.readUInt16LE(${o})`,
  u32: (o) => `buf.readUInt32LE(${o})`,
  i32: (o) => `buf.readInt32LE(${o})`,
  u64: (o) => `readU64(buf, ${o})`,
  i64: (o) => `readI64(buf, ${o})`,
  u64n: (o) => `readBigU64(buf, ${o})`,
};
const WRITE: Record<string, (o: string, v: string) => string> = {
  u8: (o, v) => `buf.writeUInt8(${v}, ${o});`,
  u16: (o, v) => `buf.writeUInt16LE(${v}, ${o});`,
  u32: (o, v) => `buf.writeUInt32LE(${v} >>> 0, ${o});`,
  i32: (o, v) => `buf.writeInt32LE(${v}, ${o});`,
  u64: (o, v) => `writeU64(buf, ${o}, ${v});`,
  i64: (o, v) => `writeI64(buf, ${o}, ${v});`,
  u64n: (o, v) => `writeBigU64(buf, ${o}, ${v});`,
};

function fieldType(f: FuseField, model: FuseModel): string {
  if (f.kind === 'struct') return model.structs.get(f.struct!)!.typeName;
  return f.kind === 'u64n' ? 'bigint' : 'number';
}

const at = (offset: number) => (offset === 0 ? 'offset' : `offset + ${offset}`);

export function emitFuse(project: Project, model: FuseModel): void {
  emitAbi(project, model);
  emitOpcodes(project, model);
}

function emitAbi(project: Project, model: FuseModel): void {
  const sf = create(project, 'generated/fuse-abi.ts', model, `The FUSE kernel ABI (protocol ${model.protocol.major}.${model.protocol.minor}): opcodes, INIT flags, and each struct\nwith its size, a decoder and an encoder. Reserved fields are left out and encode as zero.`);
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/fuse/wire.js', namedImports: ['readBigU64', 'readI64', 'readU64', 'writeBigU64', 'writeI64', 'writeU64'] });
  const constant = (name: string, value: string, doc?: string) =>
    sf.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, ...(doc ? { docs: [doc] } : {}), declarations: [{ name, initializer: value }] });
  constant('FUSE_KERNEL_VERSION', String(model.protocol.major));
  constant('FUSE_KERNEL_MINOR_VERSION', String(model.protocol.minor));
  constant('FuseOpcode', `{\n${model.opcodes.map((o) => `  ${o.name}: ${o.number},`).join('\n')}\n} as const`, 'Opcode numbers (enum fuse_opcode).');
  constant('FuseInitFlag', `{\n${model.initFlags.map(([n, bit]) => `  ${n}: ${2 ** bit},`).join('\n')}\n} as const`, 'fuse_init_in/out flags.');

  for (const s of model.structs.values()) emitStruct(sf, s, model);
}

function emitStruct(sf: SourceFile, s: FuseStruct, model: FuseModel): void {
  const fields = s.fields.filter((f) => !f.reserved);
  sf.addInterface({
    isExported: true,
    name: s.typeName,
    docs: [`struct fuse_${s.name} (${s.size} bytes).`],
    properties: fields.map((f) => ({ name: f.name, type: fieldType(f, model) })),
  });
  sf.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, declarations: [{ name: s.sizeName, initializer: String(s.size) }] });
  sf.addFunction({
    isExported: true,
    name: `decode${s.typeName}`,
    parameters: [{ name: 'buf', type: 'Buffer' }, { name: 'offset', type: 'number' }],
    returnType: s.typeName,
    statements: `return {\n${fields
      .map((f) => `  ${f.name}: ${f.kind === 'struct' ? `decode${model.structs.get(f.struct!)!.typeName}(buf, ${at(f.offset)})` : READ[f.kind]!(at(f.offset))},`)
      .join('\n')}\n};`,
  });
  sf.addFunction({
    isExported: true,
    name: `encode${s.typeName}`,
    docs: ['Writes every field at `offset`; reserved fields are left as the buffer has them (zero when allocated with Buffer.alloc).'],
    parameters: [{ name: 'buf', type: 'Buffer' }, { name: 'offset', type: 'number' }, { name: 'value', type: s.typeName }],
    returnType: 'void',
    statements: fields.map((f) =>
      f.kind === 'struct' ? `encode${model.structs.get(f.struct!)!.typeName}(buf, ${at(f.offset)}, value.${f.name});` : WRITE[f.kind]!(at(f.offset), `value.${f.name}`),
    ),
  });
}

function emitOpcodes(project: Project, model: FuseModel): void {
  const sf = create(project, 'generated/fuse-opcodes.ts', model, 'The opcode table as data (after go-fuse\'s opcode.go): each opcode\'s request decoder, its reply kind,\nthe fops the bridge winds for it, and the FuseHandlers method that serves it. An opcode whose handler\nis missing is answered ENOSYS by the session, never left unanswered.');
  const usedStructs = new Set<string>(['in_header']);
  for (const o of model.opcodes) for (const item of o.request) if (item.kind === 'struct') usedStructs.add(item.struct);
  const used = [...usedStructs].map((n) => model.structs.get(n)!).sort((a, b) => a.typeName.localeCompare(b.typeName));
  sf.addImportDeclaration({
    moduleSpecifier: './fuse-abi.js',
    namedImports: [
      ...used.flatMap((s) => [`decode${s.typeName}`, s.sizeName]),
      ...used.map((s) => ({ name: s.typeName, isTypeOnly: true })),
    ],
  });

  for (const o of model.opcodes) {
    const parents = o.request.filter((i) => i.kind === 'struct').map((i) => model.structs.get((i as { struct: string }).struct)!.typeName);
    const own = o.request.filter((i) => i.kind !== 'struct') as Array<{ kind: 'cstring' | 'bytes'; name: string }>;
    sf.addInterface({
      isExported: true,
      name: o.requestType,
      docs: [`FUSE_${o.name} (${o.number}).${o.fops.length ? ` Winds: ${o.fops.join(', ')}.` : ''}`],
      extends: parents,
      properties: own.map((i) => ({ name: i.name, isReadonly: true, type: i.kind === 'cstring' ? 'string' : 'Buffer' })),
    });
    const lines: string[] = ['let at = 0;'];
    const parts: string[] = [];
    for (const item of o.request) {
      if (item.kind === 'struct') {
        const s = model.structs.get(item.struct)!;
        lines.push(`const ${camel(item.struct)} = decode${s.typeName}(body, at);`, `at += ${s.sizeName};`);
        // Fields named one by one, not spread: a literal of fixed shape is built in one step, where
        // a spread copies property by property into an object that changes shape as it grows.
        parts.push(...s.fields.filter((f) => !f.reserved).map((f) => `${f.name}: ${camel(item.struct)}.${f.name}`));
      } else if (item.kind === 'cstring') {
        lines.push(`const ${item.name}End = body.indexOf(0, at);`, `const ${item.name} = body.toString('utf8', at, ${item.name}End < 0 ? body.length : ${item.name}End);`, `at = ${item.name}End < 0 ? body.length : ${item.name}End + 1;`);
        parts.push(item.name);
      } else {
        lines.push(`const ${item.name} = body.subarray(at);`);
        parts.push(item.name);
      }
    }
    if (o.request.length === 0) lines.length = 0;
    const only = o.request.length === 1 && o.request[0]!.kind === 'struct' ? model.structs.get((o.request[0] as { struct: string }).struct)! : null;
    if (only !== null) lines.splice(0, lines.length, `return decode${only.typeName}(body, 0);`);
    else lines.push(`return { ${parts.join(', ')} };`);
    sf.addFunction({
      isExported: true,
      name: `decode${o.requestType}`,
      parameters: [{ name: o.request.length === 0 ? '_body' : 'body', type: 'Buffer' }],
      returnType: o.requestType,
      statements: lines,
    });
  }

  sf.addInterface({
    isExported: true,
    name: 'FuseHandlers',
    docs: ['What serves FUSE requests: one optional method per opcode. A handler replies through its own means (the session).'],
    methods: model.opcodes.map((o) => ({
      name: o.handler,
      hasQuestionToken: true,
      parameters: [{ name: 'header', type: 'FuseInHeader' }, { name: 'request', type: o.requestType }],
      returnType: 'void',
    })),
  });
  sf.addTypeAlias({ isExported: true, name: 'FuseReplyKind', type: `'none' | 'empty' | 'data' | 'struct'` });
  sf.addInterface({
    isExported: true,
    name: 'FuseOpcodeInfo',
    properties: [
      { name: 'name', type: 'string', isReadonly: true },
      { name: 'number', type: 'number', isReadonly: true },
      { name: 'reply', type: 'FuseReplyKind', isReadonly: true, docs: ["'none': the kernel expects no reply at all."] },
      { name: 'fops', type: 'readonly string[]', isReadonly: true },
      { name: 'handler', type: 'keyof FuseHandlers', isReadonly: true },
      { name: 'dispatch', type: '(handlers: FuseHandlers, header: FuseInHeader, body: Buffer) => boolean', isReadonly: true, docs: ['Decode and call the handler; false when the handlers have none for this opcode.'] },
    ],
  });
  const rows = model.opcodes.map((o) => {
    const reply = o.reply.kind === 'structs' ? 'struct' : o.reply.kind;
    return `  {\n    name: '${o.name}',\n    number: ${o.number},\n    reply: '${reply}',\n    fops: [${o.fops.map((f) => `'${f}'`).join(', ')}],\n    handler: '${o.handler}',\n    dispatch: (handlers, header, body) => {\n      if (handlers.${o.handler} === undefined) return false;\n      handlers.${o.handler}(header, decode${o.requestType}(body));\n      return true;\n    },\n  },`;
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every opcode the kernel sends, in number order.'],
    declarations: [{ name: 'fuseOpcodes', type: 'readonly FuseOpcodeInfo[]', initializer: `[\n${rows.join('\n')}\n]` }],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Opcode table indexed by number, for dispatch.'],
    declarations: [{ name: 'fuseOpcodeByNumber', type: 'readonly (FuseOpcodeInfo | undefined)[]', initializer: 'fuseOpcodes.reduce<(FuseOpcodeInfo | undefined)[]>((table, o) => { table[o.number] = o; return table; }, [])' }],
  });
  sf.addFunction({
    isExported: true,
    name: 'decodeFuseHeader',
    docs: ['The fuse_in_header at the start of a request.'],
    parameters: [{ name: 'buf', type: 'Buffer' }],
    returnType: 'FuseInHeader',
    statements: 'return decodeFuseInHeader(buf, 0);',
  });
  sf.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, declarations: [{ name: 'FUSE_REQUEST_HEADER_SIZE', initializer: 'FUSE_IN_HEADER_SIZE' }] });
}

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

