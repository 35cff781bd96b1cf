// Linux calls Node's fs lacks (xattrs, fallocate, mknod, utimensat with nanoseconds, renameat2,
// SEEK_DATA/SEEK_HOLE, copy_file_range, mount/umount2), bound through koffi to glibc by name so no
// syscall number is hard-coded. They are synchronous on purpose: koffi reports errno only for
// synchronous calls (an async call's koffi.errno() reads 0), and these are short calls on local
// filesystems. A failure throws SysError with the errno.
import { constants } from 'node:os';
import koffi from 'koffi';
import { errnoName } from '../errno.js';

export class SysError extends Error {
  readonly code: string;
  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail: string,
  ) {
    super(`${syscall} ${detail}: ${errnoName(errno)}`);
    this.name = 'SysError';
    this.code = errnoName(errno);
  }
}

const libc = koffi.load('libc.so.6');

const c = {
  lgetxattr: libc.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)'),
  fgetxattr: libc.func('intptr_t fgetxattr(int fd, const char *name, _Out_ uint8_t *value, size_t size)'),
  lsetxattr: libc.func('int lsetxattr(const char *path, const char *name, const uint8_t *value, size_t size, int flags)'),
  fsetxattr: libc.func('int fsetxattr(int fd, const char *name, const uint8_t *value, size_t size, int flags)'),
  llistxattr: libc.func('intptr_t llistxattr(const char *path, _Out_ uint8_t *list, size_t size)'),
  flistxattr: libc.func('intptr_t flistxattr(int fd, _Out_ uint8_t *list, size_t size)'),
  lremovexattr: libc.func('int lremovexattr(const char *path, const char *name)'),
  fremovexattr: libc.func('int fremovexattr(int fd, const char *name)'),
  fallocate: libc.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)'),
  mknod: libc.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
  utimensat: libc.func('int utimensat(int dirfd, const char *path, const int64_t *times, int flags)'),
  futimens: libc.func('int futimens(int fd, const int64_t *times)'),
  renameat2: libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)'),
  lseek: libc.func('int64_t lseek(int fd, int64_t offset, int whence)'),
  copyFileRange: libc.func('intptr_t copy_file_range(int fdIn, _Inout_ int64_t *offIn, int fdOut, _Inout_ int64_t *offOut, size_t len, unsigned int flags)'),
  mount: libc.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: libc.func('int umount2(const char *target, int flags)'),
  mallopt: libc.func('int mallopt(int param, int value)'),
  read: libc.func('intptr_t read(int fd, _Out_ uint8_t *buf, size_t count)'),
  write: libc.func('intptr_t write(int fd, const uint8_t *buf, size_t count)'),
};

export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_ZERO_RANGE = 0x10;
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;

function check(ret: number | bigint, syscall: string, detail: string): number {
  const n = Number(ret);
  if (n < 0) throw new SysError(syscall, koffi.errno() || constants.errno.EIO, detail);
  return n;
}

