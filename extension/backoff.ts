/**
 * Delay before reconnect attempt `attempt` (0-based): 250 ms doubling to 8 s, with ±20 % jitter so
 * several windows of one user do not hit a restarting daemon in the same millisecond.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(8000, 250 * 2 ** Math.max(0, Math.min(attempt, 10)));
  return Math.round(base * (0.8 + 0.4 * random()));
}
