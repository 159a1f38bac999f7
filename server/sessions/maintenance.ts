import { describeError } from '../errors';
import type { Logger } from '../log';
import type { Clock } from '../ports/clock';
import type { Scheduler, Timer } from '../ports/scheduler';
import type { JailPort } from '../jail/port';
import type { Store } from '../store/store';
import { prune, recordSample } from './instrumentation';
import { reconcile } from './reconcile';
import type { SessionService } from './service';
import { POOL_OWNER } from './warmPool';

export interface MaintenanceOptions {
  home: string;
  worktrees: string;
  trusted: string;
  /** How often the loop runs. */
  intervalMs: number;
  /** Ready sessions idle this long are paused; 0 turns idle pausing off. */
  idlePauseMs: number;
  /** Samples and command rows older than this are deleted. */
  retentionMs: number;
}

/**
 * The daemon's background loop: resource samples for running sessions, idle pausing, retention,
 * and reconciliation with the engine (which notices an engine restart within one interval).
 */
export class Maintenance {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sessions: SessionService,
    private readonly jail: JailPort,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: MaintenanceOptions,
    /** Runs the pass every `intervalMs` (Node's timers; the harness's fake clock as it is advanced). */
    private readonly scheduler: Scheduler,
  ) {}

  start(): void {
    this.timer = this.scheduler.every(this.options.intervalMs, () => void this.tick());
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    await this.running;
  }

  /** One pass; also called directly by tests. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      await reconcile(this.sessions, this.jail, this.options, this.logger, false);
      const now = this.clock.now();
      for (const row of this.sessions.all()) {
        if ((row.state !== 'ready' && row.state !== 'busy') || row.owner === POOL_OWNER) continue;
        // A container that went away since reconciliation is the next pass's to notice.
        const stats = await this.jail
          .stats(row.containerId)
          .catch((error: unknown) => this.logger.log('debug', 'no resource sample', { session: row.id, error: describeError(error) }));
        if (stats) await this.store.write((w) => recordSample(w, row.id, now.toISOString(), stats));
        const idleSince = Date.parse(row.lastActiveAt ?? row.updatedAt);
        if (this.options.idlePauseMs > 0 && row.state === 'ready' && now.getTime() - idleSince >= this.options.idlePauseMs) {
          await this.sessions.pause(row.owner, row.id, 'idle').catch((error: unknown) => this.logger.warn('idle pause failed', { session: row.id, error: describeError(error) }));
        }
      }
      await this.store.write((w) => prune(w, new Date(now.getTime() - this.options.retentionMs).toISOString()));
    } catch (error) {
      this.logger.error('maintenance pass failed', { error: describeError(error) });
    }
  }
}
