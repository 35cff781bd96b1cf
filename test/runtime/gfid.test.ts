// gfids between bytes and text, and new ones: the decoder remembers recent gfids by their bytes, so it is checked
// against a plain hex rendering over more distinct gfids than it remembers, repeats among them.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gfidFromBuffer, gfidToBuffer, isGfid, newGfid, NULL_GFID } from '../../runtime/gfid.js';

const plain = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

describe('gfid text', () => {
  it('decodes every gfid as its hex text, new or seen before, at any offset', () => {
    const pool = Array.from({ length: 40 }, () => randomBytes(16));
    pool.push(Buffer.alloc(16), Buffer.from('00000000000000000000000000000001', 'hex'), Buffer.alloc(16, 0xff));
    // A gfid one byte away from one just decoded (so remembered) must not be taken for it.
    for (let i = 0; i < 16; i++) {
      const near = Buffer.from(pool[0]!);
      near[i]! ^= 0x80;
      expect(gfidFromBuffer(pool[0]!)).toBe(plain(pool[0]!));
      expect(gfidFromBuffer(near)).toBe(plain(near));
      pool.push(near);
    }
    for (let round = 0; round < 500; round++) {
      const bytes = pool[(round * 7919) % pool.length]!;
      const framed = Buffer.concat([randomBytes(round % 5), bytes, randomBytes(3)]);
      const text = gfidFromBuffer(framed, round % 5);
      expect(text).toBe(plain(bytes));
      expect(gfidToBuffer(text).equals(bytes)).toBe(true);
    }
    expect(gfidFromBuffer(Buffer.alloc(16))).toBe(NULL_GFID);
    expect(() => gfidFromBuffer(Buffer.alloc(15))).toThrow(RangeError);
    expect(() => gfidFromBuffer(Buffer.alloc(16), 1)).toThrow(RangeError);
  });

  it('makes new gfids that are random version 4 UUIDs, distinct across refills of the random pool', () => {
    const made = Array.from({ length: 1000 }, () => newGfid());
    expect(new Set(made).size).toBe(made.length);
    for (const g of made) {
      expect(isGfid(g)).toBe(true);
      expect(g[14]).toBe('4'); // version
      expect('89ab').toContain(g[19]); // variant
      expect(gfidFromBuffer(gfidToBuffer(g))).toBe(g);
    }
    // Every other hex digit varies: nothing of the pool leaks through as a constant.
    for (const at of [0, 7, 9, 15, 20, 35]) expect(new Set(made.map((g) => g[at])).size).toBeGreaterThan(8);
  });
});
