// debug/io-stats: counts every fop that passes, with its latency (min/avg/max) and the bytes read
// and written, cumulatively and per interval (since the last dump), as GlusterFS's io-stats does
// for `gluster volume profile`. The profile is dumped as JSON: by a getxattr of
// trusted.io-stats-dump on the root, by a setxattr of it (the value names the file), on SIGUSR1
// (to /var/run/xlfs/), every ios-dump-interval seconds, and through meta's .meta/.../profile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fopByNumber } from '../../../generated/fops.js';
import type { FopReturn } from '../../../generated/fop-types.js';
import { TraceFops } from '../../../generated/trace-fops.js';
import { unwindGetxattr, unwindSetxattr } from '../../../generated/wind.js';
import { Dict } from '../../../runtime/dict.js';
import { errnoOf } from '../../../runtime/errno.js';
import type { Loc } from '../../../runtime/loc.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

export const DUMP_KEY = 'trusted.io-stats-dump';
export const DUMP_DIR = '/var/run/xlfs';
const READ = 12;
const WRITE = 13;

interface FopStats {
  count: number;
  errors: number;
  /** Microseconds. */
  total: number;
  min: number;
  max: number;
}

class Interval {
  readonly started = Date.now();
  /** By fop number: an array index, not a map lookup, twice per fop per interval. */
  readonly fops: (FopStats | undefined)[] = [];
  readBytes = 0;
  writeBytes = 0;

  record(op: number, micros: number | null, failed: boolean): void {
    let s = this.fops[op];
    if (s === undefined) {
      s = { count: 0, errors: 0, total: 0, min: Infinity, max: 0 };
      this.fops[op] = s;
    }
    s.count++;
    if (failed) s.errors++;
    if (micros !== null) {
      s.total += micros;
      s.min = Math.min(s.min, micros);
      s.max = Math.max(s.max, micros);
    }
  }

  toJSON(latency: boolean): object {
    const fops: Record<string, object> = {};
    for (const [op, s] of this.fops.entries()) {
      if (s === undefined) continue;
      const name = fopByNumber[op]?.enumName ?? `FOP${op}`;
      fops[name] = {
        count: s.count,
        errors: s.errors,
        ...(latency && s.count > 0 ? { latency_us: { min: round(s.min), avg: round(s.total / s.count), max: round(s.max) } } : {}),
      };
    }
    return { duration_s: round((Date.now() - this.started) / 1000), read_bytes: this.readBytes, write_bytes: this.writeBytes, fops };
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export class IoStats extends TraceFops {
  static override readonly description = 'Counts fops, their latency and the bytes moved, and dumps the profile as JSON (GlusterFS debug/io-stats).';
  static override readonly options = [
    { key: 'latency-measurement', type: 'bool', default: 'off', description: 'Measure each fop’s latency; off: count fops and bytes only.' },
    { key: 'count-fop-hits', type: 'bool', default: 'off', description: 'Accepted for GlusterFS volfiles; fops are always counted here (it costs one map update).' },
    { key: 'dump-fd-stats', type: 'bool', default: 'off', description: 'Accepted for GlusterFS volfiles; per-fd statistics are not kept.' },
    { key: 'ios-dump-interval', type: 'int', default: '0', min: 0, max: 3600, description: 'Seconds between dumps to /var/run/xlfs/io-stats-<volume>-<pid>.json; 0: none.' },
    { key: 'ios-dump-format', type: 'str', default: 'json', values: ['json'], description: 'Format of dumps (JSON).' },
    { key: 'log-level', aliases: ['client-log-level', 'brick-log-level'], type: 'str', default: 'INFO', values: ['DEBUG', 'WARNING', 'ERROR', 'INFO', 'CRITICAL', 'NONE', 'TRACE'], description: 'Accepted for GlusterFS volfiles; the process log level is set with xlfs mount --log-level.' },
    { key: 'unique-id', type: 'str', default: '', description: 'A name for this instance in dumps (default: the volume name).' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof IoStats.options>;

  private cumulative = new Interval();
  private interval = new Interval();
  private timer: NodeJS.Timeout | null = null;
  private readonly onSignal = () => this.dumpToFile(join(DUMP_DIR, `io-stats-${this.name.replace(/\//g, '_')}-${process.pid}.json`));

  private latency = false;

  override init(): void {
    this.latency = this.options['latency-measurement'];
    process.on('SIGUSR1', this.onSignal);
    const every = this.options['ios-dump-interval'];
    if (every > 0) {
      this.timer = setInterval(this.onSignal, every * 1000);
      this.timer.unref();
    }
  }

  override fini(): void {
    process.off('SIGUSR1', this.onSignal);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  protected traces(): boolean {
    return true;
  }

  protected traceWind(frame: Frame, op: number, args: readonly unknown[]): void {
    if (this.latency) frame.local = process.hrtime.bigint();
    if (op === WRITE) {
      let bytes = 0;
      for (const b of args[1] as Buffer[]) bytes += b.length;
      this.cumulative.writeBytes += bytes;
      this.interval.writeBytes += bytes;
    }
  }

  protected traceUnwind(frame: Frame, op: number, opRet: number): void {
    const micros = this.latency && typeof frame.local === 'bigint' ? Number(process.hrtime.bigint() - frame.local) / 1000 : null;
    this.cumulative.record(op, micros, opRet < 0);
    this.interval.record(op, micros, opRet < 0);
    if (op === READ && opRet > 0) {
      this.cumulative.readBytes += opRet;
      this.interval.readBytes += opRet;
    }
  }

  /** The profile; `clearInterval` starts a new interval, as a dump does. */
  profile(clearInterval = false): object {
    const out = {
      volume: this.options['unique-id'] || this.name,
      pid: process.pid,
      latency_measurement: this.latency,
      cumulative: this.cumulative.toJSON(this.latency),
      interval: this.interval.toJSON(this.latency),
    };
    if (clearInterval) this.interval = new Interval();
    return out;
  }

  override dump(): Record<string, unknown> {
    return this.profile() as Record<string, unknown>;
  }

  private dumpToFile(path: string): void {
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(this.profile(true), null, 2) + '\n');
      this.log.info(`profile written to ${path}`);
    } catch (e) {
      this.log.error(`could not write the profile to ${path}: ${(e as Error).message}`);
    }
  }

  /** getxattr trusted.io-stats-dump on the root: the profile, not a brick's xattr. */
  override getxattr(frame: Frame, loc: Loc, name: string, xdata: Dict | null): FopReturn {
    if (name !== DUMP_KEY || loc.path !== '/') return super.getxattr(frame, loc, name, xdata);
    unwindGetxattr(frame, 0, 0, new Dict([[DUMP_KEY, Buffer.from(JSON.stringify(this.profile(true)))]]), null);
  }

  /** setxattr trusted.io-stats-dump=NAME on the root: write the profile to NAME (under /var/run/xlfs/ unless absolute). */
  override setxattr(frame: Frame, loc: Loc, dict: Dict | null, flags: number, xdata: Dict | null): FopReturn {
    const target = dict?.getString(DUMP_KEY);
    if (target === undefined || loc.path !== '/') return super.setxattr(frame, loc, dict, flags, xdata);
    const path = isAbsolute(target) ? target : join(DUMP_DIR, target.replace(/\//g, '_'));
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(this.profile(true), null, 2) + '\n');
      unwindSetxattr(frame, 0, 0, null);
    } catch (e) {
      unwindSetxattr(frame, -1, errnoOf(e), null);
    }
  }
}
