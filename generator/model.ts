// The in-memory model every emitter reads: the spec, validated and with names worked out once.

export interface TypeModel {
  name: string;
  /** TypeScript spelling, e.g. 'Iatt' or 'Buffer[]'. */
  ts: string;
  /** Runtime module to import `importName` from, relative to the repo root ('runtime/iatt'). */
  from?: string;
  importName?: string;
  /** The value an error unwind passes: 'null' or '-1'. */
  error: 'null' | '-1';
  /** Reference types may be null; as results every reference type may be null (error unwinds). */
  isReference: boolean;
  nullableArg: boolean;
  c: string;
  doc?: string;
}

export interface FieldModel {
  name: string;
  type: TypeModel;
}

export type FopCategory = 'entry-op' | 'inode-op' | 'fd-op' | 'read-only';
export type TimeField = 'atime' | 'mtime' | 'ctime';

export interface UtimeModel {
  template: 'common' | 'setattr';
  object: TimeField[];
  parent: TimeField[];
  atimeUnlessNoatime: boolean;
}

export interface FopModel {
  /** Schema key: 'writev', 'copy_file_range'. */
  name: string;
  /** PascalCase for identifiers: 'Writev', 'CopyFileRange'. */
  pascal: string;
  /** camelCase method name: 'writev', 'copyFileRange'. */
  method: string;
  /** GF_FOP_ name: 'WRITE'. */
  enumName: string;
  number: number;
  category: FopCategory;
  data: 'read' | 'write' | null;
  priority: 'hi' | 'normal' | 'lo' | 'least' | 'none';
  args: FieldModel[];
  results: FieldModel[];
  utime: UtimeModel | null;
  doc: string;
}

export interface SpecModel {
  /** Ordered by fop number. */
  fops: FopModel[];
  types: Map<string, TypeModel>;
  /** Source files, for banners. */
  sources: { fops: string; types: string };
}
