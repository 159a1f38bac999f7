import type { RunEvent, RunSummary } from '../protocol';
import { AgentChanged, type AgentChange } from '../protocol/agentEvents';
import type { Store } from '../store/store';
import { ledgerTotals, runRow } from './runJournal';

/** Who hears a run's changes: every connection of its owner (the daemon's `broadcast`). */
export type Announce = (user: string, method: string, params: unknown) => void;

type Emit = (runId: string, event: RunEvent) => void;

/**
 * Broadcasts `agent/changed` for every event of a run and once at its end, so a run started by
 * one client shows live in all of its owner's clients. The run's totals come from the store (the
 * run's row and its ledger rows), not from the run itself: the feed sits outside the agent loop.
 */
export class RunFeed {
  private readonly live = new Map<string, AgentChange>();

  constructor(
    private readonly store: Store,
    private readonly announce: Announce,
    private readonly now: () => Date,
  ) {}

  /**
   * Runs `start` with an emitter that tells the caller (`toCaller`, its `agent/progress`) and then
   * everyone; announces the end from the run's summary, or an error outcome if it threw.
   */
  async follow(user: string, toCaller: Emit, start: (emit: Emit) => Promise<RunSummary>): Promise<RunSummary> {
    let runId: string | undefined;
    const emit: Emit = (id, event) => {
      runId = id;
      toCaller(id, event);
      this.event(user, id, event);
    };
    try {
      const summary = await start(emit);
      this.ended(user, summary);
      return summary;
    } catch (error) {
      if (runId !== undefined) this.failed(user, runId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private event(user: string, runId: string, event: RunEvent): void {
    let change = this.live.get(runId) ?? this.fromStore(runId);
    if (change === undefined) return;
    if (event.kind === 'checkpoint') change = { ...change, steps: Math.max(change.steps, event.step) };
    // A model call was just written to the ledger: the run's totals moved.
    if (event.kind === 'model') change = { ...change, ...this.totals(runId) };
    this.live.set(runId, change);
    this.announce(user, AgentChanged.method, { ...change, event } satisfies AgentChange);
  }

  private ended(user: string, summary: RunSummary): void {
    const change = this.live.get(summary.runId) ?? this.fromStore(summary.runId);
    this.live.delete(summary.runId);
    if (change === undefined) return;
    this.announce(user, AgentChanged.method, {
      ...change,
      steps: summary.steps,
      tokens: summary.tokens,
      costUsd: summary.costUsd,
      outcome: summary.outcome,
      summary: summary.summary,
      endedAt: summary.endedAt,
      ...(summary.error ? { error: summary.error } : {}),
    } satisfies AgentChange);
  }

  private failed(user: string, runId: string, message: string): void {
    const change = this.live.get(runId) ?? this.fromStore(runId);
    this.live.delete(runId);
    if (change === undefined) return;
    this.announce(user, AgentChanged.method, { ...change, outcome: 'error', summary: message, endedAt: this.now().toISOString() } satisfies AgentChange);
  }

  /** The run as its row says; a resumed run starts from the steps and calls it had. */
  private fromStore(runId: string): AgentChange | undefined {
    const row = this.store.read((r) => runRow(r, runId));
    if (row === undefined) return undefined;
    return {
      runId,
      sessionId: row.session_id,
      provider: row.provider,
      model: row.model,
      goal: row.goal.slice(0, 300),
      task: row.task,
      startedAt: row.started_at,
      endedAt: null,
      steps: row.steps,
      ...this.totals(runId),
      outcome: null,
      summary: null,
    };
  }

  private totals(runId: string): Pick<AgentChange, 'tokens' | 'costUsd'> {
    const totals = this.store.read((r) => ledgerTotals(r, runId));
    return { tokens: totals.tokens, costUsd: totals.pricedCalls === 0 && totals.unpricedCalls > 0 ? null : totals.costUsd };
  }
}

/** `feed.follow`, or the run as it is when no feed is composed (tests that build the router alone). */
export function followRun(feed: RunFeed | undefined, user: string, toCaller: Emit, start: (emit: Emit) => Promise<RunSummary>): Promise<RunSummary> {
  return feed ? feed.follow(user, toCaller, start) : start(toCaller);
}
