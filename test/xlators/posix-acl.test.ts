// system/posix-acl over posix: a named user's ACL entry grants what the mode bits deny and denies
// what they allow, refusals happen in the client (nothing reaches the layer below), new objects
// inherit a directory's default ACL with the mode instead of the umask, only owners change modes
// and ACLs, the sticky bit holds; then the same with setfacl, getfacl and other users on a mount.
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { ACL_ACCESS_XATTR, ACL_DEFAULT_XATTR, type Acl, AclTag, encodeAcl, parseAcl } from '../../runtime/acl.js';
import { Dict } from '../../runtime/dict.js';
import { Errno } from '../../runtime/errno.js';
import { Fd } from '../../runtime/fd.js';
import { Iatt, SetAttr } from '../../runtime/iatt.js';
import type { Credentials } from '../../runtime/stack.js';
import { lgetxattr } from '../../runtime/sys/libc.js';
import type { PosixAcl } from '../../xlators/system/posix-acl/index.js';
import { seedStackVolfile, sh, shFails, withMount } from '../mount/harness.js';
import { overPosix, StackFixture } from '../support/stack.js';

const alice: Credentials = { uid: 1000, gid: 1000, pid: 11, groups: [] };
const bob: Credentials = { uid: 1001, gid: 1001, pid: 12, groups: [] };

const open: StackFixture[] = [];
afterEach(async () => {
  for (const fx of open.splice(0)) await fx.close();
});

async function stack(): Promise<StackFixture> {
  const fx = await StackFixture.create(overPosix({ name: 'acl', type: 'system/posix-acl' }));
  open.push(fx);
  chmodSync(fx.dir, 0o755); // the volume root, searchable by everyone
  return fx;
}

const { USER_OBJ, USER, GROUP_OBJ, MASK, OTHER } = AclTag;
function acl(owner: number, group: number, other: number, named: Array<[number, number]> = []): Buffer {
  const entries: Acl = [
    { tag: USER_OBJ, perm: owner, id: 0 },
    ...named.map(([id, perm]) => ({ tag: USER, perm, id })),
    { tag: GROUP_OBJ, perm: group, id: 0 },
    ...(named.length > 0 ? [{ tag: MASK, perm: 7, id: 0 }] : []),
    { tag: OTHER, perm: other, id: 0 },
  ];
  return encodeAcl(entries);
}

/** Set xattrs as root through the stack, then look the object up again, as the kernel would. */
async function setAcl(fx: StackFixture, path: string, key: string, value: Buffer): Promise<void> {
  const loc = await fx.loc(path);
  const r = await syncop.setxattr(fx.top, loc, new Dict([[key, value]]), 0, null);
  expect(r.opRet).toBe(0);
  await lookup(fx, path);
}

async function lookup(fx: StackFixture, path: string, credentials?: Credentials) {
  const loc = await fx.loc(path);
  const r = await syncop.lookup(fx.top, loc, null, credentials ? { credentials } : {});
  expect(r.opRet).toBe(0);
  fx.link(loc, r.buf!);
  return loc;
}

async function openAs(fx: StackFixture, path: string, flags: number, who: Credentials) {
  const loc = await lookup(fx, path, who);
  return syncop.open(fx.top, loc, flags, new Fd(loc.inode, flags), null, { credentials: who });
}

it('lets a named user in where the mode bits would not', async () => {
  const fx = await stack();
  await fx.create('/shared', 'for alice');
  await syncop.setattr(fx.top, await fx.loc('/shared'), Object.assign(new Iatt(), { mode: 0o600 }), SetAttr.MODE, null);
  expect((await openAs(fx, '/shared', 2, alice)).opErrno).toBe(Errno.EACCES);
  await setAcl(fx, '/shared', ACL_ACCESS_XATTR, acl(6, 0, 0, [[alice.uid, 6]]));
  expect((await openAs(fx, '/shared', 2, alice)).opRet).toBe(0);
  expect((await openAs(fx, '/shared', 0, bob)).opErrno).toBe(Errno.EACCES);
});

