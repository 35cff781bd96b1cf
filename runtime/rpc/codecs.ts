// The wire types that are not plain XDR structs, between their GlusterFS encodings and the
// runtime's own types: gfid (16 fixed bytes), gfx_iattx (struct iatt as 4.x sends it), gf_statfs,
// gfx_dict (typed dict of the 4.x program) and the old serialized dict (SETVOLUME, callbacks).
// The generated codecs (generated/rpc-xdr.ts) call these for fields of those types.
import { Dict, type DictValue } from '../dict.js';
import { type Gfid, isGfid, NULL_GFID } from '../gfid.js';
import { Iatt, type Statvfs } from '../iatt.js';
import { XdrError, XdrReader, XdrWriter } from './xdr.js';

export function encodeGfid(w: XdrWriter, gfid: Gfid): void {
  w.gfid(gfid || NULL_GFID);
}

export function decodeGfid(r: XdrReader): Gfid {
  return r.gfid();
}

/** Which iatt fields a brick fills (IATT_TYPE ... IATT_BTIME, IATT_GFID): what posix sends. */
const IATT_VALID = 0x17ff;

export function encodeIattx(w: XdrWriter, ia: Iatt | null): void {
  if (ia === null) {
    w.fixedOpaque(Buffer.alloc(148), 148);
    return;
  }
  encodeGfid(w, ia.gfid);
  w.u64(IATT_VALID);
  w.u64(ia.ino);
  w.u64(ia.dev);
  w.u64(ia.rdev);
  w.u64(ia.size);
  w.u64(ia.blocks);
  w.u64(0); // attributes
  w.u64(0); // attributes mask
  w.i64(ia.atime);
  w.i64(ia.mtime);
  w.i64(ia.ctime);
  w.i64(ia.btime);
  w.u32(ia.atimeNsec);
  w.u32(ia.mtimeNsec);
  w.u32(ia.ctimeNsec);
  w.u32(ia.btimeNsec);
  w.u32(ia.nlink);
  w.u32(ia.uid);
  w.u32(ia.gid);
  w.u32(ia.blksize);
  w.u32(ia.mode);
}

export function decodeIattx(r: XdrReader): Iatt {
  const ia = new Iatt();
  ia.gfid = decodeGfid(r);
  r.skip(8); // flags
  ia.ino = r.u64n();
  ia.dev = r.u64approx();
  ia.rdev = r.u64approx();
  ia.size = r.u64();
  ia.blocks = r.u64();
  r.skip(16); // attributes, attributes mask
  ia.atime = r.i64();
  ia.mtime = r.i64();
  ia.ctime = r.i64();
  ia.btime = r.i64();
  ia.atimeNsec = r.u32();
  ia.mtimeNsec = r.u32();
  ia.ctimeNsec = r.u32();
  ia.btimeNsec = r.u32();
  ia.nlink = r.u32();
  ia.uid = r.u32();
  ia.gid = r.u32();
  ia.blksize = r.u32();
  ia.mode = r.u32();
  return ia;
}

const STATFS_FIELDS = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax'] as const;

export function encodeStatfs(w: XdrWriter, s: Statvfs): void {
  for (const f of STATFS_FIELDS) w.u64(s[f]);
}

export function decodeStatfs(r: XdrReader): Statvfs {
  const out = {} as Statvfs;
  // fsid is any 64-bit value; the others are counts a number holds.
  for (const f of STATFS_FIELDS) out[f] = f === 'fsid' ? Number(r.u64n() & 0x1fffffffffffffn) : r.u64();
  return out;
}

/** gf_dict_data_type_t: the arm of gfx_value. */
export const GfxValueType = { STR_OLD: 1, INT: 2, UINT: 3, DOUBLE: 4, STR: 5, PTR: 6, GFUUID: 7, IATT: 8, MDATA: 9 } as const;

function valueType(key: string, v: DictValue): number {
  if (Buffer.isBuffer(v)) return GfxValueType.PTR;
  if (typeof v === 'string') return key.endsWith('gfid-req') && isGfid(v) ? GfxValueType.GFUUID : GfxValueType.STR;
  if (typeof v === 'bigint') return GfxValueType.UINT;
  if (typeof v === 'boolean') return GfxValueType.INT;
  return Number.isInteger(v) ? GfxValueType.INT : GfxValueType.DOUBLE;
}

/**
 * gfx_dict: {xdr_size, count, pairs<>}. count -1 is "no dict". xdr_size must be the exact size of
 * the encoded pairs: a brick finds the start of a WRITE's payload with it.
 */
