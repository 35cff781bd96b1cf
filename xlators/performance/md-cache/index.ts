// performance/md-cache: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class MdCache extends DefaultXlator {
  static override readonly description = 'Placeholder for performance/md-cache.';
  static override readonly options: readonly OptionDecl[] = [];
}
