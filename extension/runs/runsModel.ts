import * as vscode from 'vscode';
import { AgentChanged, AgentList, AgentSteps, type AgentChange, type RunEvent, type RunListEntry, type RunOutcome } from '../../server/protocol';
import type { Connected, Ctx } from '../ctx';
import { describeError } from '../errors';

/** One step of a run as it was watched: the model's turn and the tools it called. */
export interface RunStep {
  step: number;
  text: string;
  /** `durationMs` only for steps watched live (the journal does not keep it). */
  tools: { name: string; arguments: string; ok: boolean; result: string; durationMs?: number }[];
  notes: string[];
  costUsd: number | null;
}

/** A run as the views show it: its latest totals, and the steps seen since VS Code was watching. */
export interface RunView {
  runId: string;
  sessionId: string;
  provider: string;
  model: string;
  goal: string;
  task: string | null;
  startedAt: string;
  endedAt: string | null;
  steps: number;
  /** Input + output tokens so far; null for a run listed before this window watched it (`agent/list` has no totals). */
  tokens: number | null;
  costUsd: number | null;
  outcome: RunOutcome | null;
  summary: string | null;
  error?: { message: string; hint: string };
  /** Steps with what happened in them: seen live, or read from the run's journal (`loadSteps`). */
  watched: RunStep[];
  warnings: string[];
}

/** A running run's journal is read again at most this often. */
const JOURNAL_REREAD_MS = 5000;

/** Runs listed when a window connects; older ones are in `corral run --list`. */
const LISTED_RUNS = 50;

/**
 * The user's agent runs, whichever client started them: listed on every (re)connection
 * (`agent/list`), then kept live by `agent/changed`. The Runs view, the Sessions view's run
 * children, progress notifications and transcripts all read this one model.
 */
export class RunsModel implements vscode.Disposable {
  private readonly runs = new Map<string, RunView>();
  /** Ended runs whose journal was read: read once. */
  private readonly journalsRead = new Set<string>();
  private readonly journalReadAt = new Map<string, number>();
  private readonly changedEmitter = new vscode.EventEmitter<RunView | undefined>();
  private readonly eventEmitter = new vscode.EventEmitter<{ run: RunView; event: RunEvent | undefined }>();
  /** A run changed (undefined: everything was listed again). */
  readonly onDidChange = this.changedEmitter.event;
  /** Every `agent/changed`, with its event (undefined: the run ended). */
  readonly onDidEvent = this.eventEmitter.event;
  private readonly bag: vscode.Disposable[] = [this.changedEmitter, this.eventEmitter];

  constructor(private readonly ctx: Ctx) {
    this.bag.push(
      ctx.notifications.on(AgentChanged, (change) => this.apply(change)),
      ctx.whenConnected((connected) => void this.resync(connected)),
    );
  }

  /** Newest first. */
  list(): RunView[] {
    return [...this.runs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.runId.localeCompare(b.runId));
  }

  get(runId: string): RunView | undefined {
    return this.runs.get(runId);
  }

  ofSession(sessionId: string): RunView[] {
    return this.list().filter((run) => run.sessionId === sessionId);
  }

  /**
   * Reads the run's journaled steps (`agent/steps`) when this window saw fewer than it has: a run
   * that went on before the window connected, or while it was away. Steps seen live are kept.
   */
  async loadSteps(runId: string): Promise<RunView | undefined> {
    const run = this.runs.get(runId);
    const connection = this.ctx.connection;
    if (!run || !connection || run.watched.length >= run.steps || this.journalsRead.has(runId)) return run;
    // A running run's view is redrawn every second: its journal is read at most every few seconds.
    const last = this.journalReadAt.get(runId) ?? 0;
    if (Date.now() - last < JOURNAL_REREAD_MS) return run;
    this.journalReadAt.set(runId, Date.now());
    try {
      const { steps } = await connection.rpc.sendRequest(AgentSteps, { run: runId });
      // An ended run's journal no longer changes (its finishing step is not journaled: the run's summary is).
      if (run.outcome !== null) this.journalsRead.add(runId);
      for (const step of steps) {
        if (run.watched.some((seen) => seen.step === step.step)) continue;
        run.watched.push({ step: step.step, text: step.text, tools: step.tools, notes: [], costUsd: null });
      }
      run.watched.sort((a, b) => a.step - b.step);
    } catch (error) {
      this.ctx.log.error(`reading the steps of run ${runId} failed: ${describeError(error)}`);
    }
    return run;
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private async resync({ connection }: Connected): Promise<void> {
    try {
      const { runs } = await connection.rpc.sendRequest(AgentList, { limit: LISTED_RUNS });
      for (const entry of runs) this.runs.set(entry.runId, merge(this.runs.get(entry.runId), entry));
      this.changedEmitter.fire(undefined);
    } catch (error) {
      this.ctx.log.error(`listing agent runs failed: ${describeError(error)}`);
    }
  }

  private apply(change: AgentChange): void {
    const run: RunView = this.runs.get(change.runId) ?? { ...fromChange(change), watched: [], warnings: [] };
    Object.assign(run, fromChange(change));
    const event = change.event;
    if (event) record(run, event);
    this.runs.set(run.runId, run);
    this.changedEmitter.fire(run);
    this.eventEmitter.fire({ run, event });
  }
}

function fromChange(change: AgentChange): Omit<RunView, 'watched' | 'warnings'> {
  return {
    runId: change.runId,
    sessionId: change.sessionId,
    provider: change.provider,
    model: change.model,
    goal: change.goal,
    task: change.task,
    startedAt: change.startedAt,
    endedAt: change.endedAt,
    steps: change.steps,
    tokens: change.tokens.inputTokens + change.tokens.outputTokens,
    costUsd: change.costUsd,
    outcome: change.outcome,
    summary: change.summary,
    ...(change.error ? { error: change.error } : {}),
  };
}

/** A listed run keeps what live changes told about it (steps seen, totals). */
function merge(known: RunView | undefined, entry: RunListEntry): RunView {
  return {
    runId: entry.runId,
    sessionId: entry.sessionId,
    provider: entry.provider,
    model: entry.model,
    goal: entry.goal,
    task: entry.task,
    startedAt: entry.startedAt,
    endedAt: entry.endedAt,
    steps: entry.steps,
    tokens: known?.tokens ?? null,
    costUsd: known?.costUsd ?? null,
    outcome: entry.outcome,
    summary: known?.summary ?? null,
    ...(known?.error ? { error: known.error } : {}),
    watched: known?.watched ?? [],
    warnings: known?.warnings ?? [],
  };
}

function stepOf(run: RunView, step: number): RunStep {
  let entry = run.watched.find((s) => s.step === step);
  if (!entry) {
    entry = { step, text: '', tools: [], notes: [], costUsd: null };
    run.watched.push(entry);
    run.watched.sort((a, b) => a.step - b.step);
  }
  return entry;
}

function record(run: RunView, event: RunEvent): void {
  switch (event.kind) {
    case 'model': {
      const step = stepOf(run, event.step);
      step.text = event.text;
      step.costUsd = event.costUsd;
      break;
    }
    case 'tool':
      stepOf(run, event.step).tools.push({ name: event.name, arguments: event.arguments, ok: event.ok, result: event.result, durationMs: event.durationMs });
      break;
    case 'note':
      stepOf(run, event.step).notes.push(event.text);
      break;
    case 'warning':
      run.warnings.push(event.text);
      break;
    case 'started':
    case 'retry':
    case 'checkpoint':
      break;
  }
}
