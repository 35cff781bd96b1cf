// The XDR layer: primitives, the two dict encodings against bytes captured from a real GlusterFS
// session (../shared/reference/gluster-wire.md §4), generated codecs round-tripping, and spec/rpc
// errors that name the file, struct and field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGfxLookupReq, encodeGfxLookupReq, encodeGfxWriteReq, GlusterFopProgram, decodeGfxReaddirpRsp, encodeGfxReaddirpRsp } from '../../generated/rpc-xdr.js';
import { SpecError } from '../../generator/load.js';
import { loadRpcSpec } from '../../generator/rpc/load.js';
import { Dict } from '../../runtime/dict.js';
import { isGfid } from '../../runtime/gfid.js';
import { Iatt } from '../../runtime/iatt.js';
import { decodeGfxDict, decodeOldDict, encodeGfxDict, encodeOldDict } from '../../runtime/rpc/codecs.js';
import { XdrError, XdrReader, XdrWriter } from '../../runtime/rpc/xdr.js';

const hex = (b: Buffer) => b.toString('hex');

describe('primitives', () => {
  it('round-trip and pad to four bytes', () => {
    const w = new XdrWriter(4);
    w.u32(0xfffffffe);
    w.i32(-2);
    w.u64(2 ** 40 + 5);
    w.i64(-2);
    w.u64(0xfedcba9876543210n);
    w.string('hello');
    w.fixedOpaque(Buffer.from([1, 2, 3]), 3);
    const bytes = w.finish();
    expect(bytes.length).toBe(4 + 4 + 8 + 8 + 8 + 12 + 4);
    const r = new XdrReader(bytes);
    expect([r.u32(), r.i32(), r.u64(), r.i64(), r.u64n(), r.string(), [...r.fixedOpaque(3)]]).toEqual([0xfffffffe, -2, 2 ** 40 + 5, -2, 0xfedcba9876543210n, 'hello', [1, 2, 3]]);
    expect(r.remaining).toBe(0);
  });

  it('write strings and C strings as UTF-8 opaques, short or long, ASCII or not', () => {
    const expected = (text: string) => {
      const bytes = Buffer.from(text, 'utf8');
      const out = Buffer.alloc(4 + bytes.length + ((4 - (bytes.length % 4)) % 4));
      out.writeUInt32BE(bytes.length, 0);
      bytes.copy(out, 4);
      return out.toString('hex');
    };
    const samples = ['', 'a', 'abc', 'abcd', 'abcde', 'é', 'aé', 'name\u{1F600}', 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(257), `${'y'.repeat(255)}é`];
    for (const text of samples) {
      // Once in a small writer that has to grow, once over stale bytes: padding must be zeros.
      const grown = new XdrWriter(8);
      grown.string(text);
      expect(grown.finish().toString('hex')).toBe(expected(text));
      const w = new XdrWriter(2048);
      (w as unknown as { buf: Buffer }).buf.fill(0xee);
      w.u32(7);
      w.string(text);
      w.cString(text);
      const bytes = w.finish();
      expect(bytes.subarray(4).toString('hex'), JSON.stringify(text)).toBe(expected(text) + expected(`${text}\0`));
      const r = new XdrReader(bytes, 4);
      expect(r.string()).toBe(text);
      expect(r.cString()).toBe(text);
      expect(r.remaining).toBe(0);
    }
    // A C string that arrives without its NUL keeps all its text.
    const bare = new XdrWriter(16);
    bare.string('key');
    expect(new XdrReader(bare.finish()).cString()).toBe('key');
    expect(() => new XdrReader(Buffer.from('0000000561626364', 'hex')).string()).toThrow(XdrError);
    expect(() => new XdrReader(Buffer.from('0000000561626364', 'hex')).cString()).toThrow(XdrError);
  });

  it('refuse truncated input and lengths beyond the record', () => {
    expect(() => new XdrReader(Buffer.from([0, 0, 0])).u32()).toThrow(XdrError);
    expect(() => new XdrReader(Buffer.from('7fffffff00', 'hex')).opaque()).toThrow(/truncated/);
    expect(() => new XdrReader(Buffer.from('00000002', 'hex')).bool()).toThrow(XdrError);
    expect(() => new XdrReader(Buffer.from('0020000000000000', 'hex')).u64()).toThrow(/exact range/);
  });

  it('read and write hypers as numbers at the edges of the exact range, as BigInt does', () => {
    const edges = [0, 1, -1, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_700_000_000_123];
    for (const v of edges) {
      const w = new XdrWriter(8);
      w.i64(v);
      const bytes = w.finish();
      expect(bytes.readBigInt64BE(0)).toBe(BigInt(v));
      expect(new XdrReader(bytes).i64()).toBe(v);
      if (v >= 0) expect(new XdrReader(bytes).u64()).toBe(v);
    }
    const beyond = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(n);
      return new XdrReader(b);
    };
    expect(() => beyond(BigInt(Number.MAX_SAFE_INTEGER) + 1n).i64()).toThrow(/exact range/);
    expect(() => beyond(BigInt(Number.MIN_SAFE_INTEGER) - 1n).i64()).toThrow(/exact range/);
    expect(() => beyond(-1n).u64()).toThrow(/exact range/);
  });

  it('read unsigned hypers as bigints over the whole range, as Buffer does', () => {
    for (const v of [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n + 1n, 0x0123456789abcdefn, 0xfedcba9876543210n, 2n ** 64n - 1n]) {
      const b = Buffer.alloc(12, 0xaa);
      b.writeBigUInt64BE(v, 2);
      const r = new XdrReader(b, 2);
      expect(r.u64n()).toBe(v);
      expect(r.offset).toBe(10);
    }
    expect(() => new XdrReader(Buffer.alloc(7)).u64n()).toThrow(XdrError);
  });
});

