// features/utime: gives every time-changing fop one timestamp, taken on the client, and the flags
// of which times (ctime/mtime/atime of the object and its parent) it changes, so that bricks set
// consistent times instead of each using its own clock. GlusterFS's features/utime; the per-fop
// code is generated from spec/fops.yaml's time table through generator/templates/utime/.
import { UtimeFops } from '../../../generated/utime-fops.js';
import type { OptionDecl, OptionValues } from '../../../runtime/options.js';

export class Utime extends UtimeFops {
  static override readonly description = 'Stamps time-changing fops with one client time and the times they change (GlusterFS features/utime).';
  static override readonly options = [
    {
      key: 'noatime',
      type: 'bool',
      default: 'on',
      description: 'When on, open, opendir and read do not ask for an atime update (as mounting with noatime).',
    },
  ] as const satisfies readonly OptionDecl[];
  declare options: OptionValues<typeof Utime.options>;

  get noatime(): boolean {
    return this.options['noatime'];
  }
}
