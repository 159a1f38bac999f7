import * as fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Structured log lines (one JSON object each), to a file the daemon owns. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Whether lines of `level` are kept: lets a caller skip measuring what would be dropped. */
  enabled(level: LogLevel): boolean;
}

function levelled(level: () => LogLevel, write: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void): Logger {
  const enabled = (wanted: LogLevel): boolean => ORDER[wanted] >= ORDER[level()];
  const log = (wanted: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (enabled(wanted)) write(wanted, msg, fields);
  };
  return {
    log,
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    enabled,
  };
}

/** Appends synchronously: a line is on disk before a crash can lose it, and lines are rare. */
export function fileLogger(filePath: string, minLevel: LogLevel = 'info'): Logger {
  const fd = fs.openSync(filePath, 'a', 0o600);
  return levelled(
    () => minLevel,
    (level, msg, fields) => {
      const line = JSON.stringify({ t: new Date().toISOString(), level, pid: process.pid, msg, ...fields });
      fs.writeSync(fd, line + '\n');
    },
  );
}

/** A log kept in memory, for tests; its level can be changed while it is in use (default info). */
export interface MemoryLogger extends Logger {
  lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[];
  minLevel: LogLevel;
}

export function memoryLogger(minLevel: LogLevel = 'info'): MemoryLogger {
  const logger: MemoryLogger = {
    lines: [],
    minLevel,
    ...levelled(
      () => logger.minLevel,
      (level, msg, fields) => logger.lines.push({ level, msg, fields }),
    ),
  };
  return logger;
}
