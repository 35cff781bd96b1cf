// Iatt.clone copies field by field: a field added to Iatt and forgotten there would silently reset
// to its default in every cached answer.
import { describe, expect, it } from 'vitest';
import { Iatt } from '../../runtime/iatt.js';

describe('Iatt', () => {
  it('clones every field, into a distinct object', () => {
    const ia = new Iatt();
    const fields = Object.keys(ia) as (keyof Iatt)[];
    expect(fields.length).toBeGreaterThan(15);
    fields.forEach((f, i) => {
      const v = ia[f];
      (ia as unknown as Record<string, unknown>)[f] = typeof v === 'bigint' ? BigInt(i + 1000) : typeof v === 'string' ? `text-${i}` : i + 1000;
    });
    const copy = ia.clone();
    expect(copy).not.toBe(ia);
    expect(copy).toBeInstanceOf(Iatt);
    for (const f of fields) expect(copy[f], f).toBe(ia[f]);
  });
});
