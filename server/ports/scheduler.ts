/**
 * Timers, injectable beside the clock (clock.ts) so that service tests move time themselves: the
 * fake in test/support/fakeClock.ts runs the timers that fall due as its clock is advanced, in
 * order, with no real waiting.
 */
export interface Scheduler {
  /** Runs `task` once, `ms` from now, unless cancelled first. */
  after(ms: number, task: () => void): Timer;
  /** Runs `task` every `ms` until cancelled. */
  every(ms: number, task: () => void): Timer;
  /** Resolves `ms` from now; at once when `signal` is (or becomes) aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Timer {
  cancel(): void;
}

/**
 * Node's timers. They never keep the process alive: the daemon lives as long as its socket, and
 * a test process must not hang on a retry or a background pass it forgot.
 */
export const systemScheduler: Scheduler = {
  after(ms, task) {
    const timer = setTimeout(task, ms).unref();
    return { cancel: () => clearTimeout(timer) };
  },
  every(ms, task) {
    const timer = setInterval(task, ms).unref();
    return { cancel: () => clearInterval(timer) };
  },
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms).unref();
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};