describe('gfx_dict', () => {
  it('encodes gfid-req as the stock client does', () => {
    const w = new XdrWriter();
    encodeGfxDict(w, Dict.of({ 'gfid-req': '3d2a0c0e-1f4b-4a8e-9c55-2d1e0f6b7a88' }));
    expect(hex(w.finish())).toBe('00000024' + '00000001' + '00000001' + '00000009' + hex(Buffer.from('gfid-req\0')) + '000000' + '00000007' + '3d2a0c0e1f4b4a8e9c552d1e0f6b7a88');
  });

  it('sends a gfid-req that is not canonical gfid text as a string', () => {
    expect(isGfid('3d2a0c0e-1f4b-4a8e-9c55-2d1e0f6b7a88')).toBe(true);
    for (const text of ['3D2A0C0E-1F4B-4A8E-9C55-2D1E0F6B7A88', '3d2a0c0e-1f4b-4a8e-9c55-2d1e0f6b7a8', '3d2a0c0e-1f4b-4a8e-9c55-2d1e0f6b7a88 ', '3d2a0c0e11f4b-4a8e-9c55-2d1e0f6b7a8', '3d2a0c0e-1f4b-4a8e-9c55-2d1e0f6b7a8g', '3d2a0c0e-1f4b-4a8e-9c55-2d1e0f6b7a8\u0101']) {
      expect(isGfid(text)).toBe(false);
      const w = new XdrWriter();
      encodeGfxDict(w, Dict.of({ 'gfid-req': text }));
      const back = decodeGfxDict(new XdrReader(w.finish()));
      expect(back?.get('gfid-req')).toBe(text);
    }
  });

  it('encodes no dict and an empty dict as captured', () => {
    const none = new XdrWriter();
    encodeGfxDict(none, null);
    expect(hex(none.finish())).toBe('00000000ffffffff00000000');
    const empty = new XdrWriter();
    encodeGfxDict(empty, new Dict());
    expect(hex(empty.finish())).toBe('000000000000000000000000');
  });

  it('round-trips every value type it sends, and sizes the pairs exactly', () => {
    const dict = Dict.of({ bytes: Buffer.from([0, 1, 2]), text: 'yes', int: -7, big: 2n ** 63n, real: 0.5, flag: true });
    const w = new XdrWriter();
    encodeGfxDict(w, dict);
    const bytes = w.finish();
    expect(bytes.readUInt32BE(0)).toBe(bytes.length - 12);
    const back = decodeGfxDict(new XdrReader(bytes))!;
    expect([...back.entries()]).toEqual([['bytes', Buffer.from([0, 1, 2])], ['text', 'yes'], ['int', -7], ['big', 2n ** 63n], ['real', 0.5], ['flag', 1]]);
  });

  it('rejects a value type the union has no arm for', () => {
    const bad = Buffer.from('0000001000000001000000010000000178000000000000000000000000', 'hex');
    expect(() => decodeGfxDict(new XdrReader(bad))).toThrow(/type 0/);
  });
});

