// The /.meta tree: what the process and its graph look like, as directories, files and symlinks
// built on demand from the live graph. Paths are relative to /.meta ('' is /.meta itself); a
// node's gfid is derived from its path, so the same name is the same inode for as long as the
// process lives, whatever the kernel forgets in between.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Gfid } from '../../runtime/gfid.js';
import type { GraphView, Xlator } from '../../runtime/xlator.js';

export type MetaNode =
  | { kind: 'dir'; children: () => string[] }
  | { kind: 'file'; content: () => string }
  | { kind: 'link'; target: () => string };

export function metaGfid(path: string): Gfid {
  const h = createHash('sha256').update('xlfs-meta:/' + path).digest('hex');
  // A version-4-shaped uuid, so nothing mistakes it for the root or the null gfid.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {
    // Run from the source tree (tsx) the package file is one level closer.
  }
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const text = (s: string) => (s.endsWith('\n') || s === '' ? s : s + '\n');
const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** Resolves /.meta paths against the live graph. */
export class MetaTree {
  readonly processUuid: string;
  readonly graphId: string;
  private readonly version = packageVersion();

  constructor(private readonly graph: () => GraphView | null) {
    const started = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    this.processUuid = `${hostname()}-${process.pid}-${started}`;
    this.graphId = 'graph-' + createHash('sha256').update(this.processUuid).digest('hex').slice(0, 8);
  }

  private xlator(name: string): Xlator | undefined {
    return this.graph()?.xlators.find((x) => x.name === name);
  }

  /** The node at `path` (no leading slash), or undefined when there is none. */
  resolve(path: string): MetaNode | undefined {
    const parts = path === '' ? [] : path.split('/');
    const graph = this.graph();
    switch (parts.length) {
      case 0:
        return { kind: 'dir', children: () => ['cmdline', 'graphs', 'process_uuid', 'version'] };
      case 1:
        switch (parts[0]) {
          case 'version':
            return { kind: 'file', content: () => `xlfs ${this.version}\nnode ${process.version}\n` };
          case 'cmdline':
            return { kind: 'file', content: () => text(process.argv.join(' ')) };
          case 'process_uuid':
            return { kind: 'file', content: () => text(this.processUuid) };
          case 'graphs':
            return { kind: 'dir', children: () => ['active', this.graphId] };
        }
        return undefined;
    }
    if (parts[0] !== 'graphs' || graph === null) return undefined;
    if (parts[1] === 'active') return parts.length === 2 ? { kind: 'link', target: () => this.graphId } : undefined;
    if (parts[1] !== this.graphId) return undefined;
    if (parts.length === 2) return { kind: 'dir', children: () => ['top', 'volfile', ...graph.xlators.map((x) => x.name)] };
    const [, , entry, leaf, sub] = parts as [string, string, string, string?, string?];
    if (parts.length === 3) {
      if (entry === 'volfile') return { kind: 'file', content: () => text(graph.volfileText()) };
      if (entry === 'top') return { kind: 'link', target: () => graph.top.name };
    }
    const xl = this.xlator(entry);
    if (xl === undefined) return undefined;
    if (parts.length === 3) return { kind: 'dir', children: () => this.xlatorEntries(xl) };
    if (parts.length === 4) return this.xlatorNode(xl, leaf!);
    if (parts.length === 5 && leaf === 'options') {
      if (!(sub! in xl.options)) return undefined;
      return { kind: 'file', content: () => text(String(xl.options[sub!])) };
    }
    if (parts.length === 5 && leaf === 'subvolumes') {
      const child = xl.children[Number(sub)];
      if (!/^\d+$/.test(sub!) || child === undefined) return undefined;
      return { kind: 'link', target: () => `../../${child.name}` };
    }
    return undefined;
  }

  private xlatorEntries(xl: Xlator): string[] {
    const names = ['name', 'options', 'private', 'subvolumes', 'type'];
    if (hasProfile(xl)) names.push('profile');
    return names.sort();
  }

  private xlatorNode(xl: Xlator, leaf: string): MetaNode | undefined {
    switch (leaf) {
      case 'name':
        return { kind: 'file', content: () => text(xl.name) };
      case 'type':
        return { kind: 'file', content: () => text(xl.type) };
      case 'options':
        return { kind: 'dir', children: () => Object.keys(xl.options).sort() };
      case 'subvolumes':
        return { kind: 'dir', children: () => xl.children.map((_c, i) => String(i)) };
      case 'private':
        return { kind: 'file', content: () => json(safeDump(xl)) };
      case 'profile':
        return hasProfile(xl) ? { kind: 'file', content: () => json(xl.profile()) } : undefined;
    }
    return undefined;
  }
}

function hasProfile(xl: Xlator): xl is Xlator & { profile(): object } {
  return typeof (xl as { profile?: unknown }).profile === 'function';
}

/** A translator's dump, or the reason there is none: a broken dump must not break reading /.meta. */
function safeDump(xl: Xlator): unknown {
  try {
    return xl.dump();
  } catch (e) {
    return { error: String(e) };
  }
}
