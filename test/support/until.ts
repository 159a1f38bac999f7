import { setTimeout as pause } from 'node:timers/promises';

export interface UntilOptions {
  /** How long the condition may take before the test fails (default 10 s). */
  timeoutMs?: number;
  /** How often it is checked (default 10 ms). */
  everyMs?: number;
  /** What was awaited, for the failure's message. */
  what?: string;
}

/**
 * Waits until `check` returns a value other than undefined, null or false, and returns it; fails
 * with `what` when the deadline passes first. For conditions no event announces (a file written
 * by another process, a container's state): where an event exists, await the event instead. The
 * deadline only bounds a failure, so nothing here depends on how fast the machine is.
 */
export async function until<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: UntilOptions = {}): Promise<T> {
  const deadline = performance.now() + (options.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = undefined;
    } catch (error) {
      // A check may throw while the thing it looks at is not there yet; the last error is reported.
      last = error;
    }
    if (performance.now() > deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.what ?? 'a condition'}${reason}`);
    }
    await pause(options.everyMs ?? 10);
  }
}
