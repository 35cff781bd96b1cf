// Load spec/rpc/*.yaml: each file checked against spec/rpc.schema.json, then every field type and
// every procedure's structs resolved across files. Problems are collected and reported together,
// each naming the file, the struct or procedure, and the field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { SpecError } from '../load.js';
import { type FieldKind, PRIMITIVES, type RpcModel, type RpcProgram, type RpcStruct, SPECIAL_TYPES } from './model.js';

interface RawRpc {
  program?: { name: string; constant: string; number: number; version: number };
  structs: Record<string, string[]>;
  procedures?: Record<string, { number: number; request?: string; reply?: string; payload?: 'request' | 'reply' }>;
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());

export function loadRpcSpec(dir: string, schemaFile: string, shownDir = 'spec/rpc'): RpcModel {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  const problems: string[] = [];
  const raws: Array<[string, RawRpc]> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const name = `${shownDir}/${file}`;
    let raw: RawRpc;
    try {
      raw = parse(readFileSync(join(dir, file), 'utf8'), { uniqueKeys: true }) as RawRpc;
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!validate(raw)) {
      problems.push(...(validate.errors ?? []).map((e) => `${name}: ${e.instancePath || 'top level'}: ${e.message}`));
      continue;
    }
    raws.push([name, raw]);
  }

  const declared = new Map<string, string>();
  for (const [name, raw] of raws) {
    for (const s of Object.keys(raw.structs)) {
      const other = declared.get(s);
      if (other !== undefined) problems.push(`${name}: struct '${s}' is already defined in ${other}`);
      declared.set(s, name);
    }
  }

  const structs = new Map<string, RpcStruct>();
  for (const [name, raw] of raws) {
    for (const [sname, fields] of Object.entries(raw.structs)) {
      const out: RpcStruct = { name: sname, typeName: pascal(sname), fields: [], source: name };
      const seen = new Set<string>();
      for (const text of fields) {
        const [wireName, typeText] = text.split(' ') as [string, string];
        if (seen.has(wireName)) problems.push(`${name}: struct '${sname}', field '${wireName}': defined twice`);
        seen.add(wireName);
        const type = resolveType(typeText, declared);
        if (typeof type === 'string') {
          problems.push(`${name}: struct '${sname}', field '${wireName}': ${type}`);
          continue;
        }
        out.fields.push({ wireName, name: camel(wireName), type });
      }
      structs.set(sname, out);
    }
  }

  const programs: RpcProgram[] = [];
  for (const [name, raw] of raws) {
    if (raw.program === undefined) {
      if (raw.procedures !== undefined) problems.push(`${name}: procedures without a program`);
      continue;
    }
    const program: RpcProgram = { ...raw.program, procedures: [], source: name };
    const numbers = new Map<number, string>();
    for (const [pname, p] of Object.entries(raw.procedures ?? {})) {
      const clash = numbers.get(p.number);
      if (clash !== undefined) problems.push(`${name}: procedure '${pname}': number ${p.number} is taken by '${clash}'`);
      numbers.set(p.number, pname);
      for (const side of ['request', 'reply'] as const) {
        const s = p[side];
        if (s !== undefined && !structs.has(s)) problems.push(`${name}: procedure '${pname}', ${side}: struct '${s}' is not defined`);
      }
      if (p.payload !== undefined && p[p.payload] === undefined) problems.push(`${name}: procedure '${pname}': a ${p.payload} payload needs a ${p.payload} struct`);
      program.procedures.push({ name: pname, number: p.number, request: p.request ?? null, reply: p.reply ?? null, payload: p.payload ?? null });
    }
    programs.push(program);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return { structs, programs, sources: raws.map(([n]) => n) };
}

function resolveType(text: string, declared: ReadonlyMap<string, string>): FieldKind | string {
  const fixed = /^opaque\[(\d+)\]$/.exec(text);
  if (fixed) return { kind: 'fixed-opaque', length: Number(fixed[1]) };
  if (text.endsWith('*')) {
    const struct = text.slice(0, -1);
    return declared.has(struct) ? { kind: 'list', struct } : `unknown struct '${struct}' in a list`;
  }
  if (text in PRIMITIVES) return { kind: 'primitive', name: text as keyof typeof PRIMITIVES };
  if (text in SPECIAL_TYPES) return { kind: 'special', name: text as keyof typeof SPECIAL_TYPES };
  if (declared.has(text)) return { kind: 'struct', struct: text };
  return `unknown type '${text}' (known: ${[...Object.keys(PRIMITIVES), 'opaque[N]', ...Object.keys(SPECIAL_TYPES), 'a struct, struct*'].join(', ')})`;
}
