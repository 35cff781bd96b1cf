// Whole translator graphs for tests of one translator's behaviour: a volfile (with @DATA@ for a
// fresh storage directory) built and activated in-process, driven through syncop, with `test/probe`
// layers that record which fops reach them. A probe right above storage/posix is how a test proves
// that a cache answered without the fop reaching the brick.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../xlators/index.js';
import { DefaultXlator } from '../../generated/defaults.js';
import { fopByNumber, allFops } from '../../generated/fops.js';
import { Graph } from '../../runtime/graph.js';
import { processLog } from '../../runtime/log.js';
import { findXlator, registerXlator } from '../../runtime/registry.js';
import type { CallStack, Frame } from '../../runtime/stack.js';
import type { Xlator } from '../../runtime/xlator.js';
import { XlatorFixture } from '../posix/helpers.js';

/** Records every fop that passes through it (by fop name: 'stat', 'writev' ...), then passes it on. */
export class Probe extends DefaultXlator {
  static override readonly description = 'Test layer: records the fops that pass through it.';
  readonly calls: string[] = [];
  /** The call stack of each call, in the same order (credentials, utime's flags and stamp). */
  readonly stacks: CallStack[] = [];

  constructor(name: string, type: string) {
    super(name, type);
    const self = this as unknown as Record<string, (frame: Frame, ...args: unknown[]) => unknown>;
    for (const fop of allFops) {
      const passOn = self[fop.method]!.bind(this);
      self[fop.method] = (frame: Frame, ...args: unknown[]) => {
        this.calls.push(fopByNumber[frame.op]?.name ?? fop.name);
        this.stacks.push(frame.root);
        return passOn(frame, ...args);
      };
    }
  }

  count(fop: string): number {
    return this.calls.filter((c) => c === fop).length;
  }

  reset(): void {
    this.calls.length = 0;
    this.stacks.length = 0;
  }
}

/** Holds the fops named in `held` until releaseHeld(): how a test makes a layer below slow. */
export class Gate extends DefaultXlator {
  static override readonly description = 'Test layer: holds chosen fops until released.';
  readonly held = new Set<string>();
  private readonly waiting: Array<() => void> = [];

  constructor(name: string, type: string) {
    super(name, type);
    const self = this as unknown as Record<string, (frame: Frame, ...args: unknown[]) => unknown>;
    for (const fop of allFops) {
      const passOn = self[fop.method]!.bind(this);
      self[fop.method] = (frame: Frame, ...args: unknown[]) => {
        if (!this.held.has(fop.name)) return passOn(frame, ...args);
        this.waiting.push(() => passOn(frame, ...args));
      };
    }
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Stop holding and let everything held go down, in order. */
  releaseHeld(): void {
    this.held.clear();
    for (const go of this.waiting.splice(0)) go();
  }
}

if (findXlator('test/probe') === undefined) registerXlator('test/probe', Probe);
if (findXlator('test/gate') === undefined) registerXlator('test/gate', Gate);

export class StackFixture extends XlatorFixture {
  private constructor(
    dir: string,
    readonly graph: Graph,
  ) {
    super(dir, graph.top);
  }

  /** Build and activate a graph; @DATA@ in the volfile becomes a fresh directory. */
  static async create(volfile: string): Promise<StackFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'xlfs-stack-'));
    const graph = Graph.fromText(volfile.replace(/@DATA@/g, dir), 'test.vol');
    await graph.activate();
    await graph.waitForChildUp(5000);
    return new StackFixture(dir, graph);
  }

  xlator<T extends Xlator = Xlator>(name: string): T {
    const xl = this.graph.find(name);
    if (xl === undefined) throw new Error(`no volume '${name}' in the test graph`);
    return xl as T;
  }

  probe(name = 'probe'): Probe {
    return this.xlator<Probe>(name);
  }

  async close(): Promise<void> {
    await this.graph.fini();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `volume NAME / type TYPE / options / subvolumes` blocks, bottom first, each over the previous. */
export function stackVolfile(layers: Array<{ name: string; type: string; options?: Record<string, string> }>): string {
  let below: string | null = null;
  const out: string[] = [];
  for (const layer of layers) {
    out.push(`volume ${layer.name}`, `    type ${layer.type}`);
    for (const [k, v] of Object.entries(layer.options ?? {})) out.push(`    option ${k} ${v}`);
    if (below !== null) out.push(`    subvolumes ${below}`);
    out.push('end-volume', '');
    below = layer.name;
  }
  return out.join('\n');
}

/** posix on @DATA@, a probe above it, then the given layers on top. */
export function overPosix(...layers: Array<{ name: string; type: string; options?: Record<string, string> }>): string {
  return stackVolfile([{ name: 'posix', type: 'storage/posix', options: { directory: '@DATA@' } }, { name: 'probe', type: 'test/probe' }, ...layers]);
}

/** A protocol/client leaf named `name` towards a brick (or whatever listens) on 127.0.0.1:`port`. */
export function clientVolfile(port: number, subvolume: string, options: Record<string, string> = {}, name = 'brick-client'): string {
  return stackVolfile([{ name, type: 'protocol/client', options: { 'remote-host': '127.0.0.1', 'remote-port': String(port), 'remote-subvolume': subvolume, ...options } }]);
}

/** Run `body` with the process log kept off stderr (tests that provoke errors on purpose). */
export async function quietly<T>(body: () => Promise<T>): Promise<T> {
  const toStderr = processLog.toStderr;
  processLog.toStderr = false;
  try {
    return await body();
  } finally {
    processLog.toStderr = toStderr;
  }
}