it('refuses in the client what a named entry denies, though "other" would allow it', async () => {
  const fx = await stack();
  await fx.create('/public', 'everyone but alice');
  await setAcl(fx, '/public', ACL_ACCESS_XATTR, acl(6, 4, 4, [[alice.uid, 0]]));
  fx.probe().reset();
  expect((await openAs(fx, '/public', 0, alice)).opErrno).toBe(Errno.EACCES);
  expect(fx.probe().count('open')).toBe(0);
  const access = await syncop.access(fx.top, await fx.loc('/public'), 4, null, { credentials: alice });
  expect(access.opErrno).toBe(Errno.EACCES);
  expect(fx.probe().count('access')).toBe(0);
  expect((await openAs(fx, '/public', 0, bob)).opRet).toBe(0);
  expect(fx.xlator<PosixAcl>('acl').stats.refused).toBe(2);
});

it('judges an open itself when the ACLs changed since the last lookup, fetching them first', async () => {
  // What open-behind and the kernel's page cache rely on: a refused open never reaches below.
  const fx = await stack();
  await fx.create('/report', 'for alice only');
  await syncop.setattr(fx.top, await fx.loc('/report'), Object.assign(new Iatt(), { mode: 0o644 }), SetAttr.MODE, null);
  await lookup(fx, '/report');
  const loc = await fx.loc('/report');
  expect((await syncop.setxattr(fx.top, loc, new Dict([[ACL_ACCESS_XATTR, acl(6, 0, 0, [[alice.uid, 4]])]]), 0, null)).opRet).toBe(0);
  fx.probe().reset();
  // No lookup in between, as when the kernel still holds the entry.
  const denied = await syncop.open(fx.top, loc, 0, new Fd(loc.inode, 0), null, { credentials: bob });
  expect(denied.opErrno).toBe(Errno.EACCES);
  expect(fx.probe().count('lookup')).toBe(1);
  expect(fx.probe().count('open')).toBe(0);
  expect((await syncop.open(fx.top, loc, 0, new Fd(loc.inode, 0), null, { credentials: alice })).opRet).toBe(0);
});

it('gives new files and directories the default ACL, narrowed by the mode and not by the umask', async () => {
  const fx = await stack();
  await fx.mkdir('/project', 0o755);
  await setAcl(fx, '/project', ACL_DEFAULT_XATTR, acl(7, 5, 5, [[alice.uid, 7]]));
  const loc = await fx.loc('/project/notes');
  const created = await syncop.create(fx.top, loc, 0o102, 0o666, 0o077, new Fd(loc.inode, 2), null);
  expect(created.opRet).toBe(0);
  // Owner rw (7&6), mask rw (7&6), other r (5&6): the umask 077 plays no part.
  expect(created.buf!.mode & 0o777).toBe(0o664);
  const access = parseAcl(lgetxattr(join(fx.dir, 'project/notes'), ACL_ACCESS_XATTR));
  expect(access).toContainEqual({ tag: USER, perm: 7, id: alice.uid });
  expect(access).toContainEqual({ tag: MASK, perm: 6, id: 0xffffffff });
  const dir = await syncop.mkdir(fx.top, await fx.loc('/project/sub'), 0o777, 0o022, null);
  expect(dir.buf!.mode & 0o777).toBe(0o775);
  expect(lgetxattr(join(fx.dir, 'project/sub'), ACL_DEFAULT_XATTR)).toEqual(acl(7, 5, 5, [[alice.uid, 7]]));
  expect(fx.xlator<PosixAcl>('acl').stats.inherited).toBe(2);
  // Alice can write the file through her entry (mask rw), though she is neither owner nor in the group.
  expect((await openAs(fx, '/project/notes', 1, alice)).opRet).toBe(0);
});