/** Read a variable-size value: ask for the size, then fetch; retry if it grew in between. */
function readSized(call: (buf: Buffer | null, size: number) => number | bigint, syscall: string, detail: string): Buffer {
  for (let attempt = 0; attempt < 8; attempt++) {
    const size = check(call(null, 0), syscall, detail);
    if (size === 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(size);
    const got = Number(call(buf, size));
    if (got >= 0) return buf.subarray(0, got);
    if (koffi.errno() !== constants.errno.ERANGE) check(got, syscall, detail);
  }
  throw new SysError(syscall, constants.errno.ERANGE, detail);
}

/**
 * Read an xattr into `into` with one call (no size query), for values of known size such as a
 * gfid. Returns the length, or -1 with errno set when absent (ENODATA) or larger than `into`.
 */
export function lgetxattrInto(path: string, name: string, into: Buffer): number {
  const n = Number(c.lgetxattr(path, name, into, into.length));
  if (n < 0) {
    const errno = koffi.errno();
    if (errno === constants.errno.ENODATA || errno === constants.errno.ERANGE) return -errno;
    throw new SysError('lgetxattr', errno || constants.errno.EIO, `'${path}' '${name}'`);
  }
  return n;
}

export function lgetxattr(path: string, name: string): Buffer {
  return readSized((b, n) => c.lgetxattr(path, name, b, n), 'lgetxattr', `'${path}' '${name}'`);
}
export function fgetxattr(fd: number, name: string): Buffer {
  return readSized((b, n) => c.fgetxattr(fd, name, b, n), 'fgetxattr', `fd ${fd} '${name}'`);
}
export function lsetxattr(path: string, name: string, value: Buffer, flags = 0): void {
  check(c.lsetxattr(path, name, value, value.length, flags), 'lsetxattr', `'${path}' '${name}'`);
}
export function fsetxattr(fd: number, name: string, value: Buffer, flags = 0): void {
  check(c.fsetxattr(fd, name, value, value.length, flags), 'fsetxattr', `fd ${fd} '${name}'`);
}
function splitNames(list: Buffer): string[] {
  return list.toString('utf8').split('\0').filter((n) => n !== '');
}
export function llistxattr(path: string): string[] {
  return splitNames(readSized((b, n) => c.llistxattr(path, b, n), 'llistxattr', `'${path}'`));
}
export function flistxattr(fd: number): string[] {
  return splitNames(readSized((b, n) => c.flistxattr(fd, b, n), 'flistxattr', `fd ${fd}`));
}
export function lremovexattr(path: string, name: string): void {
  check(c.lremovexattr(path, name), 'lremovexattr', `'${path}' '${name}'`);
}
export function fremovexattr(fd: number, name: string): void {
  check(c.fremovexattr(fd, name), 'fremovexattr', `fd ${fd} '${name}'`);
}

export function fallocate(fd: number, mode: number, offset: number, len: number): void {
  check(c.fallocate(fd, mode, offset, len), 'fallocate', `fd ${fd} mode ${mode} ${offset}+${len}`);
}

export function mknod(path: string, mode: number, dev: number): void {
  check(c.mknod(path, mode, dev), 'mknod', `'${path}'`);
}

/** glibc's makedev encoding. */
export function makedev(major: number, minor: number): number {
  return Number(
    ((BigInt(major) & 0xfffn) << 8n) | ((BigInt(major) & ~0xfffn) << 32n) | (BigInt(minor) & 0xffn) | ((BigInt(minor) & ~0xffn) << 12n),
  );
}
export function major(dev: number): number {
  const d = BigInt(dev);
  return Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
}
export function minor(dev: number): number {
  const d = BigInt(dev);
  return Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
}

export type TimeSpec = { sec: number; nsec: number } | 'now' | 'omit';

function timespecs(atime: TimeSpec, mtime: TimeSpec): BigInt64Array {
  const out = new BigInt64Array(4);
  const put = (t: TimeSpec, i: number) => {
    if (t === 'now') out[i + 1] = BigInt(UTIME_NOW);
    else if (t === 'omit') out[i + 1] = BigInt(UTIME_OMIT);
    else {
      out[i] = BigInt(t.sec);
      out[i + 1] = BigInt(t.nsec);
    }
  };
  put(atime, 0);
  put(mtime, 2);
  return out;
}

export function utimensat(path: string, atime: TimeSpec, mtime: TimeSpec, flags = AT_SYMLINK_NOFOLLOW): void {
  check(c.utimensat(AT_FDCWD, path, timespecs(atime, mtime), flags), 'utimensat', `'${path}'`);
}
export function futimens(fd: number, atime: TimeSpec, mtime: TimeSpec): void {
  check(c.futimens(fd, timespecs(atime, mtime)), 'futimens', `fd ${fd}`);
}

export function renameat2(oldPath: string, newPath: string, flags: number): void {
  check(c.renameat2(AT_FDCWD, oldPath, AT_FDCWD, newPath, flags), 'renameat2', `'${oldPath}' -> '${newPath}'`);
}

export function lseek(fd: number, offset: number, whence: number): number {
  return check(c.lseek(fd, offset, whence), 'lseek', `fd ${fd} ${offset} whence ${whence}`);
}

export function copyFileRange(fdIn: number, offIn: number | null, fdOut: number, offOut: number | null, len: number, flags = 0): number {
  const inPos = offIn === null ? null : [offIn];
  const outPos = offOut === null ? null : [offOut];
  return check(c.copyFileRange(fdIn, inPos, fdOut, outPos, len, flags), 'copy_file_range', `fd ${fdIn} -> fd ${fdOut}`);
}

export function mount(source: string, target: string, fstype: string, flags: number, data: string): void {
  check(c.mount(source, target, fstype, flags, data), 'mount', `'${target}'`);
}
export function umount2(target: string, flags = 0): void {
  check(c.umount2(target, flags), 'umount2', `'${target}'`);
}

/**
 * read(2) into `buf` for a non-blocking fd: the bytes read, or minus the errno. No exception per
 * EAGAIN (fs.readSync throws one, with a stack trace, every time the device runs dry).
 */
export function readNonBlocking(fd: number, buf: Buffer): number {
  const n = Number(c.read(fd, buf, buf.length));
  return n >= 0 ? n : -(koffi.errno() || constants.errno.EIO);
}

/** write(2) of `buf` to a non-blocking fd: the bytes the kernel took (maybe fewer than asked), or minus the errno. */
export function writeNonBlocking(fd: number, buf: Buffer): number {
  const n = Number(c.write(fd, buf, buf.length));
  return n >= 0 ? n : -(koffi.errno() || constants.errno.EIO);
}

const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;

/**
 * Keep freed data buffers in the heap instead of handing them back to the kernel. Every READ reply
 * and every FUSE WRITE lands in a buffer of 128 KiB to 1 MiB; by default glibc maps buffers that
 * large afresh (or trims the heap they were in) and the next one page-faults in again, zeroed by
 * the kernel: 66 000 faults for a 512 MiB sequential read, a fifth of the daemon's CPU. Up to
 * `retain` bytes of free heap are kept; buffers up to 4 MiB come from the heap.
 */
export function keepFreedBuffers(retain = 64 << 20): void {
  c.mallopt(M_MMAP_THRESHOLD, 4 << 20);
  c.mallopt(M_TRIM_THRESHOLD, retain);
}

