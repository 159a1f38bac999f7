import * as fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured log lines (one JSON object each), to a file the daemon owns. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Appends synchronously: a line is on disk before a crash can lose it, and lines are rare. */
export function fileLogger(filePath: string, minLevel: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const fd = fs.openSync(filePath, 'a', 0o600);
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (order[level] < order[minLevel]) return;
    const line = JSON.stringify({ t: new Date().toISOString(), level, pid: process.pid, msg, ...fields });
    fs.writeSync(fd, line + '\n');
  };
  return {
    log,
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

/** For unit tests: keeps lines in memory. */
export function memoryLogger(): Logger & { lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    lines.push({ level, msg, fields });
  };
  return {
    lines,
    log,
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}
