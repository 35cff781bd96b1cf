// debug/io-stats: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class IoStats extends DefaultXlator {
  static override readonly description = 'Placeholder for debug/io-stats.';
  static override readonly options: readonly OptionDecl[] = [];
}
