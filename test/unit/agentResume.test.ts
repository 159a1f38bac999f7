import * as assert from 'node:assert/strict';
import { runLoop, type LoopDeps, type LoopOptions } from '../../server/agent/loop';
import { claimInterrupted, interruptOrphans, journalStep, ledgerTotals, listRuns, loadHistory, skipReplayedTurns } from '../../server/agent/runJournal';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appendEntry } from '../../server/ledger/ledger';
import { RecordingProvider, ReplayProvider } from '../../server/llm/replay';
import { memoryLogger } from '../../server/log';
import type { LlmPort, Message, ModelRequest, ModelTurn, ToolCall } from '../../server/llm/types';
import { homePaths } from '../../server/protocol/paths';
import { Store, type StoreOptions } from '../../server/store/store';
import { tempHome } from '../support/home';

/**
 * The run journal on a real store (sql.js files, journal, reopen as after a SIGKILL) and the real
 * loop with a scripted model port: what is saved per step, and that a resume sends the model the
 * conversation the completed steps left and never one of their calls again.
 */

function storeOptions(home: string): StoreOptions {
  const paths = homePaths(home);
  return { dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() };
}

/** A model that answers from a script (from turn `from`) and keeps every request it got (messages copied). */
function scriptedModel(turns: { text?: string; calls?: string[] }[], from = 0): LlmPort & { requests: Message[][] } {
  const requests: Message[][] = [];
  let next = from;
  return {
    provider: 'scripted',
    replay: false,
    requests,
    complete(request: ModelRequest): Promise<ModelTurn> {
      requests.push(structuredClone(request.messages));
      const turn = turns[next++];
      if (turn === undefined) return Promise.reject(new Error(`no turn ${next}`));
      const toolCalls: ToolCall[] = (turn.calls ?? []).map((name, i) => ({ id: `c${next}-${i}`, name, arguments: name === 'finish' ? '{"summary":"done"}' : `{"n":${next}}` }));
      return Promise.resolve({
        text: turn.text ?? '',
        toolCalls,
        stopReason: toolCalls.length ? 'tool_use' : 'end',
        usage: { inputTokens: 100 * next, outputTokens: next, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        model: 'm',
      });
    },
  };
}

const SCRIPT = [{ text: 'one', calls: ['shell'] }, { text: 'two', calls: ['shell', 'read_file'] }, { text: 'three', calls: ['shell'] }, { calls: ['finish'] }];

function loopDeps(llm: LlmPort, store: Store, runId: string, hooks: { afterCheckpoint?: (step: number) => void } = {}): LoopDeps & { ledgerCalls: number } {
  const deps = {
    ledgerCalls: 0,
    llm,
    // Tool results say which call they answer, so a resumed conversation can be checked to the byte.
    tools: {
      run: (call: ToolCall) =>
        Promise.resolve({ result: { id: call.id, content: `ran ${call.name} ${call.arguments}`, isError: false }, ...(call.name === 'finish' ? { finished: 'done' } : {}) }),
    },
    beforeCall: () => Promise.resolve({ ok: true as const }),
    account: async (_request: ModelRequest, turn: ModelTurn | null) => {
      deps.ledgerCalls++;
      await store.write((w) =>
        appendEntry(w, {
          at: new Date(0),
          user: 'u',
          sessionId: 's',
          runId,
          task: null,
          persona: null,
          provider: 'p',
          model: 'm',
          usage: turn!.usage!,
          costUsd: 0.001,
          priceVersion: 'v',
          latencyMs: 1,
          outcome: 'ok',
          estimated: false,
          replay: false,
        }),
      );
      return { costUsd: 0.001, estimated: false };
    },
    emit: () => undefined,
    now: () => 0,
    checkpoint: async (step: number, added: Message[]) => {
      await store.write((w) => journalStep(w, runId, step, new Date(0).toISOString(), added));
      hooks.afterCheckpoint?.(step);
    },
  };
  return deps;
}

const options = (signal: AbortSignal, extra: Partial<LoopOptions> = {}): LoopOptions => ({
  goal: 'the goal',
  model: 'm',
  maxSteps: 10,
  deadline: 60_000,
  maxTokens: 100,
  signal,
  ...extra,
});

async function insertRun(store: Store, id: string, user = 'u'): Promise<void> {
  await store.write((w) =>
    w.run(
      "INSERT INTO agent_runs (id, user, session_id, provider, model, goal, steps, started_at, replay, params) VALUES (?, ?, 's', 'p', 'm', 'the goal', 0, ?, 0, '{\"goal\":\"the goal\"}')",
      [id, user, `2026-01-0${id.length}T00:00:00.000Z`],
    ),
  );
}

describe('agent runs survive the daemon: the run journal and resuming the loop', function () {
  this.timeout(20_000);
  let home: ReturnType<typeof tempHome>;
  const open: Store[] = [];
  beforeEach(() => (home = tempHome('resume')));
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close().catch(() => undefined);
    home.cleanup();
  });
  const openStore = async (): Promise<Store> => {
    const store = await Store.open(storeOptions(home.home));
    open.push(store);
    return store;
  };

  it('journals each completed step once; after a reopen a resume sends the conversation the steps left, never their calls again', async () => {
    // The uninterrupted run, for what its model calls should have been.
    const whole = scriptedModel(SCRIPT);
    const reference = await openStore();
    await insertRun(reference, 'ref');
    const full = await runLoop(loopDeps(whole, reference, 'ref'), options(new AbortController().signal));
    assert.equal(full.outcome, 'finished');
    assert.equal(whole.requests.length, 4);
    // The finishing step is kept by the run's outcome, not the journal.
    assert.deepEqual(
      reference.read((r) => r.all('SELECT step FROM agent_run_steps WHERE run_id = ? ORDER BY step', ['ref'])).map((row) => row.step),
      [1, 2, 3],
    );

    // The same run, "killed" once step 2 is saved (the store is left open, as SIGKILL leaves it).
    const store = await openStore();
    await insertRun(store, 'run1');
    const kill = new AbortController();
    const first = scriptedModel(SCRIPT);
    const deps = loopDeps(first, store, 'run1', { afterCheckpoint: (step) => step === 2 && kill.abort() });
    const interrupted = await runLoop(deps, options(kill.signal));
    assert.equal(interrupted.steps, 2);
    assert.equal(first.requests.length, 2);

    const after = await Store.open(storeOptions(home.home));
    open.push(after);
    assert.equal(await after.write((w) => interruptOrphans(w, new Date(0).toISOString())), 2, 'both runs without an outcome are interrupted');
    assert.deepEqual(
      listRuns(
        after.read((r) => r),
        'u',
        { outcome: 'interrupted' },
      ).map((r) => [r.runId, r.steps]),
      [
        ['run1', 2],
        ['ref', 3],
      ],
    );
    const history = after.read((r) => loadHistory(r, 'run1'));
    assert.equal(history.steps, 2);
    assert.equal(history.messages.length, 4);

    const rest = scriptedModel(SCRIPT, 2);
    const steps: number[] = [];
    const resumedDeps = { ...loopDeps(rest, after, 'run1'), emit: (e: { kind: string; step?: number }) => void (e.kind === 'model' && steps.push(e.step!)) };
    const resumed = await runLoop(resumedDeps, options(new AbortController().signal, { history }));
    assert.equal(resumed.outcome, 'finished');
    assert.equal(resumed.steps, 4);
    assert.deepEqual(steps, [3, 4], 'numbering goes on after the completed steps');
    // Step 3 of the resume was sent exactly what step 3 of the uninterrupted run was sent.
    assert.deepEqual(rest.requests, whole.requests.slice(2));
    // Each call is in the ledger once: 2 before the kill, 2 after; the totals are their sums.
    const totals = after.read((r) => ledgerTotals(r, 'run1'));
    assert.equal(totals.tokens.calls, 4);
    assert.equal(totals.tokens.inputTokens, 100 + 200 + 300 + 400);
    assert.equal(totals.pricedCalls, 4);
  });

  it('limits count the completed steps: a resumed run stops at maxSteps overall', async () => {
    const store = await openStore();
    await insertRun(store, 'run2');
    const kill = new AbortController();
    await runLoop(loopDeps(scriptedModel(SCRIPT), store, 'run2', { afterCheckpoint: (step) => step === 2 && kill.abort() }), options(kill.signal));
    const rest = scriptedModel(SCRIPT, 2);
    const result = await runLoop(loopDeps(rest, store, 'run2'), options(new AbortController().signal, { history: store.read((r) => loadHistory(r, 'run2')), maxSteps: 3 }));
    assert.equal(result.outcome, 'max_steps');
    assert.equal(rest.requests.length, 1);
  });

  it('claims an interrupted run once, and only an interrupted one', async () => {
    const store = await openStore();
    await insertRun(store, 'run3');
    assert.equal(await store.write((w) => claimInterrupted(w, 'run3')), false, 'a running run is not claimed');
    await store.write((w) => interruptOrphans(w, new Date(0).toISOString()));
    assert.equal(await store.write((w) => claimInterrupted(w, 'run3')), true);
    assert.equal(await store.write((w) => claimInterrupted(w, 'run3')), false, 'a second resume is refused');
    await store.write((w) => w.run("UPDATE agent_runs SET outcome = 'finished' WHERE id = 'run3'"));
    assert.equal(await store.write((w) => claimInterrupted(w, 'run3')), false, 'a finished run is not resumed');
  });

  it('refuses a damaged journal (a missing step) instead of resuming into a conversation the model never had', async () => {
    const store = await openStore();
    await insertRun(store, 'run4');
    const step = (n: number): Message[] => [
      { role: 'assistant', text: `s${n}`, toolCalls: [{ id: `c${n}`, name: 'shell', arguments: '{}' }] },
      { role: 'tool', results: [{ id: `c${n}`, content: 'ok', isError: false }] },
    ];
    await store.write((w) => journalStep(w, 'run4', 1, 'now', step(1)));
    await store.write((w) => journalStep(w, 'run4', 3, 'now', step(3)));
    assert.throws(() => store.read((r) => loadHistory(r, 'run4')), /journal of run run4 is damaged at step 3/);
    await store.write((w) => w.run("INSERT INTO agent_run_steps (run_id, step, at, messages) VALUES ('run5', 1, 'now', '[{\"role\":\"robot\"}]')"));
    assert.throws(() => store.read((r) => loadHistory(r, 'run5')), /damaged at step 1/);
  });

  it('a replayed run resumes at the transcript turn after its completed steps', async () => {
    // A transcript recorded from the scripted model: four turns.
    const transcript = path.join(home.home, 'run.jsonl');
    const recorder = new RecordingProvider(scriptedModel(SCRIPT), transcript, { provider: 'p', model: 'm', goal: 'the goal' });
    const store = await openStore();
    await insertRun(store, 'rec');
    assert.equal((await runLoop(loopDeps(recorder, store, 'rec'), options(new AbortController().signal))).outcome, 'finished');
    recorder.close();
    assert.equal(fs.readFileSync(transcript, 'utf8').trim().split('\n').length, 5);

    // Played back, "killed" after step 2 is saved, then resumed with a fresh player.
    await insertRun(store, 'play');
    const kill = new AbortController();
    await runLoop(loopDeps(ReplayProvider.load(transcript), store, 'play', { afterCheckpoint: (step) => step === 2 && kill.abort() }), options(kill.signal));
    const history = store.read((r) => loadHistory(r, 'play'));
    const player = ReplayProvider.load(transcript);
    await skipReplayedTurns(player, history.steps, 'm');
    const texts: string[] = [];
    const deps = { ...loopDeps(player, store, 'play'), emit: (e: { kind: string; text?: string }) => void (e.kind === 'model' && texts.push(e.text!)) };
    const result = await runLoop(deps, options(new AbortController().signal, { history }));
    assert.equal(result.outcome, 'finished');
    assert.equal(result.steps, 4);
    assert.deepEqual(texts, ['three', ''], 'steps 3 and 4 got turns 3 and 4');
    // Both plays ended at the transcript's last turn: the same conversation.
    assert.deepEqual(
      store.read((r) => loadHistory(r, 'play')),
      store.read((r) => loadHistory(r, 'rec')),
    );
  });
});
