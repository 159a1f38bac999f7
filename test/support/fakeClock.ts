import type { Clock } from '../../server/ports/clock';
import type { Scheduler, Timer } from '../../server/ports/scheduler';

interface Pending {
  due: number;
  /** Order of scheduling: timers due at the same moment run in the order they were set. */
  seq: number;
  every: number | undefined;
  task: () => void;
}

/**
 * A clock that moves only when the test says (event times, idle pauses, budgets by day), and the
 * scheduler of the same time: `advance(ms)` runs every timer that falls due on the way, in order
 * of due time, with `now()` set to each one's moment as it runs (a timer set by a task runs too
 * if it falls due before the end). Nothing waits for real time.
 */
export class FakeClock implements Clock, Scheduler {
  private ms: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(start: Date | string = '2026-11-16T10:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** Moves time forward by `ms`, running the timers due on the way; returns the new now. */
  advance(ms: number): Date {
    const end = this.ms + ms;
    for (let next = this.nextDue(end); next !== undefined; next = this.nextDue(end)) {
      this.ms = Math.max(this.ms, next.due);
      if (next.every === undefined) this.pending.delete(next);
      else {
        next.due += next.every;
        next.seq = this.seq++;
      }
      next.task();
    }
    this.ms = end;
    return this.now();
  }

  /** Timers not yet run (an `every` counts until cancelled). */
  get timers(): number {
    return this.pending.size;
  }

  /** How long from now each pending timer falls due, soonest first (a repeating one: its next run). */
  dueIn(): number[] {
    return [...this.pending].map((entry) => entry.due - this.ms).sort((a, b) => a - b);
  }

  after(ms: number, task: () => void): Timer {
    return this.add(ms, undefined, task);
  }

  every(ms: number, task: () => void): Timer {
    // A zero interval would make `advance` spin forever.
    return this.add(ms, Math.max(1, ms), task);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = this.after(ms, () => {
        signal?.removeEventListener('abort', stop);
        resolve();
      });
      const stop = (): void => {
        timer.cancel();
        resolve();
      };
      signal?.addEventListener('abort', stop, { once: true });
    });
  }

  private add(ms: number, every: number | undefined, task: () => void): Timer {
    const entry: Pending = { due: this.ms + Math.max(0, ms), seq: this.seq++, every, task };
    this.pending.add(entry);
    return { cancel: () => void this.pending.delete(entry) };
  }

  private nextDue(end: number): Pending | undefined {
    let next: Pending | undefined;
    for (const entry of this.pending) {
      if (entry.due > end) continue;
      if (next === undefined || entry.due < next.due || (entry.due === next.due && entry.seq < next.seq)) next = entry;
    }
    return next;
  }
}
