// XDR (RFC 4506), big-endian, in 4-byte units: what SunRPC and GlusterFS's .x files are made of.
// The writer grows one buffer; the reader never reads past its buffer and never trusts a length
// the peer sent before checking that the bytes are there.
import { readBigUint64 } from '../bigint64.js';
import { type Gfid, gfidFromBuffer, writeGfid } from '../gfid.js';

export class XdrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XdrError';
  }
}

const pad = (n: number) => (4 - (n & 3)) & 3;
const TWO_32 = 2 ** 32;
/** Strings up to this many characters try the ASCII fast path. */
const SHORT_STRING = 256;

export class XdrWriter {
  private buf: Buffer;
  private at = 0;

  constructor(initialSize = 512) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  get length(): number {
    return this.at;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.at);
    this.at += 4;
  }

  i32(v: number): void {
    this.room(4);
    this.buf.writeInt32BE(v | 0, this.at);
    this.at += 4;
  }

  u64(v: number | bigint): void {
    this.room(8);
    if (typeof v === 'bigint') this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.at);
    else {
      this.buf.writeUInt32BE(Math.floor(v / TWO_32) >>> 0, this.at);
      this.buf.writeUInt32BE(v >>> 0, this.at + 4);
    }
    this.at += 8;
  }

  i64(v: number | bigint): void {
    this.room(8);
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      // Two's complement by halves: the high word is the floor of v / 2^32, the low word the rest.
      const high = Math.floor(v / TWO_32);
      this.buf.writeInt32BE(high, this.at);
      this.buf.writeUInt32BE(v - high * TWO_32, this.at + 4);
    } else {
      this.buf.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)), this.at);
    }
    this.at += 8;
  }

  bool(v: boolean): void {
    this.u32(v ? 1 : 0);
  }

  double(v: number): void {
    this.room(8);
    this.buf.writeDoubleBE(v, this.at);
    this.at += 8;
  }

  /** Fixed-length opaque: the bytes, zero-padded to 4, no length word. */
  fixedOpaque(bytes: Buffer, length = bytes.length): void {
    this.room(length + pad(length));
    bytes.copy(this.buf, this.at, 0, Math.min(length, bytes.length));
    this.buf.fill(0, this.at + Math.min(length, bytes.length), this.at + length + pad(length));
    this.at += length + pad(length);
  }

  /** Variable-length opaque: length, bytes, zero pad. */
  opaque(bytes: Buffer): void {
    this.u32(bytes.length);
    this.fixedOpaque(bytes);
  }

  /** A string as UTF-8 opaque, encoded straight into the buffer. */
  string(s: string): void {
    if (s.length <= SHORT_STRING && this.shortAscii(s, false)) return;
    const length = Buffer.byteLength(s, 'utf8');
    this.u32(length);
    this.room(length + 3);
    this.buf.write(s, this.at, length, 'utf8');
    this.buf.fill(0, this.at + length, this.at + length + pad(length));
    this.at += length + pad(length);
  }

  /** A C string (GlusterFS's dict keys and string values): the UTF-8 bytes and a NUL, as an opaque. */
  cString(s: string): void {
    if (s.length <= SHORT_STRING && this.shortAscii(s, true)) return;
    this.string(`${s}\0`);
  }

  /**
   * Names and dict keys are short and nearly always ASCII: written a byte at a time here, which
   * costs less than a trip into the UTF-8 encoder. False (nothing written) when `s` is not ASCII.
   */
  private shortAscii(s: string, nul: boolean): boolean {
    const length = s.length + (nul ? 1 : 0);
    this.room(4 + length + 3);
    const buf = this.buf;
    const start = this.at + 4;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[start + i] = c;
    }
    buf.writeUInt32BE(length, this.at);
    let end = start + s.length;
    if (nul) buf[end++] = 0;
    for (let i = pad(length); i > 0; i--) buf[end++] = 0;
    this.at = end;
    return true;
  }

  /** A gfid: its 16 bytes, no length word. */
  gfid(gfid: string): void {
    this.room(16);
    writeGfid(gfid, this.buf, this.at);
    this.at += 16;
  }

  /** Bytes as they are: no length, no padding (the old dict blob, raw payloads). */
  raw(bytes: Buffer): void {
    this.room(bytes.length);
    bytes.copy(this.buf, this.at);
    this.at += bytes.length;
  }

  /** Patch a u32 already written (a length known only afterwards). */
  setU32(offset: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, offset);
  }

  /** The bytes written so far (a view of the writer's buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

export class XdrReader {
  private at: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.at = offset;
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.at + n > this.buf.length) throw new XdrError(`truncated: ${what} needs ${n} bytes at ${this.at}, ${this.buf.length - this.at} left`);
  }

  u32(): number {
    this.need(4, 'u32');
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  i32(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** Unsigned hyper as a number: exact below 2^53, an error above (use u64n for cookies). */
  u64(): number {
    this.need(8, 'unsigned hyper');
    const high = this.buf.readUInt32BE(this.at);
    const low = this.buf.readUInt32BE(this.at + 4);
    if (high >= 0x200000) throw new XdrError(`unsigned hyper ${this.buf.readBigUInt64BE(this.at)} is beyond a number's exact range`);
    this.at += 8;
    return high * TWO_32 + low;
  }

  i64(): number {
    this.need(8, 'hyper');
    const high = this.buf.readInt32BE(this.at);
    const low = this.buf.readUInt32BE(this.at + 4);
    if (high >= 0x200000 || high < -0x200000 || (high === -0x200000 && low === 0)) throw new XdrError(`hyper ${this.buf.readBigInt64BE(this.at)} is beyond a number's exact range`);
    this.at += 8;
    return high * TWO_32 + low;
  }

  /** Unsigned hyper as the nearest number, for values that only need to be close (device numbers). */
  u64approx(): number {
    this.need(8, 'unsigned hyper');
    const v = this.buf.readUInt32BE(this.at) * TWO_32 + this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return v;
  }

  /** Step over `n` bytes the caller does not need. */
  skip(n: number): void {
    this.need(n, 'skipped bytes');
    this.at += n;
  }

  u64n(): bigint {
    this.need(8, 'unsigned hyper');
    const v = readBigUint64(this.buf, this.at, true);
    this.at += 8;
    return v;
  }

  i64n(): bigint {
    this.need(8, 'hyper');
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }

  bool(): boolean {
    const v = this.u32();
    if (v > 1) throw new XdrError(`bool is ${v}`);
    return v === 1;
  }

  double(): number {
    this.need(8, 'double');
    const v = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }

  /** Fixed-length opaque (a view into the record). */
  fixedOpaque(length: number): Buffer {
    this.need(length + pad(length), 'opaque'); // a constant: the message is built only on failure
    const v = this.buf.subarray(this.at, this.at + length);
    this.at += length + pad(length);
    return v;
  }

  opaque(): Buffer {
    const length = this.u32();
    return this.fixedOpaque(length);
  }

  // The readers below decode straight from the record, without a Buffer view in between: a reply
  // carries a few gfids and dict strings, and every view is an object for the collector.

  string(): string {
    return this.text(false);
  }

  /** A C string sent as an opaque (GlusterFS's dict keys and strings): its text, without the NUL. */
  cString(): string {
    return this.text(true);
  }

  private text(dropNul: boolean): string {
    const length = this.u32();
    this.need(length + pad(length), 'string');
    const end = dropNul && length > 0 && this.buf[this.at + length - 1] === 0 ? this.at + length - 1 : this.at + length;
    const s = this.buf.toString('utf8', this.at, end);
    this.at += length + pad(length);
    return s;
  }

  /** A gfid: its 16 bytes as canonical text. */
  gfid(): Gfid {
    this.need(16, 'gfid');
    const g = gfidFromBuffer(this.buf, this.at);
    this.at += 16;
    return g;
  }

  /** Step over an opaque (a verifier, a credential) without looking at it. */
  skipOpaque(): void {
    const length = this.u32();
    this.skip(length + pad(length));
  }

  /** Unpadded bytes: the old dict blob inside its opaque, or a payload. */
  raw(length: number): Buffer {
    this.need(length, 'raw bytes');
    const v = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return v;
  }

  /** Everything not read yet: the raw data after a READ reply. */
  rest(): Buffer {
    const v = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return v;
  }
}
