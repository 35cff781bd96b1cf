// debug/pass-through: a translator that changes nothing. It is the generated DefaultXlator as it
// is, shipped as a translator of its own so that the defaults are tested as a real graph layer and
// so that a stack's cost per layer can be measured. (GlusterFS has no such type; every translator
// there inherits the same defaults.)
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class PassThrough extends DefaultXlator {
  static override readonly description = 'Passes every fop to its subvolume unchanged (the generated defaults as a translator).';
  static override readonly options: readonly OptionDecl[] = [];
}
