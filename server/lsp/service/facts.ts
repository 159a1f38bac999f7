// What only the daemon knows about a board's tasks: its sessions, the agent runs on each task and
// what they cost. The language service takes it as a snapshot; without a daemon it is empty and
// every feature that needs it says nothing rather than guessing.

/** One agent run on a task, as the daemon tells it. */
export interface RunFact {
  runId: string;
  sessionId: string;
  /** null: running now. */
  outcome: string | null;
  steps: number;
  model: string;
  startedAt: string;
  endedAt: string | null;
  /** The run's session's branch, when the session has one. */
  branch: string | null;
  /** The run's own cost when the daemon can tell it (its session ran nothing else), else undefined. */
  costUsd?: number;
}

export interface SessionFact {
  id: string;
  /** ready, busy, paused, stopped, failed, lost, removed. */
  state: string;
}

export interface BoardFacts {
  /** False: no daemon answered; the service shows what the board says only. */
  connected: boolean;
  /** The user the daemon knows this client as. */
  user?: string;
  /** Users the daemon knows (session owners, ledger users). */
  users: string[];
  sessions: Map<string, SessionFact>;
  /** Runs by task id, newest first. */
  runs: Map<string, RunFact[]>;
  /** Ledger cost by task id, in USD. */
  costs: Map<string, number>;
}

export const NO_FACTS: BoardFacts = { connected: false, users: [], sessions: new Map(), runs: new Map(), costs: new Map() };

/** A session that can no longer hold a claim: gone from the daemon, removed, failed or lost. */
export function sessionGone(facts: BoardFacts, sessionId: string): boolean {
  const session = facts.sessions.get(sessionId);
  return session === undefined || session.state === 'removed' || session.state === 'failed' || session.state === 'lost';
}

export function usd(amount: number): string {
  return `$${amount < 0.01 && amount > 0 ? amount.toFixed(4) : amount.toFixed(2)}`;
}
