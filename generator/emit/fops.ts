// generated/fops.ts: the Fop numbering and the per-fop metadata the runtime and tools read.
import { VariableDeclarationKind, type Project } from 'ts-morph';
import type { SpecModel } from '../model.js';
import { createGenerated } from './common.js';

export function emitFops(project: Project, spec: SpecModel): void {
  const sf = createGenerated(project, 'generated/fops.ts', 'generator/emit/fops.ts', spec, 'The fop numbers (glusterfs_fop_t) and what the spec says about each fop.');
  sf.addImportDeclaration({ moduleSpecifier: '../runtime/stack.js', namedImports: ['fopNamesByNumber'] });

  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['GlusterFS fop numbers, by GF_FOP_ name. They index statistics and travel on the wire.'],
    declarations: [{ name: 'Fop', initializer: `{\n${spec.fops.map((f) => `  ${f.enumName}: ${f.number},`).join('\n')}\n} as const` }],
  });
  sf.addTypeAlias({ isExported: true, name: 'FopNumber', type: '(typeof Fop)[keyof typeof Fop]' });
  sf.addTypeAlias({ isExported: true, name: 'FopName', type: spec.fops.map((f) => `'${f.name}'`).join(' | ') });
  sf.addTypeAlias({ isExported: true, name: 'FopCategory', type: `'entry-op' | 'inode-op' | 'fd-op' | 'read-only'` });
  sf.addTypeAlias({ isExported: true, name: 'IoPriority', type: `'hi' | 'normal' | 'lo' | 'least' | 'none'` });
  sf.addTypeAlias({ isExported: true, name: 'TimeField', type: `'atime' | 'mtime' | 'ctime'` });
  sf.addInterface({
    isExported: true,
    name: 'FopInfo',
    properties: [
      { name: 'name', type: 'FopName', isReadonly: true, docs: ['Schema name, as in a volfile option (writev, copy_file_range).'] },
      { name: 'method', type: 'string', isReadonly: true, docs: ['The translator method that implements it (copyFileRange).'] },
      { name: 'enumName', type: 'string', isReadonly: true, docs: ['GF_FOP_ name (WRITE).'] },
      { name: 'number', type: 'FopNumber', isReadonly: true },
      { name: 'category', type: 'FopCategory', isReadonly: true },
      { name: 'data', type: `'read' | 'write' | null`, isReadonly: true, docs: ['Whether it carries or changes file content.'] },
      { name: 'priority', type: 'IoPriority', isReadonly: true },
      { name: 'args', type: 'readonly string[]', isReadonly: true },
      { name: 'results', type: 'readonly string[]', isReadonly: true },
      { name: 'argTypes', type: 'readonly string[]', isReadonly: true, docs: ['Spec type of each argument (Loc, Iatt ...), for generic formatting.'] },
      { name: 'resultTypes', type: 'readonly string[]', isReadonly: true },
      { name: 'utime', type: '{ readonly template: string; readonly object: readonly TimeField[]; readonly parent: readonly TimeField[]; readonly atimeUnlessNoatime: boolean } | null', isReadonly: true },
      { name: 'doc', type: 'string', isReadonly: true },
    ],
  });
  const q = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
  const entries = spec.fops.map((f) => {
    const utime = f.utime
      ? `{ template: '${f.utime.template}', object: ${q(f.utime.object)}, parent: ${q(f.utime.parent)}, atimeUnlessNoatime: ${f.utime.atimeUnlessNoatime} }`
      : 'null';
    return `  ${f.name}: {
    name: '${f.name}',
    method: '${f.method}',
    enumName: '${f.enumName}',
    number: ${f.number},
    category: '${f.category}',
    data: ${f.data ? `'${f.data}'` : 'null'},
    priority: '${f.priority}',
    args: ${q(f.args.map((a) => a.name))},
    results: ${q(f.results.map((r) => r.name))},
    argTypes: ${q(f.args.map((a) => a.type.name))},
    resultTypes: ${q(f.results.map((r) => r.type.name))},
    utime: ${utime},
    doc: ${JSON.stringify(f.doc)},
  },`;
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every fop, by schema name.'],
    declarations: [{ name: 'fopInfo', type: 'Readonly<Record<FopName, FopInfo>>', initializer: `{\n${entries.join('\n')}\n}` }],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every fop in number order.'],
    declarations: [{ name: 'allFops', type: 'readonly FopInfo[]', initializer: 'Object.values(fopInfo).sort((a, b) => a.number - b.number)' }],
  });
  sf.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Fop metadata by number; holes where GlusterFS has no fop (FORGET, RELEASE, RELEASEDIR, COMPOUND).'],
    declarations: [{ name: 'fopByNumber', type: 'readonly (FopInfo | undefined)[]', initializer: 'allFops.reduce<(FopInfo | undefined)[]>((table, f) => { table[f.number] = f; return table; }, [])' }],
  });
  sf.addFunction({
    isExported: true,
    name: 'findFop',
    docs: ['A fop by schema name, method name or GF_FOP_ name, in any case (WRITE, writev, copyFileRange).'],
    parameters: [{ name: 'name', type: 'string' }],
    returnType: 'FopInfo | undefined',
    statements: `const wanted = name.toLowerCase();\nreturn allFops.find((f) => f.name === wanted || f.method.toLowerCase() === wanted || f.enumName.toLowerCase() === wanted);`,
  });
  sf.addStatements(`// Let runtime messages name fops without the runtime importing this table.\nfor (const f of allFops) fopNamesByNumber[f.number] = f.name;`);
}
