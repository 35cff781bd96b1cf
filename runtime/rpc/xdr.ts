// XDR (RFC 4506), big-endian, in 4-byte units: what SunRPC and GlusterFS's .x files are made of.
// The writer grows one buffer; the reader never reads past its buffer and never trusts a length
// the peer sent before checking that the bytes are there.

export class XdrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XdrError';
  }
}

const pad = (n: number) => (4 - (n & 3)) & 3;
const TWO_32 = 2 ** 32;

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
    this.buf.writeBigInt64BE(BigInt.asIntN(64, BigInt(v)), this.at);
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

  string(s: string): void {
    this.opaque(Buffer.from(s, 'utf8'));
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
    const v = this.u64n();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new XdrError(`unsigned hyper ${v} is beyond a number's exact range`);
    return Number(v);
  }

  i64(): number {
    const v = this.i64n();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new XdrError(`hyper ${v} is beyond a number's exact range`);
    return Number(v);
  }

  u64n(): bigint {
    this.need(8, 'unsigned hyper');
    const v = this.buf.readBigUInt64BE(this.at);
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
    this.need(length + pad(length), `opaque[${length}]`);
    const v = this.buf.subarray(this.at, this.at + length);
    this.at += length + pad(length);
    return v;
  }

  opaque(): Buffer {
    const length = this.u32();
    return this.fixedOpaque(length);
  }

  string(): string {
    return this.opaque().toString('utf8');
  }

  /** Unpadded bytes: the old dict blob inside its opaque, or a payload. */
  raw(length: number): Buffer {
    this.need(length, `${length} raw bytes`);
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
