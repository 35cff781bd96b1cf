// A translator graph built from a volfile: instantiate each volume by its type, check subvolume
// counts and option values against what each translator declares, link parents and children,
// then init and send PARENT_UP from the top as glusterfs_graph_activate does. The last volume in
// the file is the top. Every error is one line naming the file, the line and the volume.
import { readFileSync } from 'node:fs';
import type { Fd } from './fd.js';
import { Logger } from './log.js';
import { OptionError, resolveOptions } from './options.js';
import { findXlator, knownXlatorTypes } from './registry.js';
import { checkVolfileGraph, parseVolfile, printVolfile, type Volfile, type VolfileVolume } from './volfile.js';
import { XlatorEvent, eventName, type GraphView, type Xlator } from './xlator.js';

export class GraphError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly line: number,
    readonly volume: string | undefined,
    readonly reason: string,
  ) {
    super(`${file ? file + ':' : ''}${line}: ${volume ? `volume '${volume}': ` : ''}${reason}`);
    this.name = 'GraphError';
  }
}

const graphLog = new Logger('graph');

/** glusterfs --xlator-option VOLUME.KEY=VALUE: VOLUME is a glob over volume names. */
export interface XlatorOption {
  volume: string;
  key: string;
  value: string;
}

export interface GraphSettings {
  xlatorOptions?: readonly XlatorOption[];
}

/** Parse 'posix.directory=/srv/data' (the volume part may be a glob, e.g. '*-md-cache.timeout=1'). */
export function parseXlatorOption(text: string): XlatorOption {
  const m = /^([^=]+?)\.([^.=]+)=(.*)$/s.exec(text);
  if (m === null) throw new Error(`--xlator-option '${text}' is not VOLUME.KEY=VALUE`);
  return { volume: m[1]!, key: m[2]!, value: m[3]! };
}

