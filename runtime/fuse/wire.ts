// 64-bit little-endian fields as JavaScript numbers: two 32-bit halves are far cheaper than a
// bigint round trip, and every 64-bit value xlfs sends or receives (offsets, sizes, its own
// nodeids and fhs) is below 2^53. The generated codecs (generated/fuse-abi.ts) use these.
import { readBigUint64, writeBigUint64LE } from '../bigint64.js';

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

// Inode numbers need all 64 bits: bigints, through runtime/bigint64's scratch word.
export function readBigU64(buf: Buffer, offset: number): bigint {
  return readBigUint64(buf, offset, false);
}

export function writeBigU64(buf: Buffer, offset: number, value: bigint): void {
  writeBigUint64LE(buf, offset, value);
}
