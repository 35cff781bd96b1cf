// struct iobref: the buffers that carry a fop's data, kept alive while they travel. Memory itself is
// the garbage collector's business; what an iobref adds is a promise about reuse. One made with a
// release hook belongs to an owner that will not touch the buffers until every reference is gone:
// the FUSE session's read buffer for a large WRITE, protocol/client's pooled record for a READ
// answer of 4 KiB or more. A translator that must hold the data past the fop's answer
// (write-behind), or past its callback for a READ answer, takes a reference instead of a copy, as
// GlusterFS's translators iobref_ref(); call stubs do so for what they capture. Without a release
// hook nothing is promised: the caller may reuse its buffers once answered.
export class Iobref {
  readonly buffers: Buffer[] = [];
  private refs = 1;

  constructor(private readonly release: (() => void) | null = null) {}

  /** Buffers that belong to nobody else (a copy made for this fop): stable, nothing to hand back. */
  static unshared(...buffers: Buffer[]): Iobref {
    const iobref = new Iobref(() => {});
    for (const buf of buffers) iobref.add(buf);
    return iobref;
  }

  add(buf: Buffer): this {
    this.buffers.push(buf);
    return this;
  }

  /** The buffers stay as they are until the last unref(): holding them needs no copy. */
  get stable(): boolean {
    return this.release !== null;
  }

  /** One more holder. */
  ref(): this {
    this.refs++;
    return this;
  }

  /** A holder is done; the last one hands the buffers back to their owner. */
  unref(): void {
    if (this.refs <= 0) return;
    this.refs--;
    if (this.refs === 0) this.release?.();
  }
}
