// performance/quick-read: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class QuickRead extends DefaultXlator {
  static override readonly description = 'Placeholder for performance/quick-read.';
  static override readonly options: readonly OptionDecl[] = [];
}
