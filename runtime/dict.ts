// dict_t: the key/value bag fops carry as xdata, and the set of xattrs in (f)setxattr/(f)getxattr.
export type DictValue = Buffer | string | number | bigint | boolean;

export class Dict extends Map<string, DictValue> {
  /** A value as bytes, the form an xattr has on disk and on the wire. */
  getBuffer(key: string): Buffer | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    return Buffer.isBuffer(v) ? v : Buffer.from(String(v));
  }

  getString(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    return Buffer.isBuffer(v) ? v.toString('utf8').replace(/\0+$/, '') : String(v);
  }

  static of(entries: Record<string, DictValue>): Dict {
    const dict = new Dict();
    for (const key in entries) dict.set(key, entries[key]!);
    return dict;
  }

  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this) out[k] = Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : String(v);
    return out;
  }
}
