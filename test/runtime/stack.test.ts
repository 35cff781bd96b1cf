// Call-stack semantics through the generated wind/unwind stubs: parent/ret/cookie, tail winds,
// error unwinds, exceptions and rejections failing one call with EIO, double unwinds, call stubs,
// latency stamps and syncop. Small translators are defined here; nothing is mocked.
import { afterEach, describe, expect, it } from 'vitest';
import { type CallStub, stubReadvCbk, stubStat } from '../../generated/call-stubs.js';
import { DefaultXlator, defaultStatResume } from '../../generated/defaults.js';
import { Fop } from '../../generated/fops.js';
import { syncop } from '../../generated/syncop.js';
import { unwindStat, unwindStatError, windStat } from '../../generated/wind.js';
import type { Dict } from '../../runtime/dict.js';
import { Errno } from '../../runtime/errno.js';
import { Iatt } from '../../runtime/iatt.js';
import { InodeTable } from '../../runtime/inode.js';
import { Iobref } from '../../runtime/iobref.js';
import { type Loc, inodeLoc } from '../../runtime/loc.js';
import { processLog } from '../../runtime/log.js';
import { callPool, type Frame } from '../../runtime/stack.js';
import type { Xlator } from '../../runtime/xlator.js';

const table = new InodeTable();
const rootLoc = inodeLoc(table, table.root);

function iatt(size: number): Iatt {
  const ia = new Iatt();
  ia.size = size;
  ia.mode = 0o100644;
  return ia;
}

/** Answers stat with a size of its own, now or on the next turn of the event loop. */
class Leaf extends DefaultXlator {
  frames: Frame[] = [];
  constructor(name: string, readonly size: number, readonly later = false) {
    super(name, 'test/leaf');
  }
  override stat(frame: Frame, _loc: Loc, _xdata: Dict | null): void {
    this.frames.push(frame);
    if (this.later) setImmediate(() => unwindStat(frame, 0, 0, iatt(this.size), null));
    else unwindStat(frame, 0, 0, iatt(this.size), null);
  }
}

function link(parent: Xlator, ...children: Xlator[]): Xlator {
  parent.children = children;
  for (const c of children) c.parents.push(parent);
  return parent;
}

const logged: string[] = [];
const removeSink = processLog.addSink((_level, domain, message) => logged.push(`${domain}: ${message}`));
processLog.toStderr = false;
afterEach(() => {
  logged.length = 0;
  callPool.measureLatency = false;
});

describe('wind and unwind', () => {
  it('winds a new frame whose parent and ret are the caller, and unwinds to the callback with the cookie', async () => {
    const leaf = new Leaf('leaf', 7);
    const seen: Array<{ parentIsCaller: boolean; cookie: unknown; xl: string; size: number | undefined }> = [];
    class Caller extends DefaultXlator {
      override stat(frame: Frame, loc: Loc, xdata: Dict | null): void {
        windStat(frame, function statCbk(parentFrame, cookie, xl, opRet, opErrno, buf, xd) {
          seen.push({ parentIsCaller: parentFrame === frame, cookie, xl: xl.name, size: buf?.size });
          unwindStat(parentFrame, opRet, opErrno, buf, xd);
        }, this.firstChild, loc, xdata, 'my-cookie');
      }
    }
    const caller = link(new Caller('caller', 'test/caller'), leaf);
    const result = await syncop.stat(caller, rootLoc, null);
    expect(result.opRet).toBe(0);
    expect(result.buf?.size).toBe(7);
    expect(seen).toEqual([{ parentIsCaller: true, cookie: 'my-cookie', xl: 'caller', size: 7 }]);
    const leafFrame = leaf.frames[0]!;
    expect(leafFrame.parent?.this).toBe(caller);
    expect(leafFrame.ret?.name).toBe('statCbk');
    expect(leafFrame.op).toBe(Fop.STAT);
    expect(leafFrame.complete).toBe(true);
    expect(leafFrame.windTo).toBe('leaf.stat');
  });

  it('uses the new frame as the cookie when none is given, so a fan-out can tell its children apart', async () => {
    const a = new Leaf('a', 1, true);
    const b = new Leaf('b', 2);
    class FanOut extends DefaultXlator {
      override stat(frame: Frame, loc: Loc, xdata: Dict | null): void {
        const sizes: Record<string, number> = {};
        let pending = this.children.length;
        for (const child of this.children) {
          windStat(frame, (f, cookie, _xl, _ret, _errno, buf) => {
            sizes[(cookie as Frame).this.name] = buf!.size;
            if (--pending === 0) unwindStat(f, 0, 0, iatt(sizes['a']! * 10 + sizes['b']!), null);
          }, child, loc, xdata);
        }
      }
    }
    const fan = link(new FanOut('fan', 'test/fan'), a, b);
    expect((await syncop.stat(fan, rootLoc, null)).buf?.size).toBe(12);
  });

  it('tail-winds through pass-through layers: they vanish from the unwind path', async () => {
    const leaf = new Leaf('leaf', 3);
    const top = link(new DefaultXlator('p1', 'debug/pass-through'), link(new DefaultXlator('p2', 'debug/pass-through'), leaf));
    const r = await syncop.stat(top, rootLoc, null);
    expect(r.buf?.size).toBe(3);
    // One frame only below the stack's first: the pass-through layers reused it.
    expect(leaf.frames[0]!.parent?.this.name).toBe('syncop');
    expect(leaf.frames[0]!.root.frames.length).toBe(1);
  });

  it('answers ENOSYS from a leaf that does not implement a fop', async () => {
    const r = await syncop.readlink(new DefaultXlator('lonely', 'test/leaf'), rootLoc, 100, null);
    expect(r).toEqual({ opRet: -1, opErrno: Errno.ENOSYS, path: null, buf: null, xdata: null });
  });
});