describe('the old serialized dict (SETVOLUME)', () => {
  it('writes key lengths without the NUL and values with it', () => {
    const blob = encodeOldDict(Dict.of({ 'fops-version': '1298437' }));
    expect(hex(blob)).toBe('00000001' + '0000000c' + '00000008' + hex(Buffer.from('fops-version\0')) + hex(Buffer.from('1298437\0')));
    expect(decodeOldDict(blob).getString('fops-version')).toBe('1298437');
  });
});

describe('generated codecs', () => {
  it('round-trip a request and a list-carrying reply', () => {
    const w = new XdrWriter();
    const req = { gfid: '00000000-0000-0000-0000-000000000000', pargfid: '00000000-0000-0000-0000-000000000001', flags: 0, bname: 'hello.txt', xdata: new Dict() };
    encodeGfxLookupReq(w, req);
    expect(decodeGfxLookupReq(new XdrReader(w.finish()))).toEqual(req);
    const stat = new Iatt();
    stat.gfid = '11111111-2222-3333-4444-555555555555';
    stat.ino = 0x4444555555555555n;
    stat.mode = 0o100644;
    stat.size = 5;
    const rsp = { opRet: 2, opErrno: 0, xdata: null, reply: [
      { dIno: 1n, dOff: 0x7fffffffffffffffn, dLen: 1, dType: 4, name: '.', stat: new Iatt(), dict: null },
      { dIno: stat.ino, dOff: 2n, dLen: 9, dType: 8, name: 'hello.txt', stat, dict: Dict.of({ k: Buffer.from('v') }) },
    ] };
    const w2 = new XdrWriter();
    encodeGfxReaddirpRsp(w2, rsp);
    const back = decodeGfxReaddirpRsp(new XdrReader(w2.finish()));
    expect(back.reply.map((e) => [e.name, e.dOff, e.stat.gfid, e.stat.size])).toEqual([['.', 0x7fffffffffffffffn, '00000000-0000-0000-0000-000000000000', 0], ['hello.txt', 2n, stat.gfid, 5]]);
  });

  it('keep xdata last in a WRITE request, so the brick finds the payload', () => {
    const w = new XdrWriter();
    encodeGfxWriteReq(w, { gfid: '00000000-0000-0000-0000-000000000001', fd: -2, offset: 0, size: 6, flag: 0o100001, xdata: null });
    expect(w.length).toBe(16 + 8 + 8 + 4 + 4 + 12); // the fixed header the brick reads before the data
    expect(GlusterFopProgram.procedures.WRITE.payload).toBe('request');
    expect(GlusterFopProgram.procedures.READ.payload).toBe('reply');
  });

  it('cover every procedure of the 4.x program but COMPOUND and PUT', () => {
    const numbers = Object.values(GlusterFopProgram.procedures).map((p) => p.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 56 }, (_, i) => i + 1).filter((n) => n !== 49 && n !== 55));
  });
});

describe('spec/rpc errors', () => {
  it('name the file, the struct and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xlfs-rpc-spec-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'program: { name: P, constant: BadProgram, number: 1, version: 1 }\nstructs:\n  thing_req: [a u32, b gfix]\nprocedures:\n  GO: { number: 1, request: thing_req, reply: missing_rsp }\n');
      let problems: string[] = [];
      try {
        loadRpcSpec(dir, join(import.meta.dirname, '../../spec/rpc.schema.json'), 'spec/rpc');
      } catch (e) {
        if (e instanceof SpecError) problems = e.problems;
      }
      expect(problems).toEqual([
        expect.stringMatching(/^spec\/rpc\/bad\.yaml: struct 'thing_req', field 'b': unknown type 'gfix'/),
        "spec/rpc/bad.yaml: procedure 'GO', reply: struct 'missing_rsp' is not defined",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
