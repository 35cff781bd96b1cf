// debug/trace: logs every fop on its way down (arguments) and on its way back (results), with
// the translators it passes between, so the path of a request through a stack can be read in the
// log instead of followed with a debugger. GlusterFS's debug/trace; the per-fop code is generated
// (generated/trace-fops.ts) from spec/fops.yaml.
import { allFops, findFop, fopByNumber } from '../../../generated/fops.js';
import { TraceFops } from '../../../generated/trace-fops.js';
import { errnoName } from '../../../runtime/errno.js';
import { LogLevel, parseLogLevel } from '../../../runtime/log.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';
import { formatValue } from './format.js';

export class Trace extends TraceFops {
  static override readonly description = 'Logs every fop with its arguments as it winds and its results as it unwinds (GlusterFS debug/trace).';
  static override readonly options = [
    {
      key: 'include-ops',
      aliases: ['include'],
      type: 'str',
      description: 'Comma-separated fops to trace (e.g. WRITE,READ or writev,readv); the others pass untraced.',
    },
    {
      key: 'exclude-ops',
      aliases: ['exclude'],
      type: 'str',
      description: 'Comma-separated fops not to trace. Cannot be combined with include-ops.',
    },
    {
      key: 'log-level',
      type: 'str',
      default: 'INFO',
      values: ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'],
      description: 'The level trace lines are logged at.',
    },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof Trace.options>;

  /** traced[fop number]: whether that fop is logged. */
  private readonly traced: boolean[] = [];
  private level: number = LogLevel.INFO;

  override init(): void {
    if (this.children.length !== 1) throw new Error('debug/trace needs exactly one subvolume');
    const include = this.options['include-ops'];
    const exclude = this.options['exclude-ops'];
    if (include !== undefined && exclude !== undefined) throw new Error("options 'include-ops' and 'exclude-ops' cannot both be set");
    const listed = new Set<number>();
    for (const name of (include ?? exclude ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const fop = findFop(name);
      if (fop === undefined) throw new Error(`'${name}' is not a fop (known: ${allFops.map((f) => f.name).join(', ')})`);
      listed.add(fop.number);
    }
    for (const fop of allFops) this.traced[fop.number] = include !== undefined ? listed.has(fop.number) : !listed.has(fop.number);
    this.level = parseLogLevel(this.options['log-level']);
  }

  protected override traces(op: number): boolean {
    return this.traced[op] === true && this.log.isEnabled(this.level);
  }

  protected override traceWind(frame: Frame, op: number, args: readonly unknown[]): void {
    const fop = fopByNumber[op]!;
    const values = args.map((v, i) => `${fop.args[i]}=${formatValue(fop.argTypes[i]!, v)}`);
    this.log.at(this.level, `${frame.root.unique}: ${fop.name} wind ${callerName(frame)} -> ${this.children[0]?.name}: ${values.join(', ')}`);
  }

  protected override traceUnwind(frame: Frame, op: number, opRet: number, opErrno: number, results: readonly unknown[]): void {
    const fop = fopByNumber[op]!;
    const outcome = opRet < 0 ? `op_ret=${opRet}, op_errno=${errnoName(opErrno)}` : `op_ret=${opRet}`;
    const values = opRet < 0 ? [] : results.map((v, i) => `${fop.results[i]}=${formatValue(fop.resultTypes[i]!, v)}`);
    this.log.at(this.level, `${frame.root.unique}: ${fop.name} unwind ${this.children[0]?.name} -> ${callerName(frame)}: ${[outcome, ...values].join(', ')}`);
  }
}

/** Who wound into this translator: the translator of the parent frame. */
function callerName(frame: Frame): string {
  return frame.parent?.this.name ?? 'none';
}