it('leaves modes, owners and ACLs to their owner, and keeps the sticky bit', async () => {
  const fx = await stack();
  await fx.mkdir('/tmp', 0o777);
  await syncop.setattr(fx.top, await fx.loc('/tmp'), Object.assign(new Iatt(), { mode: 0o1777 }), SetAttr.MODE, null);
  await lookup(fx, '/tmp');
  const loc = await fx.loc('/tmp/alices');
  expect((await syncop.create(fx.top, loc, 0o102, 0o644, 0, new Fd(loc.inode, 2), null, { credentials: alice })).opRet).toBe(0);
  fx.link(loc, (await syncop.lookup(fx.top, loc, null)).buf!);
  fx.probe().reset();
  const chmod = await syncop.setattr(fx.top, loc, Object.assign(new Iatt(), { mode: 0o666 }), SetAttr.MODE, null, { credentials: bob });
  expect(chmod.opErrno).toBe(Errno.EPERM);
  const chown = await syncop.setattr(fx.top, loc, Object.assign(new Iatt(), { uid: bob.uid }), SetAttr.UID, null, { credentials: alice });
  expect(chown.opErrno).toBe(Errno.EPERM);
  const setacl = await syncop.setxattr(fx.top, loc, new Dict([[ACL_ACCESS_XATTR, acl(7, 7, 7)]]), 0, null, { credentials: bob });
  expect(setacl.opErrno).toBe(Errno.EPERM);
  expect((await syncop.unlink(fx.top, loc, 0, null, { credentials: bob })).opErrno).toBe(Errno.EPERM);
  expect(fx.probe().calls).toEqual([]);
  const bad = await syncop.setxattr(fx.top, loc, new Dict([[ACL_ACCESS_XATTR, Buffer.from('not an acl')]]), 0, null, { credentials: alice });
  expect(bad.opErrno).toBe(Errno.EINVAL);
  expect((await syncop.setattr(fx.top, loc, Object.assign(new Iatt(), { mode: 0o600 }), SetAttr.MODE, null, { credentials: alice })).opRet).toBe(0);
  expect((await syncop.unlink(fx.top, loc, 0, null, { credentials: alice })).opRet).toBe(0);
});

it('works with setfacl, getfacl and other users on a mount of the seed stack', async () => {
  await withMount(seedStackVolfile, async (m) => {
    chmodSync(m.dir, 0o755); // other users reach the mount point
    const as = (uid: number, cmd: string) => `setpriv --reuid=${uid} --regid=${uid} --clear-groups bash -c '${cmd}'`;
    await sh(`cd ${m.mnt} && echo secret > f && chmod 600 f && mkdir d && chmod 755 d`);
    expect((await shFails(as(1000, `cat ${m.mnt}/f`))).output).toMatch(/Permission denied/);
    await sh(`setfacl -m u:1000:r ${m.mnt}/f`);
    expect(await sh(as(1000, `cat ${m.mnt}/f`))).toBe('secret\n');
    expect((await shFails(as(1001, `cat ${m.mnt}/f`))).output).toMatch(/Permission denied/);
    expect(await sh(`getfacl -cpn ${m.mnt}/f`)).toContain('user:1000:r--');
    await sh(`setfacl -d -m u:1000:rwx ${m.mnt}/d`);
    await sh(as(0, `umask 077; touch ${m.mnt}/d/new; mkdir ${m.mnt}/d/sub`));
    expect(await sh(`getfacl -cpn ${m.mnt}/d/new`)).toContain('user:1000:rwx\t#effective:rw-');
    expect(await sh(`getfacl -cpn ${m.mnt}/d/sub`)).toContain('default:user:1000:rwx');
    await sh(as(1000, `echo mine > ${m.mnt}/d/new`));
    expect(readFileSync(join(m.data, 'd/new'), 'utf8')).toBe('mine\n');
  }, ['allow_other']);
});
