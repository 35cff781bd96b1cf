// What generator/rpc/load.ts makes of spec/rpc/*.yaml: XDR structs with typed fields, and programs
// with their procedures.

/** Wire types with a hand-written codec in runtime/rpc (not plain XDR structs). */
export const SPECIAL_TYPES = {
  gfid: { ts: 'Gfid', encode: 'encodeGfid', decode: 'decodeGfid' },
  gfx_dict: { ts: 'Dict | null', encode: 'encodeGfxDict', decode: 'decodeGfxDict' },
  gfx_iattx: { ts: 'Iatt', encode: 'encodeIattx', decode: 'decodeIattx' },
  gf_statfs: { ts: 'Statvfs', encode: 'encodeStatfs', decode: 'decodeStatfs' },
  old_dict: { ts: 'Dict', encode: 'encodeOldDictField', decode: 'decodeOldDictField' },
} as const;

/** XDR primitives: TypeScript type, writer call, reader call. */
export const PRIMITIVES = {
  u32: { ts: 'number', write: 'u32', read: 'u32' },
  i32: { ts: 'number', write: 'i32', read: 'i32' },
  u64: { ts: 'number', write: 'u64', read: 'u64' },
  i64: { ts: 'number', write: 'i64', read: 'i64' },
  u64n: { ts: 'bigint', write: 'u64', read: 'u64n' },
  i64n: { ts: 'bigint', write: 'i64', read: 'i64n' },
  bool: { ts: 'boolean', write: 'bool', read: 'bool' },
  double: { ts: 'number', write: 'double', read: 'double' },
  string: { ts: 'string', write: 'string', read: 'string' },
  opaque: { ts: 'Buffer', write: 'opaque', read: 'opaque' },
} as const;

export type FieldKind =
  | { kind: 'primitive'; name: keyof typeof PRIMITIVES }
  | { kind: 'fixed-opaque'; length: number }
  | { kind: 'special'; name: keyof typeof SPECIAL_TYPES }
  | { kind: 'struct'; struct: string }
  | { kind: 'list'; struct: string };

export interface RpcField {
  /** As in the .x file (op_ret). */
  wireName: string;
  /** camelCase (opRet). */
  name: string;
  type: FieldKind;
}

export interface RpcStruct {
  name: string;
  /** PascalCase: GfxStatReq. */
  typeName: string;
  fields: RpcField[];
  source: string;
}

export interface RpcProcedure {
  name: string;
  number: number;
  request: string | null;
  reply: string | null;
  payload: 'request' | 'reply' | null;
}

export interface RpcProgram {
  name: string;
  constant: string;
  number: number;
  version: number;
  procedures: RpcProcedure[];
  source: string;
}

export interface RpcModel {
  structs: Map<string, RpcStruct>;
  programs: RpcProgram[];
  sources: string[];
}
