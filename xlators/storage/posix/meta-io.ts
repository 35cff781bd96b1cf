// The metadata syscalls posix makes synchronously (see statOf in handle.ts for why), under the
// names of their fs/promises counterparts so the fop code reads the same either way.
import * as fs from 'node:fs';

export const chmod = (path: string, mode: number): void => fs.chmodSync(path, mode);
export const lchown = (path: string, uid: number, gid: number): void => fs.lchownSync(path, uid, gid);
export const truncate = (path: string, len: number): void => fs.truncateSync(path, len);
export const link = (from: string, to: string): void => fs.linkSync(from, to);
export const mkdir = (path: string, mode: number): void => void fs.mkdirSync(path, mode);
export const readlink = (path: string): Buffer => fs.readlinkSync(path, { encoding: 'buffer' });
export const rename = (from: string, to: string): void => fs.renameSync(from, to);
export const rmdir = (path: string): void => fs.rmdirSync(path);
export const symlink = (target: string, path: string): void => fs.symlinkSync(target, path);
export const unlink = (path: string): void => fs.unlinkSync(path);
export const readdir = (path: string): string[] => fs.readdirSync(path);
export const open = (path: string, flags: number, mode?: number): number => fs.openSync(path, flags, mode);
export const fstat = (fd: number): fs.BigIntStats => fs.fstatSync(fd, { bigint: true });
export const statfs = (path: string): fs.StatsFs => fs.statfsSync(path);
