// The FUSE protocol model the emitters read: structs with their byte layout worked out, opcodes
// with decoded request shapes and reply kinds.

export type ScalarKind = 'u8' | 'u16' | 'u32' | 'u64' | 'i32' | 'i64' | 'u64n';

export interface FuseField {
  name: string;
  offset: number;
  size: number;
  /** A scalar, or the name of a nested struct. */
  kind: ScalarKind | 'struct';
  struct?: string;
  /** Padding, reserved and array fields: zero on encode, not decoded. */
  reserved: boolean;
}

export interface FuseStruct {
  name: string;
  /** 'FuseEntryOut' */
  typeName: string;
  /** 'FUSE_ENTRY_OUT_SIZE' */
  sizeName: string;
  size: number;
  fields: FuseField[];
}

export type RequestItem = { kind: 'struct'; struct: string } | { kind: 'cstring'; name: string } | { kind: 'bytes'; name: string };

export interface FuseOpcodeModel {
  name: string;
  number: number;
  /** Handler method name: 'copyFileRange'. */
  handler: string;
  /** 'FuseCopyFileRangeRequest' */
  requestType: string;
  request: RequestItem[];
  reply: { kind: 'none' | 'empty' | 'data' } | { kind: 'structs'; structs: string[] };
  fops: string[];
}

export interface FuseModel {
  protocol: { major: number; minor: number };
  initFlags: Array<[name: string, bit: number]>;
  structs: Map<string, FuseStruct>;
  opcodes: FuseOpcodeModel[];
  source: string;
}
