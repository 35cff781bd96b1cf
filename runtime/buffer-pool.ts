// A pool of data buffers by power-of-two size class, GlusterFS's iobuf_pool in miniature. A
// translator that must keep a copy of data while it travels (write-behind) takes one here and gives
// it back once the fop that carried it has unwound. Fresh large Buffers are external memory to V8:
// allocated per write, a stream of them costs page faults to fill and garbage collections to free.
const MIN_CLASS = 12; // 4 KiB
const MAX_CLASS = 20; // 1 MiB: the largest FUSE write

export class BufferPool {
  private readonly free: Buffer[][] = Array.from({ length: MAX_CLASS + 1 }, () => []);
  private pooledBytes = 0;

  /** @param limit bytes the pool may keep while nobody uses them */
  constructor(private readonly limit = 32 << 20) {}

  private static classOf(size: number): number {
    return Math.max(MIN_CLASS, 32 - Math.clz32(Math.max(1, size) - 1));
  }

  /** A buffer of at least `size` bytes (its length is its size class). */
  take(size: number): Buffer {
    const c = BufferPool.classOf(size);
    if (c > MAX_CLASS) return Buffer.allocUnsafeSlow(size);
    const buf = this.free[c]!.pop();
    if (buf === undefined) return Buffer.allocUnsafeSlow(1 << c);
    this.pooledBytes -= buf.length;
    return buf;
  }

  /** Back to the pool: the caller must hold no view of it any more. */
  give(buf: Buffer): void {
    const c = BufferPool.classOf(buf.length);
    if (c > MAX_CLASS || buf.length !== 1 << c || this.pooledBytes + buf.length > this.limit) return;
    this.free[c]!.push(buf);
    this.pooledBytes += buf.length;
  }

  /** Copy `vector` into one pooled buffer: the copy (exactly `size` bytes) and what to give back. */
  copy(vector: readonly Buffer[], size: number): { data: Buffer; backing: Buffer } {
    const backing = this.take(size);
    let at = 0;
    for (const b of vector) at += b.copy(backing, at);
    return { data: backing.subarray(0, size), backing };
  }
}