describe('the call pool', () => {
  it('lists live stacks oldest first with their frames in winding order, and forgets each once destroyed', () => {
    const caller = new DefaultXlator('caller', 'test/caller');
    const before = callPool.live.length;
    const [a, b, c] = [1, 2, 3].map(() => callPool.createStack(caller));
    const child = a!.windFrame(new DefaultXlator('x', 'test/x'), Fop.STAT, () => {});
    child.windFrame(new DefaultXlator('y', 'test/y'), Fop.STAT, () => {});
    expect(a!.root.frames.map((f) => f.this.name)).toEqual(['x', 'y']);
    expect(callPool.live.slice(before).map((s) => s.unique)).toEqual([a, b, c].map((f) => f!.root.unique));
    b!.root.destroy();
    expect(callPool.live.slice(before).map((s) => s.unique)).toEqual([a, c].map((f) => f!.root.unique));
    c!.root.destroy();
    c!.root.destroy(); // a second destroy changes nothing
    expect(callPool.live.slice(before).map((s) => s.unique)).toEqual([a!.root.unique]);
    a!.root.destroy();
    expect(callPool.live.length).toBe(before);
  });
});

describe('a translator that misbehaves fails only that call', () => {
  it('a fop that throws unwinds EIO and logs the translator', async () => {
    class Thrower extends DefaultXlator {
      override stat(): void {
        throw new Error('boom');
      }
    }
    const r = await syncop.stat(new Thrower('thrower', 'test/thrower'), rootLoc, null);
    expect(r.opRet).toBe(-1);
    expect(r.opErrno).toBe(Errno.EIO);
    expect(logged.some((l) => l.startsWith('thrower: stat threw; failing that call with EIO: Error: boom'))).toBe(true);
  });

  it('an async fop that rejects unwinds EIO', async () => {
    class Rejecter extends DefaultXlator {
      override async stat(): Promise<void> {
        await Promise.resolve();
        throw new Error('later boom');
      }
    }
    const r = await syncop.stat(new Rejecter('rejecter', 'test/rejecter'), rootLoc, null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EIO]);
    expect(logged.some((l) => l.includes('rejecter: stat threw') && l.includes('later boom'))).toBe(true);
  });

  it('a callback that throws fails the frame it was answering for', async () => {
    class BadCallback extends DefaultXlator {
      override stat(frame: Frame, loc: Loc, xdata: Dict | null): void {
        windStat(frame, function brokenCbk() {
          throw new Error('callback boom');
        }, this.firstChild, loc, xdata);
      }
    }
    const top = link(new BadCallback('bad', 'test/bad'), new Leaf('leaf', 1));
    const r = await syncop.stat(top, rootLoc, null);
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EIO]);
    expect(logged.some((l) => l.startsWith('bad: stat callback brokenCbk threw'))).toBe(true);
  });

  it('a second unwind of the same frame is dropped and logged', async () => {
    class Twice extends DefaultXlator {
      override stat(frame: Frame): void {
        unwindStat(frame, 0, 0, iatt(1), null);
        unwindStatError(frame, Errno.EIO);
      }
    }
    const r = await syncop.stat(new Twice('twice', 'test/twice'), rootLoc, null);
    expect(r.opRet).toBe(0);
    expect(logged.some((l) => l.includes('twice unwound stat twice'))).toBe(true);
  });

  it('records the failing translator and errno on the stack', async () => {
    class Denier extends DefaultXlator {
      override stat(frame: Frame): void {
        unwindStatError(frame, Errno.EACCES);
      }
    }
    const denier = new Denier('denier', 'test/denier');
    let errorXlator: string | undefined;
    const r = await syncop.stat(denier, rootLoc, null, { prepare: (f) => void setImmediate(() => (errorXlator = f.root.errorXlator?.name)) });
    expect([r.opRet, r.opErrno]).toEqual([-1, Errno.EACCES]);
    await new Promise((res) => setImmediate(res));
    expect(errorXlator).toBe('denier');
  });
});

