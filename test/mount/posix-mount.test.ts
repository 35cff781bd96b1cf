// The mount suite: what people do with a filesystem, through a real FUSE mount, checked against
// the backing directory and against what the kernel reports. It runs over storage/posix alone on
// both transports, and over the GlusterFS client stack (spec/volfiles/seed-stack.vol).
import { closeSync, fstatSync, openSync, readFileSync, readlinkSync, readSync, statSync, writeFileSync, writeSync, appendFileSync, existsSync, lstatSync, symlinkSync, linkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { posixVolfile, seedStackVolfile, sh, shFails, withMount as withMountOn, xlfsBin } from './harness.js';

// What libfuse 2 (the fuse-native transport) cannot carry: nanosecond times and one-sided
// utimens, fallocate and SEEK_DATA/HOLE. Those cases run on the /dev/fuse transport only.
const configurations = [
  { name: 'storage/posix volume over the dev transport', volfile: posixVolfile, options: [] as string[], full: true },
  { name: 'storage/posix volume over the fuse-native transport', volfile: posixVolfile, options: ['transport=fuse-native'], full: false },
  { name: 'GlusterFS client stack (seed-stack.vol)', volfile: seedStackVolfile, options: [] as string[], full: true },
];

for (const transport of configurations) {
const withMount = (fn: Parameters<typeof withMountOn>[1]) => withMountOn(transport.volfile, fn, transport.options);
// Cases a transport cannot carry are not defined for it (rather than skipped).
const fullOnly = (name: string, fn: () => Promise<void>) => (transport.full ? it(name, fn) : undefined);

describe(`a mounted ${transport.name}`, () => {
  it('serves everyday file work', async () => {
    await withMount(async ({ mnt, data }) => {
      // ls, stat, cat, append, truncate
      writeFileSync(`${mnt}/hello`, 'Hello World!\n');
      expect(await sh(`ls ${mnt}`)).toBe('hello\n');
      expect(await sh(`cat ${mnt}/hello`)).toBe('Hello World!\n');
      expect(readFileSync(`${data}/hello`, 'utf8')).toBe('Hello World!\n');
      appendFileSync(`${mnt}/hello`, 'again\n');
      expect(readFileSync(`${mnt}/hello`, 'utf8')).toBe('Hello World!\nagain\n');
      await sh(`truncate -s 5 ${mnt}/hello`);
      expect(readFileSync(`${mnt}/hello`, 'utf8')).toBe('Hello');
      expect(statSync(`${mnt}/hello`).size).toBe(5);

      // mv across directories, rename over an existing file
      await sh(`mkdir -p ${mnt}/a/b ${mnt}/c`);
      await sh(`mv ${mnt}/hello ${mnt}/a/b/moved`);
      expect(existsSync(`${mnt}/hello`)).toBe(false);
      expect(readFileSync(`${data}/a/b/moved`, 'utf8')).toBe('Hello');
      writeFileSync(`${mnt}/c/new`, 'new');
      writeFileSync(`${mnt}/c/old`, 'old');
      await sh(`mv ${mnt}/c/new ${mnt}/c/old`);
      expect(await sh(`ls ${mnt}/c`)).toBe('old\n');
      expect(readFileSync(`${mnt}/c/old`, 'utf8')).toBe('new');

      // hard links and link counts, symlinks
      linkSync(`${mnt}/c/old`, `${mnt}/c/link`);
      expect(statSync(`${mnt}/c/old`).nlink).toBe(2);
      expect(statSync(`${mnt}/c/link`).ino).toBe(statSync(`${mnt}/c/old`).ino);
      symlinkSync('old', `${mnt}/c/sym`);
      expect(readlinkSync(`${mnt}/c/sym`)).toBe('old');
      expect(lstatSync(`${mnt}/c/sym`).isSymbolicLink()).toBe(true);
      expect(readFileSync(`${mnt}/c/sym`, 'utf8')).toBe('new');
      await sh(`rm ${mnt}/c/link`);
      expect(statSync(`${mnt}/c/old`).nlink).toBe(1);
    });
  });

  fullOnly('keeps modes, owners and nanosecond times', async () => {
    await withMount(async ({ mnt, data }) => {
      writeFileSync(`${mnt}/f`, 'x');
      await sh(`chmod 640 ${mnt}/f && chown 1234:5678 ${mnt}/f && touch -d '2021-03-04 05:06:07.123456789' ${mnt}/f`);
      expect(await sh(`stat -c '%a %u %g %y' ${mnt}/f`)).toBe('640 1234 5678 2021-03-04 05:06:07.123456789 +0000\n');
      expect(await sh(`stat -c '%a %u %g %y' ${data}/f`)).toBe('640 1234 5678 2021-03-04 05:06:07.123456789 +0000\n');
    });
  });

  it('copies a 100 MiB file with the same checksum both ways', async () => {
    await withMount(async ({ mnt, dir }) => {
      await sh(`head -c 100M /dev/urandom > ${dir}/big`);
      await sh(`cp ${dir}/big ${mnt}/big && cp ${mnt}/big ${dir}/back`);
      const sum = async (p: string) => (await sh(`sha256sum ${p}`)).split(' ')[0];
      const original = await sum(`${dir}/big`);
      expect(await sum(`${mnt}/big`)).toBe(original);
      expect(await sum(`${dir}/back`)).toBe(original);
      expect(statSync(`${mnt}/big`).size).toBe(100 * 1024 * 1024);
      // Written as 1 MiB and as 64 KiB writes: write-behind holds the first kind by reference to the
      // session's read buffers and the second as copies; neither may be overwritten while held.
      await sh(`dd if=${dir}/big of=${mnt}/dd1m bs=1M status=none && dd if=${dir}/big of=${mnt}/dd64k bs=64k status=none`);
      expect(await sum(`${mnt}/dd1m`)).toBe(original);
      expect(await sum(`${mnt}/dd64k`)).toBe(original);
    });
  });

  fullOnly('reads and writes with O_DIRECT', async () => {
    await withMount(async ({ mnt, data }) => {
      await sh(`dd if=/dev/urandom of=${data}/src bs=64k count=16 status=none`);
      await sh(`dd if=${data}/src of=${mnt}/direct bs=64k oflag=direct status=none && dd if=${mnt}/direct of=${data}/back bs=4k iflag=direct status=none`);
      expect(await sh(`cmp ${data}/src ${data}/back && cmp ${data}/src ${data}/direct && echo same`)).toBe('same\n');
    });
  });

  it('makes and removes deep trees', async () => {
    await withMount(async ({ mnt, data }) => {
      await sh(`mkdir -p ${mnt}/d1/d2/d3/d4/d5/d6/d7/d8 && touch ${mnt}/d1/d2/d3/d4/d5/d6/d7/d8/leaf ${mnt}/d1/d2/x`);
      expect(existsSync(`${data}/d1/d2/d3/d4/d5/d6/d7/d8/leaf`)).toBe(true);
      const rmdir = await shFails(`rmdir ${mnt}/d1`);
      expect(rmdir.code).toBe(1);
      expect(rmdir.output).toMatch(/Directory not empty/);
      await sh(`mkdir ${mnt}/empty && rmdir ${mnt}/empty`);
      await sh(`rm -rf ${mnt}/d1`);
      expect(await sh(`ls -A ${mnt}`)).toBe('');
      expect(await sh(`ls -A ${data}`)).toBe('');
    });
  });

  fullOnly('stores extended attributes, preallocates space and reports df', async () => {
    await withMount(async ({ mnt, data }) => {
      writeFileSync(`${mnt}/x`, '');
      await sh(`setfattr -n user.colour -v blue ${mnt}/x`);
      expect(await sh(`getfattr --only-values -n user.colour ${mnt}/x`)).toBe('blue');
      expect(await sh(`getfattr --only-values -n user.colour ${data}/x`)).toBe('blue');
      expect(await sh(`getfattr -d ${mnt}/x`)).toContain('user.colour="blue"');
      await sh(`setfattr -x user.colour ${mnt}/x`);
      const missing = await shFails(`getfattr -n user.colour ${mnt}/x`);
      expect(missing.code).toBe(1);
      expect(missing.output).toMatch(/No such attribute/);
      await sh(`fallocate -l 4M ${mnt}/space`);
      expect(statSync(`${mnt}/space`).size).toBe(4 << 20);
      await sh(`fallocate -p -o 1M -l 1M ${mnt}/space`);
      expect(statSync(`${data}/space`).blocks).toBeLessThan(statSync(`${data}/space`).size / 512);
      const dfMount = (await sh(`df -P ${mnt} | tail -1`)).split(/\s+/);
      const dfData = (await sh(`df -P ${data} | tail -1`)).split(/\s+/);
      expect(dfMount[1]).toBe(dfData[1]);
    });
  });

  it('stores extended attributes', async () => {
    await withMount(async ({ mnt, data }) => {
      writeFileSync(`${mnt}/xa`, '');
      await sh(`setfattr -n user.shape -v round ${mnt}/xa`);
      expect(await sh(`getfattr --only-values -n user.shape ${mnt}/xa`)).toBe('round');
      expect(await sh(`getfattr --only-values -n user.shape ${data}/xa`)).toBe('round');
    });
  });

  it('arbitrates flock and fcntl locks between processes', async () => {
    await withMount(async ({ mnt }) => {
      writeFileSync(`${mnt}/lockfile`, '');
      // Holder keeps an exclusive flock for a while; a non-blocking try meanwhile fails.
      const holder = sh(`flock -x ${mnt}/lockfile -c 'sleep 1.5'`);
      await new Promise((r) => setTimeout(r, 400));
      await expect(sh(`flock -n -x ${mnt}/lockfile -c true`)).rejects.toThrow();
      await holder;
      await sh(`flock -n -x ${mnt}/lockfile -c true`);
      // fcntl byte-range locks through python (F_SETLK conflicts between processes)
      const py = `import fcntl,os,sys,time
fd=os.open('${mnt}/lockfile',os.O_RDWR)
fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB,10,0)
print('held',flush=True)
time.sleep(1.5)`;
      writeFileSync(`${mnt}/../hold.py`, py);
      const h = sh(`python3 ${mnt}/../hold.py`);
      await new Promise((r) => setTimeout(r, 600));
      const probe = `import fcntl,os
fd=os.open('${mnt}/lockfile',os.O_RDWR)
try:
    fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB,5,0); print('got')
except OSError as e: print('busy', e.errno)
try:
    fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB,5,20); print('got-other-range')
except OSError as e: print('busy-other', e.errno)`;
      writeFileSync(`${mnt}/../probe.py`, probe);
      expect(await sh(`python3 ${mnt}/../probe.py`)).toBe('busy 11\ngot-other-range\n');
      expect(await h).toBe('held\n');
    });
  });

  fullOnly('lets a signal interrupt a process blocked on a lock', async () => {
    await withMount(async ({ mnt }) => {
      writeFileSync(`${mnt}/contended`, '');
      const holder = sh(`flock -x ${mnt}/contended -c 'sleep 4'`);
      await new Promise((r) => setTimeout(r, 400));
      // Without INTERRUPT handling the waiter could only leave when the holder lets go (4 s).
      const started = Date.now();
      const waiter = await shFails(`timeout -s INT 1 flock -x ${mnt}/contended -c true`);
      expect(waiter.code).toBe(124);
      expect(Date.now() - started).toBeLessThan(2500);
      await holder;
    });
  });

  it('round-trips a 2000-file tar byte for byte', async () => {
    await withMount(async ({ mnt, dir }) => {
      await sh(`mkdir -p ${dir}/src && cd ${dir}/src && for d in $(seq 1 20); do mkdir d$d; for f in $(seq 1 100); do head -c $((f * 37)) /dev/urandom > d$d/f$f; done; done`);
      await sh(`tar -C ${dir}/src -cf ${dir}/in.tar . && tar -C ${mnt} -xf ${dir}/in.tar`);
      await sh(`tar -C ${mnt} -cf ${dir}/out.tar . && mkdir ${dir}/back && tar -C ${dir}/back -xf ${dir}/out.tar`);
      expect(await sh(`diff -r ${dir}/src ${dir}/back && echo same`)).toBe('same\n');
      expect(await sh(`find ${mnt} -type f | wc -l`)).toBe('2000\n');
    });
  });

  it('serves concurrent readers and writers in several processes', async () => {
    await withMount(async ({ mnt }) => {
      const writers = Array.from({ length: 4 }, (_, i) => sh(`for n in $(seq 1 50); do echo "w${i} line $n" >> ${mnt}/log${i}; done`));
      const readers = Array.from({ length: 4 }, () => sh(`for n in $(seq 1 30); do cat ${mnt}/log* > /dev/null 2>&1 || true; ls ${mnt} > /dev/null; done`));
      await Promise.all([...writers, ...readers]);
      for (let i = 0; i < 4; i++) {
        const lines = readFileSync(`${mnt}/log${i}`, 'utf8').trim().split('\n');
        expect(lines.length).toBe(50);
        expect(lines[49]).toBe(`w${i} line 50`);
      }
      const hashes = await Promise.all(Array.from({ length: 3 }, () => sh(`sha256sum ${mnt}/log0 | cut -c1-64`)));
      expect(new Set(hashes).size).toBe(1);
    });
  });

  fullOnly('unmounts with files still open, and the server goes away', async () => {
    let serverPid = 0;
    await withMount(async ({ mnt, server }) => {
      serverPid = server.pid!;
      const fd = openSync(`${mnt}/open-file`, 'w+');
      writeSync(fd, 'still open');
      // A busy mount unmounts lazily; the open descriptor keeps working until closed.
      await sh(`node ${xlfsBin} umount ${mnt}`);
      const buf = Buffer.alloc(10);
      expect(readSync(fd, buf, 0, 10, 0)).toBe(10);
      expect(buf.toString()).toBe('still open');
      expect(fstatSync(fd).size).toBe(10);
      closeSync(fd);
      const deadline = Date.now() + 10_000;
      while (server.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(server.exitCode).toBe(0);
    });
    expect(serverPid).toBeGreaterThan(0);
  });
});
}
