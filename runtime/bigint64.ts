// Unsigned 64-bit values that need a bigint (inode numbers from gfids, XDR cookies), through one
// scratch word: one bigint made per read and none per write, where Buffer's bigint methods build
// several. Shared by the FUSE codecs (host order) and XDR (big-endian).
const scratchBytes = new Uint8Array(8);
const scratchWord = new BigUint64Array(scratchBytes.buffer);
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAX_U64 = 0xffffffffffffffffn;

function checkRange(buf: Buffer, offset: number): void {
  if (!(offset >= 0 && offset + 8 <= buf.length)) throw new RangeError(`offset ${offset} is outside a buffer of ${buf.length} bytes`);
}

/** The 8 bytes at `offset`, little- or big-endian, as a bigint. */
export function readBigUint64(buf: Buffer, offset: number, bigEndian: boolean): bigint {
  checkRange(buf, offset);
  // The scratch word is in host order: copy straight when the bytes are too, reversed otherwise.
  const reversed = bigEndian === HOST_LITTLE_ENDIAN;
  for (let i = 0; i < 8; i++) scratchBytes[i] = buf[reversed ? offset + 7 - i : offset + i]!;
  return scratchWord[0]!;
}

/** Write `value` (0 to 2^64 - 1) little-endian at `offset`. */
export function writeBigUint64LE(buf: Buffer, offset: number, value: bigint): void {
  if (value < 0n || value > MAX_U64) throw new RangeError(`${value} is not an unsigned 64-bit value`);
  checkRange(buf, offset);
  scratchWord[0] = value;
  for (let i = 0; i < 8; i++) buf[HOST_LITTLE_ENDIAN ? offset + i : offset + 7 - i] = scratchBytes[i]!;
}
