// Load spec/fuse.yaml: schema check (ajv), then lay out every struct (natural alignment, as the C
// compiler does for <linux/fuse.h>) and resolve each opcode's request and reply.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { SpecError } from '../load.js';
import type { FuseField, FuseModel, FuseOpcodeModel, FuseStruct, RequestItem, ScalarKind } from './model.js';

const SCALAR_SIZE: Record<ScalarKind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, i32: 4, i64: 8, u64n: 8 };
const RESERVED = /^(padding|dummy|unused\d*|spare)$/;

interface RawFuse {
  protocol: { major: number; minor: number };
  initFlags: Record<string, number>;
  structs: Record<string, string[]>;
  opcodes: Record<string, { number: number; request: string[]; reply: string | string[]; fops: string[] }>;
}

export function loadFuseSpec(file: string, schemaFile: string, name = file): FuseModel {
  let raw: RawFuse;
  try {
    raw = parse(readFileSync(file, 'utf8'), { uniqueKeys: true }) as RawFuse;
  } catch (e) {
    throw new SpecError([`${name}: ${(e as Error).message.split('\n')[0]}`]);
  }
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  if (!validate(raw)) throw new SpecError((validate.errors ?? []).map((e) => `${name}: ${e.instancePath || 'top level'}: ${e.message}`));

  const problems: string[] = [];
  const structs = new Map<string, FuseStruct>();
  for (const [sname, fields] of Object.entries(raw.structs)) {
    let offset = 0;
    let align = 1;
    const out: FuseField[] = [];
    for (const spec of fields) {
      const [fname, typeText] = spec.split(' ') as [string, string];
      const m = /^([a-z0-9_]+)(?:\[(\d+)\])?$/.exec(typeText)!;
      const base = m[1]!;
      const count = m[2] === undefined ? 1 : Number(m[2]);
      let size: number;
      let fieldAlign: number;
      let kind: FuseField['kind'];
      if (base in SCALAR_SIZE) {
        kind = base as ScalarKind;
        size = SCALAR_SIZE[kind];
        fieldAlign = size;
      } else {
        const nested = structs.get(base);
        if (nested === undefined) {
          problems.push(`${name}: struct '${sname}', field '${fname}': unknown type '${base}' (structs must be defined before use)`);
          continue;
        }
        kind = 'struct';
        size = nested.size;
        fieldAlign = 8;
      }
      offset = Math.ceil(offset / fieldAlign) * fieldAlign;
      align = Math.max(align, fieldAlign);
      out.push({ name: fname, offset, size: size * count, kind, ...(kind === 'struct' ? { struct: base } : {}), reserved: count > 1 || RESERVED.test(fname) });
      offset += size * count;
    }
    const size = Math.ceil(offset / align) * align;
    const typeName = 'Fuse' + pascal(sname);
    structs.set(sname, { name: sname, typeName, sizeName: `FUSE_${sname.toUpperCase()}_SIZE`, size, fields: out });
  }

  const numbers = new Map<number, string>();
  const opcodes: FuseOpcodeModel[] = [];
  for (const [oname, op] of Object.entries(raw.opcodes)) {
    const where = `${name}: opcode ${oname}`;
    const other = numbers.get(op.number);
    if (other !== undefined) problems.push(`${where}, field 'number': ${op.number} is already the number of ${other}`);
    numbers.set(op.number, oname);
    const request: RequestItem[] = [];
    op.request.forEach((item, i) => {
      const [first, second] = item.split(' ');
      if (second === undefined) {
        if (!structs.has(first!)) problems.push(`${where}, field 'request[${i}]': unknown struct '${first}'`);
        request.push({ kind: 'struct', struct: first! });
      } else if (second === 'cstring' || second === 'bytes') {
        request.push({ kind: second, name: first! });
      } else {
        problems.push(`${where}, field 'request[${i}]': '${item}' is neither a struct nor 'name cstring' / 'name bytes'`);
      }
    });
    let reply: FuseOpcodeModel['reply'];
    if (Array.isArray(op.reply) || !['none', 'empty', 'data'].includes(op.reply)) {
      const list = Array.isArray(op.reply) ? op.reply : [op.reply];
      for (const s of list) if (!structs.has(s)) problems.push(`${where}, field 'reply': unknown struct '${s}'`);
      reply = { kind: 'structs', structs: list };
    } else {
      reply = { kind: op.reply as 'none' | 'empty' | 'data' };
    }
    const handler = camel(oname.toLowerCase());
    opcodes.push({ name: oname, number: op.number, handler, requestType: `Fuse${pascal(oname.toLowerCase())}Request`, request, reply, fops: op.fops });
  }
  if (problems.length > 0) throw new SpecError(problems);
  opcodes.sort((a, b) => a.number - b.number);
  const initFlags = Object.entries(raw.initFlags).sort(([, a], [, b]) => a - b);
  return { protocol: raw.protocol, initFlags, structs, opcodes, source: name };
}

function pascal(snake: string): string {
  return snake.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

function camel(snake: string): string {
  const p = pascal(snake);
  return p.charAt(0).toLowerCase() + p.slice(1);
}
