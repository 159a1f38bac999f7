import type { CommandRow, ResourceSample, SessionSummary } from '../protocol';
import type { Reader, Writer } from '../store/store';

/** Secrets that look like these are replaced before a command is stored: [pattern, replacement]. */
const DEFAULT_REDACTIONS: readonly [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{8,}/g, '***'],
  [/\b(?:ghp_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, '***'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '***'],
  [/((?:password|passwd|token|secret|api[_-]?key)\s*[=:]\s*)(?:"[^"]*"|'[^']*'|\S+)/gi, '$1***'],
  [/(Authorization:\s*(?:Bearer|Basic)\s+)\S+/gi, '$1***'],
];

/** The command text as stored: common secret shapes and the configured patterns replaced by `***`. */
export function redact(command: string, extra: readonly RegExp[] = []): string {
  let text = command;
  for (const [pattern, replacement] of [...DEFAULT_REDACTIONS, ...extra.map((p): [RegExp, string] => [p, '***'])]) {
    text = text.replace(pattern, replacement);
  }
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

export function recordCommand(
  w: Writer,
  row: { sessionId: string; user: string; command: string; startedAt: string; durationMs: number; exitCode: number; timedOut: boolean; bytesOut: number },
): void {
  w.run('INSERT INTO commands (session_id, user, command, started_at, duration_ms, exit_code, timed_out, bytes_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    row.sessionId,
    row.user,
    row.command,
    row.startedAt,
    Math.round(row.durationMs * 1000) / 1000,
    row.exitCode,
    row.timedOut ? 1 : 0,
    row.bytesOut,
  ]);
}

export function recordSample(w: Writer, sessionId: string, at: string, sample: { cpuPercent: number; memoryBytes: number; pids: number }): void {
  w.run('INSERT INTO resource_samples (session_id, at, cpu_percent, memory_bytes, pids) VALUES (?, ?, ?, ?, ?)', [
    sessionId,
    at,
    Math.round(sample.cpuPercent * 100) / 100,
    sample.memoryBytes,
    sample.pids,
  ]);
}

/** Deletes samples and command rows older than `before` (retention). */
export function prune(w: Writer, before: string): void {
  w.run('DELETE FROM resource_samples WHERE at < ?', [before]);
  w.run('DELETE FROM commands WHERE started_at < ?', [before]);
}

export function summarize(r: Reader, sessionId: string): SessionSummary {
  const durations = r.all<{ duration_ms: number }>('SELECT duration_ms FROM commands WHERE session_id = ? ORDER BY duration_ms', [sessionId]).map((row) => row.duration_ms);
  const errors = r.get<{ n: number }>('SELECT count(*) AS n FROM commands WHERE session_id = ? AND (exit_code != 0 OR timed_out = 1)', [sessionId])?.n ?? 0;
  const peaks = r.get<{ mem: number | null; cpu: number | null }>('SELECT max(memory_bytes) AS mem, max(cpu_percent) AS cpu FROM resource_samples WHERE session_id = ?', [
    sessionId,
  ]);
  const at = (p: number): number | null => (durations.length === 0 ? null : durations[Math.min(durations.length - 1, Math.ceil((p / 100) * durations.length) - 1)]!);
  return {
    commands: durations.length,
    errorRate: durations.length === 0 ? 0 : errors / durations.length,
    p50Ms: at(50),
    p95Ms: at(95),
    peakMemoryBytes: peaks?.mem ?? null,
    peakCpuPercent: peaks?.cpu ?? null,
  };
}

export function metrics(r: Reader, sessionId: string, since = ''): { commands: CommandRow[]; samples: ResourceSample[] } {
  return {
    commands: r
      .all<{ command: string; started_at: string; duration_ms: number; exit_code: number; timed_out: number; bytes_out: number }>(
        'SELECT command, started_at, duration_ms, exit_code, timed_out, bytes_out FROM commands WHERE session_id = ? AND started_at >= ? ORDER BY id',
        [sessionId, since],
      )
      .map((c) => ({ command: c.command, startedAt: c.started_at, durationMs: c.duration_ms, exitCode: c.exit_code, timedOut: c.timed_out === 1, bytesOut: c.bytes_out })),
    samples: r
      .all<{ at: string; cpu_percent: number; memory_bytes: number; pids: number }>(
        'SELECT at, cpu_percent, memory_bytes, pids FROM resource_samples WHERE session_id = ? AND at >= ? ORDER BY at',
        [sessionId, since],
      )
      .map((s) => ({ at: s.at, cpuPercent: s.cpu_percent, memoryBytes: s.memory_bytes, pids: s.pids })),
  };
}
