// Lock and lease values (struct gf_flock, struct gf_lease, lock_migration_info_t).

/** l_type values as on Linux. */
export const LockType = { RDLCK: 0, WRLCK: 1, UNLCK: 2 } as const;
/** lk cmd values as on Linux x86_64/aarch64 (F_GETLK, F_SETLK, F_SETLKW). */
export const LockCmd = { GETLK: 5, SETLK: 6, SETLKW: 7 } as const;

export interface Flock {
  type: number;
  whence: number;
  start: number;
  len: number;
  pid: number;
  /** Lock owner: opaque bytes identifying the holder (FUSE lock_owner, or flock's fd owner). */
  owner: Buffer;
}

export interface Lease {
  cmd: number;
  leaseType: number;
  leaseId: Buffer;
  flags: number;
}

export interface LockMigrationInfo {
  flock: Flock;
  clientUid: string;
  lkFlags: number;
}
