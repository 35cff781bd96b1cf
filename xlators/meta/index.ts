// meta: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../generated/defaults.js';
import type { OptionDecl } from '../../runtime/options.js';

export class Meta extends DefaultXlator {
  static override readonly description = 'Placeholder for meta.';
  static override readonly options: readonly OptionDecl[] = [];
}