function applyXlatorOptions(volfile: Volfile, options: readonly XlatorOption[]): void {
  for (const option of options) {
    const pattern = new RegExp('^' + option.volume.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    const matched = volfile.volumes.filter((v) => pattern.test(v.name));
    if (matched.length === 0) throw new GraphError(volfile.file, 0, undefined, `--xlator-option '${option.volume}.${option.key}' matches no volume`);
    for (const volume of matched) volume.options.set(option.key, option.value);
  }
}

export class Graph implements GraphView {
  /** Translators in volfile order; the last is the top. */
  readonly xlators: readonly Xlator[];
  readonly top: Xlator;
  readonly warnings: string[];
  private stateWaiters: Array<{ acceptDown: boolean; settled: (state: 'up' | 'down') => void; failed: (reason: string) => void }> = [];
  /** The last word on the subvolumes that reached the top: CHILD_UP, CHILD_DOWN, or none yet. */
  private childState: 'up' | 'down' | null = null;
  private active = false;
  /** Events that leave the top of the graph (the FUSE bridge listens here, as ctx->root). */
  onTopEvent: ((event: number, from: Xlator) => void) | null = null;

  private constructor(
    readonly volfile: Volfile,
    xlators: Xlator[],
    warnings: string[],
  ) {
    this.xlators = xlators;
    this.top = xlators[xlators.length - 1]!;
    this.warnings = warnings;
    for (const xl of xlators) {
      xl.topListener = (event, from, data) => this.handleTopEvent(event, from, data);
      xl.graph = this;
    }
  }

  volfileText(): string {
    return printVolfile(this.volfile);
  }

  static fromFile(path: string, settings: GraphSettings = {}): Graph {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new GraphError(path, 0, undefined, `cannot read the volfile: ${(e as Error).message}`);
    }
    return Graph.build(parseVolfile(text, path), settings);
  }

  static fromText(text: string, name = '<volfile>', settings: GraphSettings = {}): Graph {
    return Graph.build(parseVolfile(text, name), settings);
  }

  static build(volfile: Volfile, settings: GraphSettings = {}): Graph {
    if (volfile.volumes.length === 0) throw new GraphError(volfile.file, 0, undefined, 'the volfile defines no volume');
    applyXlatorOptions(volfile, settings.xlatorOptions ?? []);
    const warnings = [...volfile.warnings, ...checkVolfileGraph(volfile)];
    const names = new Set(volfile.volumes.map((v) => v.name));
    const byName = new Map<string, Xlator>();
    const xlators: Xlator[] = [];
    for (const volume of volfile.volumes) {
      const xl = instantiate(volfile, volume, names, warnings);
      for (const childName of volume.subvolumes) {
        const child = byName.get(childName);
        if (child === undefined) {
          throw new GraphError(volfile.file, volume.subvolumesLine ?? volume.line, volume.name, `subvolume '${childName}' is not defined before this volume`);
        }
        xl.children.push(child);
        child.parents.push(xl);
      }
      byName.set(volume.name, xl);
      xlators.push(xl);
    }
    for (const w of warnings) graphLog.warning(w);
    return new Graph(volfile, xlators, warnings);
  }

  /**
   * The last reference to `fd` is gone: each translator that keeps context in it gets its release
   * (releasedir for a directory), top first, as a release travels down a graph. Openers set this
   * as the fd's onRelease.
   */
  releaseFd(fd: Fd): void {
    for (let i = this.xlators.length - 1; i >= 0; i--) {
      const xl = this.xlators[i]!;
      if (!fd.ctx.has(xl)) continue;
      try {
        if (fd.isDirectory) xl.releasedir(fd);
        else xl.release(fd);
      } catch (e) {
        xl.log.error(`release of fd ${fd.id} threw: ${(e as Error).message}`);
      }
    }
  }

  find(name: string): Xlator | undefined {
    return this.xlators.find((x) => x.name === name);
  }

  /** init every translator (top first, as GlusterFS does), then PARENT_UP from the top. */
  async activate(): Promise<void> {
    for (const xl of [...this.xlators].reverse()) {
      try {
        await xl.init();
      } catch (e) {
        const volume = this.volfile.volumes.find((v) => v.name === xl.name);
        throw new GraphError(this.volfile.file, volume?.line ?? 0, xl.name, `init failed: ${(e as Error).message}`);
      }
      xl.initialized = true;
    }
    this.active = true;
    this.top.notify(XlatorEvent.PARENT_UP, null);
  }

  /**
   * Resolves once the top has reported CHILD_UP (its subvolumes can serve); rejects after `ms`, or
   * at once when AUTH_FAILED reaches the top (a brick refused us: retrying will not help).
   */
  async waitForChildUp(ms = 30_000): Promise<void> {
    await this.waitForChildState(ms, false);
  }

  /**
   * Resolves with the top's first word on its subvolumes: 'up' (CHILD_UP) or, when `acceptDown`,
   * 'down' (CHILD_DOWN: a brick not reachable yet, which protocol/client keeps trying). This is
   * what a mount waits for, as GlusterFS's FUSE bridge waits for the first CHILD_UP or CHILD_DOWN
   * before it serves: a brick that is down is reported, not waited for. Rejects after `ms` with
   * each translator's reason (a peer that never answers sends neither), or at once on AUTH_FAILED.
   */
  waitForChildState(ms = 30_000, acceptDown = true): Promise<'up' | 'down'> {
    if (this.childState === 'up' || (acceptDown && this.childState === 'down')) return Promise.resolve(this.childState);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const reasons = this.downReasons();
        reject(new Error(`the graph's top '${this.top.name}' reported no CHILD_UP within ${ms} ms${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`));
      }, ms);
      this.stateWaiters.push({
        acceptDown,
        settled: (state) => {
          clearTimeout(timer);
          resolve(state);
        },
        failed: (reason) => {
          clearTimeout(timer);
          reject(new Error(reason));
        },
      });
    });
  }

  /** Why translators cannot serve yet ("name: reason"), for messages. */
  downReasons(): string[] {
    return this.xlators.flatMap((xl) => {
      const why = xl.downReason();
      return why === null ? [] : [`${xl.name}: ${why}`];
    });
  }

  get isUp(): boolean {
    return this.childState === 'up';
  }

  /** PARENT_DOWN, then fini every translator, top first. Errors are logged, not thrown: shut down regardless. */
  async fini(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.top.notify(XlatorEvent.PARENT_DOWN, null);
    for (const xl of [...this.xlators].reverse()) {
      try {
        await xl.fini();
      } catch (e) {
        xl.log.error(`fini failed: ${(e as Error).message}`);
      }
      xl.initialized = false;
    }
  }

  dump(): object {
    return {
      top: this.top.name,
      translators: this.xlators.map((x) => ({
        name: x.name,
        type: x.type,
        subvolumes: x.children.map((c) => c.name),
        options: x.options,
        state: x.dump(),
      })),
    };
  }

  private handleTopEvent(event: number, from: Xlator, data: unknown): void {
    graphLog.debug(`${eventName(event)} from '${from.name}' reached the top`);
    if (event === XlatorEvent.CHILD_UP && this.childState !== 'up') {
      this.childState = 'up';
      for (const w of this.stateWaiters.splice(0)) w.settled('up');
    } else if (event === XlatorEvent.AUTH_FAILED) {
      const reason = typeof data === 'string' ? data : `'${from.name}' was refused by its server`;
      for (const w of this.stateWaiters.splice(0)) w.failed(reason);
    } else if (event === XlatorEvent.CHILD_DOWN) {
      this.childState = 'down';
      const waiting = this.stateWaiters;
      this.stateWaiters = waiting.filter((w) => !w.acceptDown);
      for (const w of waiting) if (w.acceptDown) w.settled('down');
    }
    this.onTopEvent?.(event, from);
  }
}

function instantiate(volfile: Volfile, volume: VolfileVolume, names: ReadonlySet<string>, warnings: string[]): Xlator {
  const cls = findXlator(volume.type);
  if (cls === undefined) {
    throw new GraphError(volfile.file, volume.typeLine, volume.name, `unknown translator type '${volume.type}' (known: ${knownXlatorTypes().join(', ')})`);
  }
  const { min, max } = cls.subvolumes ?? { min: 1, max: 1 };
  const count = volume.subvolumes.length;
  if (count < min || count > max) {
    const want = min === max ? `exactly ${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new GraphError(volfile.file, volume.subvolumesLine ?? volume.line, volume.name, `${volume.type} takes ${want} subvolume${max === 1 ? '' : 's'}, not ${count}`);
  }
  const xl = new cls(volume.name, volume.type);
  try {
    const resolved = resolveOptions(cls.options, volume.options, { xlatorNames: names });
    xl.options = resolved.values;
    for (const key of resolved.unknown) {
      warnings.push(`${volfile.file ?? ''}:${volume.optionLines.get(key) ?? volume.line}: volume '${volume.name}': ${volume.type} has no option '${key}'; it is ignored`);
    }
  } catch (e) {
    if (e instanceof OptionError) {
      throw new GraphError(volfile.file, volume.optionLines.get(e.key) ?? volume.line, volume.name, e.message);
    }
    throw e;
  }
  return xl;
}
