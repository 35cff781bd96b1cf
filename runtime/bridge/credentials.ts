// Who is asking: uid, gid and pid come in every FUSE request header; supplementary groups do not,
// so they are read from /proc/<pid>/status, as GlusterFS's bridge does, and cached briefly.
import { readFileSync } from 'node:fs';
import type { Credentials } from '../stack.js';

interface CachedGroups {
  groups: readonly number[];
  until: number;
}

export class GroupCache {
  private readonly byPid = new Map<number, CachedGroups>();

  constructor(private readonly ttlMs: number) {}

  groupsOf(pid: number): readonly number[] {
    if (pid <= 0) return [];
    const now = Date.now();
    const cached = this.byPid.get(pid);
    if (cached !== undefined && cached.until > now) return cached.groups;
    let groups: number[] = [];
    try {
      const line = /^Groups:(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      groups = line ? line[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [];
    } catch {
      // The process is gone already: it has no groups to check.
    }
    if (this.byPid.size > 4096) this.byPid.clear();
    this.byPid.set(pid, { groups, until: now + this.ttlMs });
    return groups;
  }

  credentials(uid: number, gid: number, pid: number, lkOwner?: Buffer): Credentials {
    return { uid, gid, pid, groups: this.groupsOf(pid), lkOwner };
  }
}
