// Type-level tests: winding or unwinding a fop with the wrong shape does not compile, as
// STACK_WIND / STACK_UNWIND_STRICT do not in C. Each @ts-expect-error below must stay an error:
// if one ever compiled, tsc would report the directive as unused and the test suite would fail.
// Checked by `npm run typecheck` and by test/type-level/type-level.test.ts.
import { DefaultXlator } from '../../generated/defaults.js';
import type { WritevCbk } from '../../generated/fop-types.js';
import { unwindStat, unwindWritev, windStat, windWritev } from '../../generated/wind.js';
import type { Dict } from '../../runtime/dict.js';
import type { Fd } from '../../runtime/fd.js';
import { Iatt } from '../../runtime/iatt.js';
import type { Loc } from '../../runtime/loc.js';
import type { Frame } from '../../runtime/stack.js';

declare const frame: Frame;
declare const loc: Loc;
declare const fd: Fd;
declare const child: DefaultXlator;
const buf = new Iatt();

const writevCbk: WritevCbk = (f, _cookie, _xl, opRet, opErrno, prebuf, postbuf, xdata) => unwindWritev(f, opRet, opErrno, prebuf, postbuf, xdata);

// The right shapes compile.
windWritev(frame, writevCbk, child, fd, [Buffer.alloc(1)], 1, 0, 0, null, null);
windWritev(frame, writevCbk, child, fd, [Buffer.alloc(1)], 1, 0, 0, null, null, 'cookie');
unwindStat(frame, 0, 0, buf, null);

// @ts-expect-error a stat callback does not fit writev
windWritev(frame, (f: Frame, c: unknown, x: DefaultXlator, r: number, e: number, st: Iatt | null, xd: Dict | null) => unwindStat(f, r, e, st, xd), child, fd, [], 0, 0, 0, null, null);

// @ts-expect-error writev's vector is Buffer[], not a Buffer
windWritev(frame, writevCbk, child, fd, Buffer.alloc(1), 1, 0, 0, null, null);

// @ts-expect-error writev takes an fd, not a loc
windWritev(frame, writevCbk, child, loc, [], 0, 0, 0, null, null);

// @ts-expect-error a missing argument (xdata)
windStat(frame, () => undefined, child, loc);

// @ts-expect-error stat unwinds an Iatt, not a number
unwindStat(frame, 0, 0, 42, null);

// @ts-expect-error writev unwinds prebuf and postbuf: one result is missing
unwindWritev(frame, 0, 0, buf, null);

// @ts-expect-error a writev callback that expects a string result
const badCbk: WritevCbk = (_f, _c, _x, _r, _e, prebuf: string) => void prebuf;

class Overrider extends DefaultXlator {
  // @ts-expect-error an override must keep the fop's signature (stat takes a Loc)
  override stat(frame: Frame, path: string): void {
    void frame;
    void path;
  }
}

export { badCbk, Overrider };
