import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Held by the one daemon of a Corral home. */
export interface DaemonLock {
  release(): void;
}

export class LockHeldError extends Error {
  constructor(readonly pid: number) {
    super(`another corral daemon (pid ${pid}) already serves this home`);
    this.name = 'LockHeldError';
  }
}

export interface LockOptions {
  /** Whether `pid` is a live corral daemon; injectable for tests. */
  isDaemonAlive?: (pid: number) => boolean;
  /** A takeover mutex older than this is abandoned (its holder died mid-takeover). */
  takeoverStaleMs?: number;
}

/**
 * Single-instance lock: a file created with O_EXCL holding the owner's pid. A lock whose pid is
 * not a live corral daemon is stale and is taken over. The takeover itself runs under a second
 * mutex (an exclusive `mkdir`), and re-reads the lock inside it, so two starters racing over one
 * stale lock cannot both delete it: exactly one daemon ends up holding it.
 */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<DaemonLock> {
  const alive = options.isDaemonAlive ?? isCorralDaemon;
  for (let attempt = 0; attempt < 200; attempt++) {
    if (tryCreate(lockPath)) return { release: () => releaseLock(lockPath) };
    const owner = readOwner(lockPath);
    if (owner === 'missing') continue;
    if (owner === 'partial') {
      // Being written by a starter right now: give it a moment.
      await sleep(5);
      if (readOwner(lockPath) !== 'partial') continue;
    } else if (alive(owner)) {
      throw new LockHeldError(owner);
    }
    await takeOver(lockPath, owner, options.takeoverStaleMs ?? 5000);
  }
  throw new Error(`could not take the daemon lock ${lockPath}; remove it if no corral daemon runs`);
}

function tryCreate(lockPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${process.pid}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The pid in the lock, `missing` if there is no lock, `partial` if it has no complete line yet. */
function readOwner(lockPath: string): number | 'missing' | 'partial' {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  const match = /^(\d+)\n/.exec(text);
  return match ? Number(match[1]) : 'partial';
}

async function takeOver(lockPath: string, staleOwner: number | 'partial', staleMs: number): Promise<void> {
  const mutex = `${lockPath}.takeover`;
  try {
    fs.mkdirSync(mutex, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (statTime(mutex) ?? Date.now());
    if (age > staleMs) fs.rmSync(mutex, { recursive: true, force: true });
    else await sleep(5);
    return;
  }
  try {
    // Still the same stale owner? Then nobody else has replaced it: remove it.
    if (readOwner(lockPath) === staleOwner) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(mutex, { recursive: true, force: true });
  }
}

function statTime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function releaseLock(lockPath: string): void {
  if (readOwner(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
}

/**
 * A pid is a live corral daemon if the process exists and, where /proc tells, runs the daemon
 * entry: a recycled pid of an unrelated process does not hold the lock.
 */
export function isCorralDaemon(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /server\.(js|ts)/.test(cmdline);
  } catch {
    return true;
  }
}
