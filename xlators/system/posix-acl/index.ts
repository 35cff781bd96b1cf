// system/posix-acl: placeholder while it is written; passes every fop through.
import { DefaultXlator } from '../../../generated/defaults.js';
import type { OptionDecl } from '../../../runtime/options.js';

export class PosixAcl extends DefaultXlator {
  static override readonly description = 'Placeholder for system/posix-acl.';
  static override readonly options: readonly OptionDecl[] = [];
}
