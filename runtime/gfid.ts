// GlusterFS file ids: 16-byte UUIDs, written in canonical text form so they can key maps and logs.
import { randomFillSync } from 'node:crypto';

export type Gfid = string;

export const NULL_GFID: Gfid = '00000000-0000-0000-0000-000000000000';
/** The root directory's gfid on every GlusterFS volume. */
export const ROOT_GFID: Gfid = '00000000-0000-0000-0000-000000000001';

// A random (version 4) UUID per created object, as gf_uuid_generate makes them. The randomness is
// drawn for many at a time and written as text the way decoded gfids are: crypto.randomUUID builds
// its string by concatenation, which costs a flattening later, when the gfid first keys a map.
const RANDOM_GFIDS = 256;
const randomPool = Buffer.alloc(RANDOM_GFIDS * 16);
let randomNext = RANDOM_GFIDS;

export function newGfid(): Gfid {
  if (randomNext === RANDOM_GFIDS) {
    randomFillSync(randomPool);
    randomNext = 0;
  }
  const at = randomNext++ * 16;
  randomPool[at + 6] = (randomPool[at + 6]! & 0x0f) | 0x40; // version 4
  randomPool[at + 8] = (randomPool[at + 8]! & 0x3f) | 0x80; // RFC 4122 variant
  return gfidText16(randomPool, at);
}

// Every fop converts gfids between text and wire form, so these go byte by byte through tables
// instead of through hex strings, regexes and slices.
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where each byte's two hex digits start in the canonical text (dashes at 8, 13, 18, 23). */
const TEXT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Write a gfid's 16 bytes into `out` at `offset`. Text that is not a gfid writes zeros. */
export function writeGfid(gfid: Gfid, out: Buffer, offset = 0): void {
  if (gfid.length !== 36) {
    out.fill(0, offset, offset + 16);
    return;
  }
  for (let i = 0; i < 16; i++) {
    const at = TEXT_AT[i]!;
    const hi = HEX_VALUE[gfid.charCodeAt(at) & 127]!;
    const lo = HEX_VALUE[gfid.charCodeAt(at + 1) & 127]!;
    out[offset + i] = hi < 0 || lo < 0 ? 0 : (hi << 4) | lo;
  }
}

export function gfidToBuffer(gfid: Gfid): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeGfid(gfid, out);
  return out;
}

/** Each byte's two hex digits as char codes, low byte first: for writing text a byte at a time. */
const HEX_PAIR = Uint16Array.from({ length: 256 }, (_, i) => {
  const hex = i.toString(16).padStart(2, '0');
  return hex.charCodeAt(0) | (hex.charCodeAt(1) << 8);
});
const gfidText = Buffer.alloc(36, '-');

// Replies name the same few objects over and over (the file being read, the directory entries
// are made in): the last gfids decoded are remembered by their bytes, and a match returns the same
// string, with its hash already computed for the maps it keys, instead of building a new one.
const RECENT = 8;
const recentWords = new Int32Array(RECENT * 4); // all zero: NULL_GFID's bytes
const recentText: Gfid[] = new Array<Gfid>(RECENT).fill(NULL_GFID);
let recentNext = 0;

function word(buf: Buffer, at: number): number {
  return buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24);
}

export function gfidFromBuffer(buf: Buffer, offset = 0): Gfid {
  if (offset < 0 || offset + 16 > buf.length) throw new RangeError(`a gfid needs 16 bytes at ${offset} of ${buf.length}`);
  const w0 = word(buf, offset);
  const w1 = word(buf, offset + 4);
  const w2 = word(buf, offset + 8);
  const w3 = word(buf, offset + 12);
  for (let i = 0; i < RECENT; i++) {
    const at = i * 4;
    if (recentWords[at] === w0 && recentWords[at + 1] === w1 && recentWords[at + 2] === w2 && recentWords[at + 3] === w3) return recentText[i]!;
  }
  const text = gfidText16(buf, offset);
  const slot = recentNext;
  recentNext = (recentNext + 1) % RECENT;
  recentWords[slot * 4] = w0;
  recentWords[slot * 4 + 1] = w1;
  recentWords[slot * 4 + 2] = w2;
  recentWords[slot * 4 + 3] = w3;
  recentText[slot] = text;
  return text;
}

function gfidText16(buf: Buffer, offset: number): Gfid {
  for (let i = 0; i < 16; i++) {
    const pair = HEX_PAIR[buf[offset + i]!]!;
    const at = TEXT_AT[i]!;
    gfidText[at] = pair & 0xff;
    gfidText[at + 1] = pair >> 8;
  }
  return gfidText.toString('latin1', 0, 36);
}

/** GlusterFS derives an inode number from the gfid's last 8 bytes (gfid_to_ino). */
export function gfidToIno(gfid: Gfid): bigint {
  return BigInt('0x' + gfid.slice(19).replace(/-/g, ''));
}

const LOWER_HEX = new Uint8Array(128);
for (const c of '0123456789abcdef') LOWER_HEX[c.charCodeAt(0)] = 1;

/** Canonical lowercase gfid text: 8-4-4-4-12 hex digits (checked on every gfid-req sent). */
export function isGfid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (c > 127 || LOWER_HEX[c] === 0) return false;
  }
  return true;
}
