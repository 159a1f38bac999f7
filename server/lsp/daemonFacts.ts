import { AgentList, AgentRun, SessionList, UsageQuery, type RunSummary } from '../protocol';
import type { DaemonConnection } from '../protocol/client';
import { NO_FACTS, type BoardFacts, type RunFact } from './service/facts';

/** Where the language server learns what only the daemon knows, and asks it to run the agent. */
export interface FactsSource {
  current(): BoardFacts;
  /** Asks the daemon again (at most once per `maxAgeMs`); resolves true when something changed. */
  refresh(maxAgeMs?: number): Promise<boolean>;
  runAgent(board: string, task: string): Promise<RunSummary>;
  dispose(): void;
}

/** Without a daemon: the board alone. */
export const noDaemon: FactsSource = {
  current: () => NO_FACTS,
  refresh: () => Promise.resolve(false),
  runAgent: () => Promise.reject(new Error('no Corral daemon is running: start one with `corral daemon start`, then reopen the board')),
  dispose: () => undefined,
};

/**
 * Facts read from a daemon connection with the methods that exist: `session/list`, `agent/list`
 * (runs carry no cost or branch: a run's branch is its session's, its cost the session's ledger
 * total when the session ran nothing else) and `usage/query` by task and by session.
 */
export class DaemonFacts implements FactsSource {
  private facts: BoardFacts;
  private fetchedAt = 0;
  private pending: Promise<boolean> | undefined;

  constructor(private readonly connection: DaemonConnection) {
    this.facts = { ...NO_FACTS, connected: true, user: connection.hello.identity.user };
  }

  current(): BoardFacts {
    return this.facts;
  }

  refresh(maxAgeMs = 5000): Promise<boolean> {
    if (Date.now() - this.fetchedAt < maxAgeMs) return Promise.resolve(false);
    return (this.pending ??= this.fetch().finally(() => (this.pending = undefined)));
  }

  runAgent(board: string, task: string): Promise<RunSummary> {
    return this.connection.rpc.sendRequest(AgentRun, { board, task });
  }

  dispose(): void {
    this.connection.dispose();
  }

  private async fetch(): Promise<boolean> {
    const rpc = this.connection.rpc;
    const [sessions, list, byTask, bySession] = await Promise.all([
      rpc.sendRequest(SessionList, {}),
      rpc.sendRequest(AgentList, { limit: 1000 }),
      rpc.sendRequest(UsageQuery, { by: 'task', since: '3650d' }),
      rpc.sendRequest(UsageQuery, { by: 'session', since: '3650d' }),
    ]);
    this.fetchedAt = Date.now();
    const sessionCost = new Map(bySession.rows.map((r) => [r.key, r.costUsd]));
    const runsInSession = new Map<string, number>();
    for (const r of list.runs) runsInSession.set(r.sessionId, (runsInSession.get(r.sessionId) ?? 0) + 1);
    const branches = new Map(sessions.map((s) => [s.id, s.branch]));
    const runs = new Map<string, RunFact[]>();
    for (const r of list.runs) {
      if (r.task === null) continue;
      const cost = runsInSession.get(r.sessionId) === 1 ? sessionCost.get(r.sessionId) : undefined;
      const fact: RunFact = {
        runId: r.runId,
        sessionId: r.sessionId,
        outcome: r.outcome,
        steps: r.steps,
        model: r.model,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        branch: branches.get(r.sessionId) ?? null,
        ...(cost === undefined ? {} : { costUsd: cost }),
      };
      const forTask = runs.get(r.task);
      if (forTask) forTask.push(fact);
      else runs.set(r.task, [fact]);
    }
    const users = [...new Set(sessions.map((s) => s.owner))];
    const next: BoardFacts = {
      connected: true,
      user: this.connection.hello.identity.user,
      users,
      sessions: new Map(sessions.map((s) => [s.id, { id: s.id, state: s.state }])),
      runs,
      costs: new Map(byTask.rows.filter((r) => r.key !== '').map((r) => [r.key, r.costUsd])),
    };
    const changed = JSON.stringify(summary(next)) !== JSON.stringify(summary(this.facts));
    this.facts = next;
    return changed;
  }
}

function summary(f: BoardFacts): unknown {
  return [f.users, [...f.sessions.values()], [...f.runs], [...f.costs]];
}
