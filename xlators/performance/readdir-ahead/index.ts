// performance/readdir-ahead: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class ReaddirAhead extends DefaultXlator {
  static override readonly description = 'Placeholder for performance/readdir-ahead.';
  static override readonly options: readonly OptionDecl[] = [];
}
