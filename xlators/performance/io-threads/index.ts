// performance/io-threads: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class IoThreads extends DefaultXlator {
  static override readonly description = 'Placeholder for performance/io-threads.';
  static override readonly options: readonly OptionDecl[] = [];
}