export function encodeGfxDict(w: XdrWriter, dict: Dict | null): void {
  if (dict === null) {
    w.u32(0);
    w.i32(-1);
    w.u32(0);
    return;
  }
  const sizeAt = w.length;
  w.u32(0);
  w.i32(dict.size);
  w.u32(dict.size);
  const start = w.length;
  for (const [key, v] of dict) {
    w.cString(key);
    const type = valueType(key, v);
    w.i32(type);
    switch (type) {
      case GfxValueType.PTR:
        w.opaque(v as Buffer);
        break;
      case GfxValueType.STR:
        w.cString(v as string);
        break;
      case GfxValueType.GFUUID:
        w.gfid(v as string);
        break;
      case GfxValueType.UINT:
        w.u64(v as bigint);
        break;
      case GfxValueType.INT:
        w.i64(typeof v === 'boolean' ? (v ? 1 : 0) : (v as number));
        break;
      default:
        w.double(v as number);
    }
  }
  w.setU32(sizeAt, dict.size === 0 ? 0 : w.length - start);
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function decodeGfxDict(r: XdrReader): Dict | null {
  r.u32(); // xdr_size: only needed by those who skip the dict
  const count = r.i32();
  const n = r.u32();
  if (count === -1) return null;
  if (n !== count) throw new XdrError(`gfx_dict says ${count} pairs but carries ${n}`);
  if (n > r.remaining / 8) throw new XdrError(`gfx_dict of ${n} pairs in ${r.remaining} bytes`);
  const dict = new Dict();
  for (let i = 0; i < n; i++) {
    const key = r.cString();
    const type = r.i32();
    let v: DictValue;
    switch (type) {
      case GfxValueType.STR_OLD:
      case GfxValueType.PTR:
        v = Buffer.from(r.opaque());
        break;
      case GfxValueType.STR:
        v = r.cString();
        break;
      case GfxValueType.INT: {
        const big = r.i64n();
        v = big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big;
        break;
      }
      case GfxValueType.UINT: {
        const big = r.u64n();
        v = big <= MAX_SAFE ? Number(big) : big;
        break;
      }
      case GfxValueType.DOUBLE:
        v = r.double();
        break;
      case GfxValueType.GFUUID:
        v = decodeGfid(r);
        break;
      case GfxValueType.IATT:
        v = Buffer.from(r.fixedOpaque(148));
        break;
      case GfxValueType.MDATA:
        v = Buffer.from(r.fixedOpaque(36));
        break;
      default:
        throw new XdrError(`gfx_dict value of type ${type} for key '${key}'`);
    }
    dict.set(key, v);
  }
  return dict;
}

/**
 * The old serialized dict (dict_serialize): count, then per pair key length (without its NUL),
 * value length, key and NUL, value; big-endian, unpadded. Values are text with their NUL.
 */
export function encodeOldDict(dict: Dict): Buffer {
  const w = new XdrWriter(256);
  w.u32(dict.size);
  for (const [key, v] of dict) {
    const k = Buffer.from(key, 'utf8');
    const value = Buffer.isBuffer(v) ? v : Buffer.from(`${String(v)}\0`, 'utf8');
    w.u32(k.length);
    w.u32(value.length);
    w.raw(k);
    w.raw(Buffer.from([0]));
    w.raw(value);
  }
  return Buffer.from(w.finish());
}

export function decodeOldDict(blob: Buffer): Dict {
  const dict = new Dict();
  if (blob.length === 0) return dict;
  const r = new XdrReader(blob);
  const count = r.i32();
  if (count < 0 || count > blob.length / 9) throw new XdrError(`old dict of ${count} pairs in ${blob.length} bytes`);
  for (let i = 0; i < count; i++) {
    const keyLength = r.u32();
    const valueLength = r.u32();
    const key = r.raw(keyLength).toString('utf8');
    r.raw(1);
    dict.set(key, Buffer.from(r.raw(valueLength)));
  }
  return dict;
}

export function encodeOldDictField(w: XdrWriter, dict: Dict): void {
  w.opaque(encodeOldDict(dict));
}

export function decodeOldDictField(r: XdrReader): Dict {
  return decodeOldDict(r.opaque());
}

/** XDR's optional-data list: a present-flag before each element, 0 after the last. */
export function encodeList<T>(w: XdrWriter, items: readonly T[], encode: (w: XdrWriter, v: T) => void): void {
  for (const item of items) {
    w.bool(true);
    encode(w, item);
  }
  w.bool(false);
}

export function decodeList<T>(r: XdrReader, decode: (r: XdrReader) => T): T[] {
  const out: T[] = [];
  while (r.bool()) out.push(decode(r));
  return out;
}
