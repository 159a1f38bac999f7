import type { Clock } from '../../server/ports/clock';

/** A clock that moves only when the test says (event times, idle pauses, budgets by day). */
export class FakeClock implements Clock {
  private ms: number;

  constructor(start: Date | string = '2026-11-16T10:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }
}
