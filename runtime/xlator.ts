// The translator base: identity, options, graph links, lifecycle and event routing. The fop methods
// come from the generated XlatorFops interface; generated/defaults.ts gives every translator a
// pass-through implementation of each, so a translator overrides only the fops it changes.
import type { XlatorFops } from '../generated/fop-types.js';
import type { Fd } from './fd.js';
import type { Inode } from './inode.js';
import { Logger } from './log.js';
import type { OptionDecl, OptionValue } from './options.js';

/** glusterfs_event_t values that the graph uses. */
export const XlatorEvent = {
  PARENT_UP: 1,
  CHILD_UP: 5,
  CHILD_DOWN: 6,
  CHILD_CONNECTING: 7,
  AUTH_FAILED: 15,
  PARENT_DOWN: 17,
  UPCALL: 19,
  CHILD_PING: 24,
} as const;
export type XlatorEventNumber = (typeof XlatorEvent)[keyof typeof XlatorEvent];

export function eventName(event: number): string {
  return Object.entries(XlatorEvent).find(([, v]) => v === event)?.[0] ?? `EVENT#${event}`;
}

/** What a translator class declares about itself; the registry and `xlfs` read it. */
export interface XlatorClass {
  new (name: string, type: string): Xlator;
  /** One or two sentences: what it does and which GlusterFS translator it corresponds to. */
  readonly description: string;
  readonly options: readonly OptionDecl[];
  /** How many subvolumes it takes: exactly one unless it says otherwise. */
  readonly subvolumes?: { min: number; max: number };
}

/** What a translator may know of the graph it is in (meta shows it). */
export interface GraphView {
  readonly xlators: readonly Xlator[];
  readonly top: Xlator;
  /** The volfile as the graph was built from it (options from the command line applied). */
  volfileText(): string;
}

/** Receives the events that reach the top of a graph (GlusterFS delivers them to ctx->root). */
export type TopEventListener = (event: number, from: Xlator, data: unknown) => void;

export abstract class Xlator {
  static readonly description: string = '';
  static readonly options: readonly OptionDecl[] = [];

  children: Xlator[] = [];
  parents: Xlator[] = [];
  /**
   * Validated option values, keyed by canonical option name, defaults filled in. A translator
   * narrows this to its own declarations with `declare options: OptionValues<...>` (options.ts).
   */
  options: Readonly<Record<string, OptionValue | undefined>> = {};
  readonly log: Logger;
  initialized = false;
  /** Set by the graph: where events that leave the top go. */
  topListener: TopEventListener | null = null;
  /** Set by the graph: the graph this translator belongs to. */
  graph: GraphView | null = null;

  constructor(
    readonly name: string,
    readonly type: string,
  ) {
    this.log = new Logger(name);
  }

  get firstChild(): Xlator {
    const child = this.children[0];
    if (child === undefined) throw new Error(`translator '${this.name}' (${this.type}) has no subvolume`);
    return child;
  }

  /** Read once the options are validated; may be async (opening a directory, a socket ...). */
  init(): void | Promise<void> {}
  fini(): void | Promise<void> {}

  /** GlusterFS's default_notify routing: PARENT_* go down, CHILD_* go up; a leaf answers PARENT_UP with CHILD_UP. */
  notify(event: number, data?: unknown): void {
    switch (event) {
      case XlatorEvent.PARENT_UP:
      case XlatorEvent.PARENT_DOWN:
        if (this.children.length === 0 && event === XlatorEvent.PARENT_UP) this.notifyParents(XlatorEvent.CHILD_UP, this);
        for (const child of this.children) child.notify(event, this);
        return;
      default:
        this.notifyParents(event, data ?? this);
    }
  }

  protected notifyParents(event: number, data: unknown): void {
    if (this.parents.length === 0) {
      this.topListener?.(event, this, data);
      return;
    }
    for (const parent of this.parents) if (parent.initialized) parent.notify(event, data);
  }

  /** The kernel forgot an inode this translator has context on. */
  forget(_inode: Inode): void {}
  /** The last reference to an open file went away. */
  release(_fd: Fd): void {}
  releasedir(_fd: Fd): void {}

  /** Translator state for a statedump (JSON). */
  dump(): Record<string, unknown> {
    return {};
  }

  /**
   * Why this translator cannot serve yet, when it knows (a leaf that talks to a server: the last
   * connection error, or the step it is waiting on); null otherwise. Said when a mount gives up.
   */
  downReason(): string | null {
    return null;
  }
}

// The fop methods every translator has (generated from spec/fops.yaml).
export interface Xlator extends XlatorFops {}

/** The originator of requests (FUSE, syncop, a tool): the `this` of a stack's first frame. */
export class CallerXlator extends Xlator {
  static override readonly description: string = 'The originator of a call stack; not part of any graph.';
}
