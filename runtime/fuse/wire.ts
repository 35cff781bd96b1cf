// 64-bit little-endian fields as JavaScript numbers: two 32-bit halves are far cheaper than a
// bigint round trip, and every 64-bit value xlfs sends or receives (offsets, sizes, its own
// nodeids and fhs) is below 2^53. The generated codecs (generated/fuse-abi.ts) use these.
const TWO_32 = 4294967296;

export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * TWO_32;
}

export function readI64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readInt32LE(offset + 4) * TWO_32;
}

export function writeU64(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32LE(value >>> 0, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32) >>> 0, offset + 4);
}

export function writeI64(buf: Buffer, offset: number, value: number): void {
  if (value >= 0) writeU64(buf, offset, value);
  else buf.writeBigInt64LE(BigInt(value), offset);
}

// 64-bit values that do need a bigint (inode numbers from gfids): through one scratch word, one
// bigint made per read and none per write, where Buffer's bigint methods build several. The word is
// in host order, as FUSE's structs are (the codecs' "LE" is the host order of every xlfs host).
const scratchBytes = new Uint8Array(8);
const scratchWord = new BigUint64Array(scratchBytes.buffer);
const MAX_U64 = 0xffffffffffffffffn;

function checkRange(buf: Buffer, offset: number): void {
  if (!(offset >= 0 && offset + 8 <= buf.length)) throw new RangeError(`offset ${offset} is outside a buffer of ${buf.length} bytes`);
}

export function readBigU64(buf: Buffer, offset: number): bigint {
  checkRange(buf, offset);
  for (let i = 0; i < 8; i++) scratchBytes[i] = buf[offset + i]!;
  return scratchWord[0]!;
}

export function writeBigU64(buf: Buffer, offset: number, value: bigint): void {
  if (value < 0n || value > MAX_U64) throw new RangeError(`${value} is not an unsigned 64-bit value`);
  checkRange(buf, offset);
  scratchWord[0] = value;
  for (let i = 0; i < 8; i++) buf[offset + i] = scratchBytes[i]!;
}
