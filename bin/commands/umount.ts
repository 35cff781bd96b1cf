// xlfs umount MOUNTPOINT: unmount (lazily if busy); the serving process then shuts down by itself.
import { resolve } from 'node:path';
import { isFuseMounted, kernelUnmount } from '../../runtime/fuse/mount.js';

export async function umountCommand(mountpoint: string): Promise<void> {
  const mnt = resolve(mountpoint);
  if (!isFuseMounted(mnt)) throw new Error(`${mnt} is not a FUSE mount`);
  await kernelUnmount(mnt);
}
