// FUSE's 64-bit fields: as numbers by halves (offsets, sizes, nodeids) and as bigints through a
// scratch word (inode numbers), each checked against Buffer's own methods at the edges.
import { describe, expect, it } from 'vitest';
import { readBigU64, readI64, readU64, writeBigU64, writeI64, writeU64 } from '../../runtime/fuse/wire.js';

describe('FUSE 64-bit fields', () => {
  it('read and write bigints over the whole unsigned range, as Buffer does', () => {
    for (const v of [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n + 1n, 0x0123456789abcdefn, 0xfedcba9876543210n, 2n ** 64n - 1n]) {
      const b = Buffer.alloc(12, 0xaa);
      writeBigU64(b, 3, v);
      expect(b.readBigUInt64LE(3)).toBe(v);
      expect(b[2]).toBe(0xaa);
      expect(b[11]).toBe(0xaa);
      expect(readBigU64(b, 3)).toBe(v);
    }
    expect(() => writeBigU64(Buffer.alloc(8), 0, -1n)).toThrow(RangeError);
    expect(() => writeBigU64(Buffer.alloc(8), 0, 2n ** 64n)).toThrow(RangeError);
    expect(() => writeBigU64(Buffer.alloc(8), 1, 1n)).toThrow(RangeError);
    expect(() => readBigU64(Buffer.alloc(8), 1)).toThrow(RangeError);
  });

  it('read and write numbers by halves at the edges of the exact range', () => {
    for (const v of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const b = Buffer.alloc(8);
      writeU64(b, 0, v);
      expect(b.readBigUInt64LE(0)).toBe(BigInt(v));
      expect(readU64(b, 0)).toBe(v);
    }
    for (const v of [-1, -(2 ** 32), Number.MIN_SAFE_INTEGER, 2 ** 40]) {
      const b = Buffer.alloc(8);
      writeI64(b, 0, v);
      expect(b.readBigInt64LE(0)).toBe(BigInt(v));
      expect(readI64(b, 0)).toBe(v);
    }
  });
});
