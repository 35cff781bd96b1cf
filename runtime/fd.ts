// fd_t: an open file or directory, with per-translator context (fd_ctx_set/get).
import type { Inode } from './inode.js';

let nextFdId = 1;

export class Fd {
  readonly id = nextFdId++;
  /** Per-translator state, keyed by the translator. */
  readonly ctx = new Map<object, unknown>();
  /** Set by the opener: open(2) flags. */
  flags: number;
  /** A translator-created fd that no application opened (GlusterFS's anonymous fd). */
  readonly anonymous: boolean;

  constructor(
    readonly inode: Inode,
    flags: number,
    readonly pid = 0,
    anonymous = false,
  ) {
    this.flags = flags;
    this.anonymous = anonymous;
  }

  /**
   * References: the opener's, plus one per translator that still needs the fd after the opener let
   * go (write-behind's pending writes). The release reaches the translators when the last goes.
   */
  private refs = 1;
  onRelease: ((fd: Fd) => void) | null = null;

  ref(): this {
    this.refs++;
    return this;
  }

  unref(): void {
    if (--this.refs === 0) this.onRelease?.(this);
  }

  get isDirectory(): boolean {
    return this.inode.isDirectory();
  }
}
