// Load and validate spec/fops.yaml and spec/types.yaml into the SpecModel. Structural errors come
// from the JSON schemas (ajv); the checks a schema cannot express (types that exist, unique
// numbers, xdata where GlusterFS has it) are here. Every error names the file, the fop and the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import type { FieldModel, FopModel, SpecModel, TypeModel, UtimeModel } from './model.js';

export class SpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SpecError';
  }
}

interface RawType { ts: string; from?: string; import?: string; error: 'null' | '-1'; nullable?: boolean; c: string; doc?: string }
interface RawFop {
  number: number; enum?: string; category: FopModel['category']; data?: 'read' | 'write';
  priority: FopModel['priority']; noXdata?: boolean; args: Record<string, string>; results: Record<string, string>;
  utime?: { template: 'common' | 'setattr'; object?: UtimeModel['object']; parent?: UtimeModel['parent']; atimeUnlessNoatime?: boolean };
  doc: string;
}

export interface SpecSources {
  fopsFile: string;
  typesFile: string;
  fopsSchemaFile: string;
  typesSchemaFile: string;
  /** Display names for messages and banners (repo-relative). */
  fopsName?: string;
  typesName?: string;
}

/** The fop and type spec of a checkout: spec files from `specDir`, schemas from the checkout's spec/. */
export function specSourcesIn(root: string, specDir = join(root, 'spec')): SpecSources {
  return {
    fopsFile: join(specDir, 'fops.yaml'),
    typesFile: join(specDir, 'types.yaml'),
    fopsSchemaFile: join(root, 'spec/fops.schema.json'),
    typesSchemaFile: join(root, 'spec/types.schema.json'),
    fopsName: 'spec/fops.yaml',
    typesName: 'spec/types.yaml',
  };
}

export function loadSpec(src: SpecSources): SpecModel {
  const fopsName = src.fopsName ?? src.fopsFile;
  const typesName = src.typesName ?? src.typesFile;
  const rawTypes = readYaml(src.typesFile, typesName) as { types: Record<string, RawType> };
  validateWithSchema(rawTypes, src.typesSchemaFile, typesName);
  const rawFops = readYaml(src.fopsFile, fopsName) as { fops: Record<string, RawFop> };
  validateWithSchema(rawFops, src.fopsSchemaFile, fopsName);
  return buildModel(rawFops, rawTypes, fopsName, typesName);
}

function readYaml(file: string, name: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError([`${name}: cannot read: ${(e as Error).message}`]);
  }
  try {
    return parse(text, { uniqueKeys: true });
  } catch (e) {
    throw new SpecError([`${name}: ${(e as Error).message.split('\n')[0]}`]);
  }
}

function validateWithSchema(data: unknown, schemaFile: string, name: string): void {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  if (validate(data)) return;
  throw new SpecError((validate.errors ?? []).map((e) => `${name}: ${describeSchemaError(e)}`));
}

/** '/fops/writev/args/vector' → "fop 'writev', field 'args.vector'". */
function describeSchemaError(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
  const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
  let where = parts.join('.');
  if ((parts[0] === 'fops' || parts[0] === 'types') && parts.length >= 2) {
    const kind = parts[0] === 'fops' ? 'fop' : 'type';
    where = `${kind} '${parts[1]}'` + (parts.length > 2 ? `, field '${parts.slice(2).join('.')}'` : '');
  }
  return `${where || 'top level'}: ${e.message ?? e.keyword}${extra}${allowed}`;
}

function buildModel(raw: { fops: Record<string, RawFop> }, rawTypes: { types: Record<string, RawType> }, fopsName: string, typesName: string): SpecModel {
  const problems: string[] = [];
  const types = new Map<string, TypeModel>();
  for (const [name, t] of Object.entries(rawTypes.types)) {
    if (t.from !== undefined && t.import === undefined && !/^[A-Za-z]+$/.test(t.ts)) {
      problems.push(`${typesName}: type '${name}', field 'import': needed when ts '${t.ts}' is not a plain name`);
    }
    types.set(name, {
      name,
      ts: t.ts,
      ...(t.from !== undefined ? { from: t.from, importName: t.import ?? t.ts } : {}),
      error: t.error,
      isReference: t.error === 'null',
      nullableArg: t.nullable === true,
      c: t.c,
      ...(t.doc !== undefined ? { doc: t.doc } : {}),
    });
  }

  const numbers = new Map<number, string>();
  const fops: FopModel[] = [];
  for (const [name, f] of Object.entries(raw.fops)) {
    const where = `${fopsName}: fop '${name}'`;
    const other = numbers.get(f.number);
    if (other !== undefined) problems.push(`${where}, field 'number': ${f.number} is already the number of '${other}'`);
    numbers.set(f.number, name);
    const fields = (kind: 'args' | 'results'): FieldModel[] =>
      Object.entries(f[kind]).map(([fieldName, typeName]) => {
        const type = types.get(typeName);
        if (type === undefined) {
          problems.push(`${where}, field '${kind}.${fieldName}': unknown type '${typeName}' (known: ${[...types.keys()].join(', ')})`);
          return { name: fieldName, type: { name: typeName, ts: 'unknown', error: 'null', isReference: true, nullableArg: true, c: '?' } };
        }
        return { name: fieldName, type };
      });
    const args = fields('args');
    const results = fields('results');
    if (f.noXdata !== true) {
      const lastArg = args[args.length - 1];
      if (lastArg?.name !== 'xdata' || lastArg.type.name !== 'Dict') {
        problems.push(`${where}, field 'args.xdata': missing (every fop's last argument is 'xdata: Dict'; set noXdata for the exceptions)`);
      }
      if (!results.some((r) => r.name === 'xdata' && r.type.name === 'Dict')) {
        problems.push(`${where}, field 'results.xdata': missing (every callback returns 'xdata: Dict')`);
      }
    }
    const seen = new Set<string>();
    for (const arg of args) {
      if (seen.has(arg.name)) problems.push(`${where}, field 'args.${arg.name}': duplicate name`);
      seen.add(arg.name);
    }
    if (f.data !== undefined && f.category === 'read-only' && f.data === 'write') {
      problems.push(`${where}, field 'data': a read-only fop cannot write data`);
    }
    fops.push({
      name,
      pascal: pascalCase(name),
      method: camelCase(name),
      enumName: f.enum ?? name.toUpperCase(),
      number: f.number,
      category: f.category,
      data: f.data ?? null,
      priority: f.priority,
      args,
      results,
      utime: f.utime
        ? { template: f.utime.template, object: f.utime.object ?? [], parent: f.utime.parent ?? [], atimeUnlessNoatime: f.utime.atimeUnlessNoatime ?? false }
        : null,
      doc: f.doc.trim(),
    });
  }
  if (problems.length > 0) throw new SpecError(problems);
  fops.sort((a, b) => a.number - b.number);
  return { fops, types, sources: { fops: fopsName, types: typesName } };
}

export function pascalCase(name: string): string {
  return name
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

export function camelCase(name: string): string {
  const p = pascalCase(name);
  return p.charAt(0).toLowerCase() + p.slice(1);
}
