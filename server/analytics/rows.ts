/** One priced model call as analytics sees it (replayed calls are left out: nothing was spent). */
export interface CallFact {
  /** ISO time. */
  at: string;
  user: string;
  provider: string;
  model: string;
  sessionId: string | null;
  task: string | null;
  persona: string | null;
  /** Null: Corral's own call; otherwise the tool it was imported from (`claude-code`, `codex`). */
  source: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Null: no price known for the model (counted as unpriced, never as 0). */
  costUsd: number | null;
}

/** One command run in a jail. */
export interface CommandFact {
  at: string;
  user: string;
  sessionId: string;
  command: string;
  failed: boolean;
}

/** One resource sample of a session's container. */
export interface SampleFact {
  sessionId: string;
  user: string;
  at: string;
  /** 100 = one CPU busy for the whole sampling interval. */
  cpuPercent: number;
  memoryBytes: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The UTC hour an ISO time falls in, as `YYYY-MM-DDTHH`. */
export function hourOf(at: string): string {
  return at.slice(0, 13);
}

/** Days in the UTC month `YYYY-MM`. */
export function daysInMonth(month: string): number {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m, 0)).getUTCDate();
}

/** `YYYY-MM` of the month before. */
export function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m - 2, 1)).toISOString().slice(0, 7);
}
