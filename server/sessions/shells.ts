import { killMarked } from '../jail/kill';
import type { JailPort } from '../jail/port';
import { PersistentShell } from '../jail/shell';
import type { RunningRecord } from './record';

export interface ShellRegistryOptions {
  /** Output kept per stream and command (the rest is counted as truncated). */
  maxKeptBytes: number;
  /** A session's shell ended and was replaced (`exit`, a kill that had to take the whole shell). */
  onRestart(sessionId: string, reason: string): void;
}

/**
 * The persistent shell of each running session (one long-lived exec, made on first use) and the
 * number of its commands in flight, which decides busy ⇄ ready and refuses a pause mid-command.
 * A shell belongs to one container: whoever replaces or removes the container closes it here.
 */
export class ShellRegistry {
  private readonly shells = new Map<string, PersistentShell>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly jail: JailPort,
    private readonly options: ShellRegistryOptions,
  ) {}

  /** The session's shell, started over its container when there is none yet. */
  for(session: RunningRecord): PersistentShell {
    const existing = this.shells.get(session.id);
    if (existing) return existing;
    const { id, containerId } = session;
    const shell = new PersistentShell({
      spawnShell: (env) => this.jail.spawn(containerId, ['sh'], { tty: false, env }),
      kill: (marker, interruptPid) => killMarked(this.jail, containerId, marker, interruptPid),
      onRestart: (reason) => this.options.onRestart(id, reason),
      maxKeptBytes: this.options.maxKeptBytes,
    });
    this.shells.set(id, shell);
    return shell;
  }

  /** A shell that belongs to a container that is gone or restarted must not be reused. */
  close(sessionId: string): void {
    this.shells.get(sessionId)?.close();
    this.shells.delete(sessionId);
  }

  /** Closes every shell (the containers stay; the next daemon adopts them). */
  closeAll(): void {
    for (const id of [...this.shells.keys()]) this.close(id);
  }

  /** A command begins: true when it is the session's only one (the session turns busy). */
  begin(sessionId: string): boolean {
    return this.bump(sessionId, +1) === 1;
  }

  /** A command ended: true when none is left (the session turns ready). */
  end(sessionId: string): boolean {
    return this.bump(sessionId, -1) === 0;
  }

  running(sessionId: string): number {
    return this.inFlight.get(sessionId) ?? 0;
  }

  private bump(sessionId: string, delta: number): number {
    const count = (this.inFlight.get(sessionId) ?? 0) + delta;
    if (count <= 0) this.inFlight.delete(sessionId);
    else this.inFlight.set(sessionId, count);
    return Math.max(count, 0);
  }
}