describe('call stubs', () => {
  it('resume a paused call later, or fail it', async () => {
    const queue: CallStub[] = [];
    class Queue extends DefaultXlator {
      override stat(frame: Frame, loc: Loc, xdata: Dict | null): void {
        queue.push(stubStat(frame, defaultStatResume, loc, xdata));
      }
    }
    const top = link(new Queue('queue', 'test/queue'), new Leaf('leaf', 5));
    const first = syncop.stat(top, rootLoc, null);
    const second = syncop.stat(top, rootLoc, null);
    await new Promise((res) => setImmediate(res));
    expect(queue.length).toBe(2);
    queue[0]!.resume();
    queue[1]!.unwindError(Errno.EAGAIN);
    expect((await first).buf?.size).toBe(5);
    expect([(await second).opRet, (await second).opErrno]).toEqual([-1, Errno.EAGAIN]);
  });

  it('a paused answer keeps its iobref referenced until it is resumed or failed, and lets go once', () => {
    let released = 0;
    const lent = () => new Iobref(() => released++).add(Buffer.from('data'));
    const frame = callPool.createStack(new Leaf('caller', 0), { uid: 0, gid: 0, pid: 1, groups: [] }, Fop.READ);
    const answered: number[] = [];
    const cbk = (_f: Frame, _c: unknown, _x: Xlator, opRet: number) => void answered.push(opRet);
    for (const finish of [(s: CallStub) => s.resume(), (s: CallStub) => s.unwindError(Errno.EIO)]) {
      released = 0;
      const iobref = lent();
      const stub = stubReadvCbk(frame, cbk, 4, 0, iobref.buffers, 1, null, iobref, null);
      iobref.unref(); // the answering translator is done with it; the stub still holds it
      expect(released).toBe(0);
      finish(stub);
      expect(released).toBe(1);
      stub.resume(); // a second ending must not drop someone else's reference
      expect(released).toBe(1);
    }
    expect(answered[0]).toBe(4);
  });
});

describe('latency', () => {
  it('stamps begin and end only while measurement is on', async () => {
    const off = new Leaf('off', 1, true);
    await syncop.stat(link(new DefaultXlator('t', 'x'), off), rootLoc, null);
    expect(off.frames[0]!.latency).toBe(0n);

    callPool.measureLatency = true;
    const on = new Leaf('on', 1, true);
    class Winder extends DefaultXlator {
      override stat(frame: Frame, loc: Loc, xdata: Dict | null): void {
        windStat(frame, (f, _c, _x, opRet, opErrno, buf, xd) => unwindStat(f, opRet, opErrno, buf, xd), this.firstChild, loc, xdata);
      }
    }
    await syncop.stat(link(new Winder('w', 'x'), on), rootLoc, null);
    expect(on.frames[0]!.latency > 0n).toBe(true);
  });
});

process.on('exit', removeSink);
