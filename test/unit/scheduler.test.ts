import * as assert from 'node:assert/strict';
import { systemScheduler } from '../../server/ports/scheduler';
import { FakeClock } from '../support/fakeClock';

/** The scheduler port: the fake the harness uses (driven by its clock) and Node's. */
describe('scheduler port', () => {
  describe('the fake clock', () => {
    it('runs the timers due on the way, in order of due time, each at its own moment', () => {
      const clock = new FakeClock('2026-01-01T00:00:00.000Z');
      const ran: [string, string][] = [];
      const at = (name: string) => () => void ran.push([name, clock.now().toISOString().slice(11, 23)]);
      clock.after(300, at('c'));
      clock.after(100, at('a'));
      clock.after(100, at('b')); // same moment as `a`: after it, in the order set
      clock.after(1000, at('late'));
      clock.advance(299);
      assert.deepEqual(ran, [
        ['a', '00:00:00.100'],
        ['b', '00:00:00.100'],
      ]);
      clock.advance(1);
      assert.deepEqual(ran.at(-1), ['c', '00:00:00.300']);
      assert.equal(clock.now().toISOString(), '2026-01-01T00:00:00.300Z');
      assert.equal(clock.timers, 1);
    });

    it('repeats `every` until cancelled, runs a timer set by a task within the same advance, never a cancelled one', () => {
      const clock = new FakeClock();
      let ticks = 0;
      const nested: number[] = [];
      const start = clock.now().getTime();
      const every = clock.every(60, () => {
        ticks++;
        if (ticks === 1) clock.after(30, () => nested.push(clock.now().getTime() - start));
      });
      const cancelled = clock.after(10, () => assert.fail('a cancelled timer ran'));
      cancelled.cancel();
      clock.advance(200);
      assert.equal(ticks, 3, 'at 60, 120 and 180');
      assert.deepEqual(nested, [90]);
      every.cancel();
      clock.advance(1000);
      assert.equal(ticks, 3);
      assert.equal(clock.timers, 0);
    });

    it('sleep resolves when the clock passes it, or at once when aborted', async () => {
      const clock = new FakeClock();
      let woke = false;
      const sleeping = clock.sleep(5000).then(() => (woke = true));
      clock.advance(4999);
      await Promise.resolve();
      assert.equal(woke, false);
      clock.advance(1);
      await sleeping;
      assert.equal(woke, true);

      const controller = new AbortController();
      const aborted = clock.sleep(60_000, controller.signal);
      controller.abort();
      await aborted;
      assert.equal(clock.timers, 0, 'the aborted sleep left no timer');
    });
  });

  describe("Node's timers", () => {
    it('runs `after` and `every`, not a cancelled one, and sleep ends early on abort', async () => {
      let cancelledRan = false;
      systemScheduler.after(1, () => (cancelledRan = true)).cancel();
      let ticks = 0;
      await new Promise<void>((resolve) => {
        const every = systemScheduler.every(1, () => {
          if (++ticks === 3) {
            every.cancel();
            resolve();
          }
        });
      });
      await new Promise<void>((resolve) => systemScheduler.after(5, resolve));
      assert.equal(ticks, 3);
      assert.equal(cancelledRan, false);
      const controller = new AbortController();
      // An hour-long sleep: the test would time out unless the abort ends it.
      const sleeping = systemScheduler.sleep(3_600_000, controller.signal);
      controller.abort();
      await sleeping;
    });
  });
});
