// performance/open-behind: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class OpenBehind extends DefaultXlator {
  static override readonly description = 'Placeholder for performance/open-behind.';
  static override readonly options: readonly OptionDecl[] = [];
}
