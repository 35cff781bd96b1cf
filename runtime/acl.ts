// POSIX ACLs as Linux stores them in system.posix_acl_access / system.posix_acl_default, and the
// permission algorithm of POSIX 1003.1e draft 17 (what the kernel's posix_acl_permission does).
// Shared by storage/posix (a brick honours ACLs) and system/posix-acl (the client enforces them).

export const ACL_ACCESS_XATTR = 'system.posix_acl_access';
export const ACL_DEFAULT_XATTR = 'system.posix_acl_default';

export const AclTag = { USER_OBJ: 0x01, USER: 0x02, GROUP_OBJ: 0x04, GROUP: 0x08, MASK: 0x10, OTHER: 0x20 } as const;
const ACL_XATTR_VERSION = 2;
const UNDEFINED_ID = 0xffffffff;

export interface AclEntry {
  tag: number;
  /** rwx bits, 4|2|1. */
  perm: number;
  /** uid or gid of USER and GROUP entries. */
  id: number;
}

export type Acl = readonly AclEntry[];

export interface Caller {
  uid: number;
  gid: number;
  groups: readonly number[];
}

export class AclFormatError extends Error {}

/** The xattr value as entries; a value the kernel would not accept is an AclFormatError. */
export function parseAcl(value: Buffer): Acl {
  if (value.length < 4 || (value.length - 4) % 8 !== 0) throw new AclFormatError(`an ACL of ${value.length} bytes`);
  if (value.readUInt32LE(0) !== ACL_XATTR_VERSION) throw new AclFormatError(`ACL version ${value.readUInt32LE(0)}`);
  const entries: AclEntry[] = [];
  for (let at = 4; at < value.length; at += 8) {
    const tag = value.readUInt16LE(at);
    const perm = value.readUInt16LE(at + 2);
    if (!Object.values(AclTag).includes(tag as never) || perm > 7) throw new AclFormatError(`ACL entry tag ${tag} perm ${perm}`);
    entries.push({ tag, perm, id: value.readUInt32LE(at + 4) });
  }
  const count = (tag: number) => entries.filter((e) => e.tag === tag).length;
  if (count(AclTag.USER_OBJ) !== 1 || count(AclTag.GROUP_OBJ) !== 1 || count(AclTag.OTHER) !== 1 || count(AclTag.MASK) > 1) {
    throw new AclFormatError('an ACL needs one owner, one owning group and one other entry');
  }
  if (count(AclTag.MASK) === 0 && (count(AclTag.USER) > 0 || count(AclTag.GROUP) > 0)) throw new AclFormatError('named entries need a mask');
  return entries;
}

export function encodeAcl(acl: Acl): Buffer {
  const out = Buffer.alloc(4 + acl.length * 8);
  out.writeUInt32LE(ACL_XATTR_VERSION, 0);
  // The kernel keeps entries sorted by tag, then id; so do we, so values compare byte for byte.
  const sorted = [...acl].sort((a, b) => a.tag - b.tag || a.id - b.id);
  sorted.forEach((e, i) => {
    out.writeUInt16LE(e.tag, 4 + i * 8);
    out.writeUInt16LE(e.perm, 6 + i * 8);
    out.writeUInt32LE(e.tag === AclTag.USER || e.tag === AclTag.GROUP ? e.id : UNDEFINED_ID, 8 + i * 8);
  });
  return out;
}

function entry(acl: Acl, tag: number): AclEntry | undefined {
  return acl.find((e) => e.tag === tag);
}

/**
 * Whether `caller` has every bit of `want` (R|W|X) on an object owned by `owner` with this access
 * ACL. Root is the caller's business: this is the ACL's answer for an ordinary user.
 */
export function aclPermits(acl: Acl, caller: Caller, owner: { uid: number; gid: number }, want: number): boolean {
  const grants = (perm: number) => (perm & want) === want;
  if (caller.uid === owner.uid) return grants(entry(acl, AclTag.USER_OBJ)!.perm);
  const mask = entry(acl, AclTag.MASK)?.perm ?? 7;
  const named = acl.find((e) => e.tag === AclTag.USER && e.id === caller.uid);
  if (named !== undefined) return grants(named.perm & mask);
  const inGroup = (gid: number) => caller.gid === gid || caller.groups.includes(gid);
  let matchedGroup = false;
  for (const e of acl) {
    const matches = (e.tag === AclTag.GROUP_OBJ && inGroup(owner.gid)) || (e.tag === AclTag.GROUP && inGroup(e.id));
    if (!matches) continue;
    matchedGroup = true;
    if (grants(e.perm & mask)) return true;
  }
  if (matchedGroup) return false;
  return grants(entry(acl, AclTag.OTHER)!.perm);
}

/** An ACL that says no more than the mode bits do (owner, owning group, other only). */
export function isMinimal(acl: Acl): boolean {
  return acl.length === 3;
}

/** The permission bits an access ACL implies: the mask stands for the group class. */
export function modeBitsOf(acl: Acl): number {
  const group = entry(acl, AclTag.MASK) ?? entry(acl, AclTag.GROUP_OBJ)!;
  return (entry(acl, AclTag.USER_OBJ)!.perm << 6) | (group.perm << 3) | entry(acl, AclTag.OTHER)!.perm;
}

/**
 * What a new object created with `mode` in a directory with default ACL `parentDefault` gets (the
 * kernel's posix_acl_create): the default ACL narrowed by the mode, instead of the umask. `access`
 * is null when the result says nothing the mode bits do not.
 */
export function inheritAcl(parentDefault: Acl, mode: number): { mode: number; access: Acl | null } {
  const owner = (mode >> 6) & 7;
  const group = (mode >> 3) & 7;
  const other = mode & 7;
  const hasMask = entry(parentDefault, AclTag.MASK) !== undefined;
  const access = parentDefault.map((e) => {
    if (e.tag === AclTag.USER_OBJ) return { ...e, perm: e.perm & owner };
    if (e.tag === AclTag.OTHER) return { ...e, perm: e.perm & other };
    if (e.tag === (hasMask ? AclTag.MASK : AclTag.GROUP_OBJ)) return { ...e, perm: e.perm & group };
    return { ...e };
  });
  return { mode: (mode & ~0o777) | modeBitsOf(access), access: isMinimal(access) ? null : access };
}
