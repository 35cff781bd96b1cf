// GlusterFS file ids: 16-byte UUIDs, written in canonical text form so they can key maps and logs.
import { randomUUID } from 'node:crypto';

export type Gfid = string;

export const NULL_GFID: Gfid = '00000000-0000-0000-0000-000000000000';
/** The root directory's gfid on every GlusterFS volume. */
export const ROOT_GFID: Gfid = '00000000-0000-0000-0000-000000000001';

export function newGfid(): Gfid {
  return randomUUID();
}

export function gfidToBuffer(gfid: Gfid): Buffer {
  return Buffer.from(gfid.replace(/-/g, ''), 'hex');
}

export function gfidFromBuffer(buf: Buffer, offset = 0): Gfid {
  const h = buf.toString('hex', offset, offset + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** GlusterFS derives an inode number from the gfid's last 8 bytes (gfid_to_ino). */
export function gfidToIno(gfid: Gfid): bigint {
  return BigInt('0x' + gfid.slice(19).replace(/-/g, ''));
}

const GFID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isGfid(text: string): boolean {
  return GFID_PATTERN.test(text);
}
