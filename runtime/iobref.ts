// struct iobref holds references that keep data buffers alive while they travel. The garbage
// collector does that for us; the type stays so that fop signatures keep GlusterFS's shape and a
// translator that copies data can say which buffers belong together.
export class Iobref {
  readonly buffers: Buffer[] = [];
  add(buf: Buffer): this {
    this.buffers.push(buf);
    return this;
  }
}
