// A translator that fails or throws hurts only the calls it fails: the mount keeps serving.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shFails, withMount } from './harness.js';

const faultyVolfile = (options: string) => `
volume posix
    type storage/posix
    option directory @DATA@
end-volume

volume faults
    type debug/error-gen
${options}
    subvolumes posix
end-volume
`;

describe('faults inside the graph', () => {
  it('a translator that throws fails that call with EIO and the mount keeps working', async () => {
    await withMount(faultyVolfile('    option enable getxattr\n    option throw on'), async ({ mnt, log }) => {
      writeFileSync(`${mnt}/f`, 'still fine');
      const r = await shFails(`getfattr -n user.anything ${mnt}/f`);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/Input\/output error/);
      expect(readFileSync(`${mnt}/f`, 'utf8')).toBe('still fine');
      expect(log()).toMatch(/E \[faults\] getxattr threw; failing that call with EIO: Error: error-gen: getxattr fails by request/);
    });
  });

  it('an errno from below reaches the application unchanged', async () => {
    await withMount(faultyVolfile('    option enable writev\n    option error-no ENOSPC'), async ({ mnt }) => {
      const r = await shFails(`echo data > ${mnt}/full`);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/No space left on device/);
      expect(readFileSync(`${mnt}/full`, 'utf8')).toBe('');
    });
  });
});
