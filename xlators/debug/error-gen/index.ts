// debug/error-gen: fails chosen fops on purpose, to see how a stack and its users cope with errors
// (GlusterFS's debug/error-gen). `error-no` answers with that errno; `throw` raises an exception
// inside the fop instead, which the runtime turns into EIO for that call alone.
import { findFop, fopByNumber, allFops } from '../../../generated/fops.js';
import { DefaultXlator } from '../../../generated/defaults.js';
import { errorUnwinders } from '../../../generated/wind.js';
import { Errno } from '../../../runtime/errno.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';
import type { Frame } from '../../../runtime/stack.js';

export class ErrorGen extends DefaultXlator {
  static override readonly description = 'Fails chosen fops with an errno or an exception, for testing (GlusterFS debug/error-gen).';
  static override readonly options = [
    { key: 'enable', type: 'str', default: '', description: 'Comma-separated fops to fail (writev, getxattr ...); empty: none.' },
    { key: 'error-no', type: 'str', default: 'EIO', description: 'The errno to fail with (a name such as EIO or ENOSPC).' },
    { key: 'failure', type: 'percent', default: '100', description: 'Percentage of the enabled fops that fail.' },
    { key: 'throw', type: 'bool', default: 'off', description: 'Throw an exception inside the fop instead of answering the errno.' },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof ErrorGen.options>;

  private readonly failing = new Set<number>();
  private errno: number = Errno.EIO;

  override init(): void {
    for (const name of this.options['enable'].split(',').map((s) => s.trim()).filter(Boolean)) {
      const fop = findFop(name);
      if (fop === undefined) throw new Error(`'${name}' is not a fop (known: ${allFops.map((f) => f.name).join(', ')})`);
      this.failing.add(fop.number);
      // Route this fop through the failure check; the others stay pure pass-through.
      const self = this as unknown as Record<string, (frame: Frame, ...args: unknown[]) => void>;
      const passOn = self[fop.method]!.bind(this);
      self[fop.method] = (frame: Frame, ...args: unknown[]) => (this.shouldFail() ? this.fail(frame) : passOn(frame, ...args));
    }
    const errno = (Errno as Record<string, number>)[this.options['error-no'].toUpperCase()];
    if (errno === undefined) throw new Error(`'${this.options['error-no']}' is not an errno name`);
    this.errno = errno;
  }

  private shouldFail(): boolean {
    return Math.random() * 100 < this.options['failure'];
  }

  private fail(frame: Frame): void {
    if (this.options['throw']) throw new Error(`error-gen: ${fopByNumber[frame.op]?.name} fails by request`);
    errorUnwinders[frame.op]!(frame, this.errno);
  }
}
