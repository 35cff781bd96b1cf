// The stack fixture itself: a probe above posix sees exactly the fops that reach the brick.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncop } from '../../generated/syncop.js';
import { overPosix, StackFixture } from '../support/stack.js';

let fx: StackFixture;
beforeAll(async () => {
  fx = await StackFixture.create(overPosix({ name: 'top', type: 'debug/pass-through' }));
});
afterAll(() => fx.close());

it('counts the fops that pass a probe', async () => {
  const { loc } = await fx.create('/f', 'hello');
  expect(fx.probe().count('create')).toBe(1);
  expect(fx.probe().count('writev')).toBe(1);
  fx.probe().reset();
  const s = await syncop.stat(fx.top, loc, null);
  expect(s.buf!.size).toBe(5);
  expect(fx.probe().calls).toEqual(['stat']);
});
