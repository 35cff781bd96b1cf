// The table of calls waiting for replies: a slot per xid modulo its size, a map for calls whose
// slot is still taken. Many more calls than slots, answered out of order, each found exactly once.
import { expect, it } from 'vitest';
import { type Pending, PendingCalls } from '../../runtime/rpc/connection.js';

const call = (xid: number): Pending => ({ xid, cb: () => {}, sentAt: 0, what: `call ${xid}` });

it('finds every waiting call by xid once, whether it sits in a slot or overflowed', () => {
  const pending = new PendingCalls();
  const xids = Array.from({ length: 3000 }, (_, i) => i + 1);
  for (const xid of xids) pending.add(call(xid));
  expect(pending.size).toBe(3000);
  expect(pending.all().map((p) => p.xid).sort((a, b) => a - b)).toEqual(xids);
  // Answer every third call, newest first, then the rest oldest first.
  const first = xids.filter((x) => x % 3 === 0).reverse();
  for (const xid of first) expect(pending.take(xid)?.xid).toBe(xid);
  for (const xid of first) expect(pending.take(xid)).toBeUndefined();
  expect(pending.size).toBe(2000);
  // A slot freed by an answer takes a new call again.
  pending.add(call(3003));
  expect(pending.take(3003)?.xid).toBe(3003);
  for (const xid of xids.filter((x) => x % 3 !== 0)) expect(pending.take(xid)?.xid).toBe(xid);
  expect(pending.size).toBe(0);
  expect(pending.all()).toEqual([]);
  expect(pending.take(1)).toBeUndefined();
  // A lost connection takes every waiting call at once, slotted or overflowed.
  for (const xid of [5, 5 + 1024, 9]) pending.add(call(xid));
  expect(pending.takeAll().map((p) => p.xid).sort((a, b) => a - b)).toEqual([5, 9, 1029]);
  expect([pending.size, pending.all().length, pending.take(9)]).toEqual([0, 0, undefined]);
});
