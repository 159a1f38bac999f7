import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AgentList,
  AgentProgress,
  AgentResume,
  AgentRun,
  AuthIssue,
  SessionRemove,
  SessionStart,
  ShellExec,
  UsageQuery,
  type RunEvent,
  type RunSummary,
} from '../../server/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { FakeLlm, type FakeTurn, type SeenRequest } from '../support/fakeLlm';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache } from '../support/jail';

/**
 * Agent runs survive the daemon: a real daemon is SIGKILLed in the middle of two runs (a real
 * jail, the official OpenAI SDK against the local fake provider), started again, and the runs are
 * `interrupted`; one is resumed and goes on at the step after its last completed one, the other's
 * session is removed and its resume refused.
 */

const call = (name: string, args: unknown): { name: string; arguments: unknown } => ({ name, arguments: args });

function smallRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-resume-'));
  fs.writeFileSync(path.join(dir, 'README.md'), 'resume\n');
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '--initial-branch=main');
  git('add', '-A');
  git('commit', '-qm', 'start');
  return dir;
}

/** The step a request is for: the goal, then two messages (turn + results) per step before it. */
const stepOf = (request: SeenRequest): number => ((request.body.messages as unknown[]).length - 2) / 2 + 1;
const goalOf = (request: SeenRequest): string => String((request.body.messages as { content: unknown }[])[1]!.content);

/** A: two steps that leave a trace, a third killed in its tool; B: killed in its first. After the restart A finishes. */
const USAGE = [
  { input: 1000, output: 10 },
  { input: 1100, output: 20, cacheRead: 512 },
  { input: 1200, output: 30 },
  { input: 1300, output: 40, cacheRead: 1024 },
];
let resumed = false;
function script(request: SeenRequest): FakeTurn {
  const step = stepOf(request);
  if (goalOf(request).includes('task T-1'))
    return resumed ? { text: 'C done', usage: { input: 700, output: 7 } } : { toolCalls: [call('shell', { command: 'sleep 60' })], usage: { input: 600, output: 6 } };
  if (goalOf(request).startsWith('B')) return { toolCalls: [call('shell', { command: 'sleep 60' })], usage: { input: 500, output: 5 } };
  if (step === 1) return { text: 'first', toolCalls: [call('shell', { command: 'echo one >> trace.txt' })], usage: USAGE[0]! };
  if (step === 2) return { text: 'second', toolCalls: [call('shell', { command: 'echo two >> trace.txt' })], usage: USAGE[1]! };
  if (!resumed) return { text: 'third', toolCalls: [call('shell', { command: 'echo three >> trace.txt; sleep 60' })], usage: USAGE[2]! };
  return { toolCalls: [call('finish', { summary: 'wrote the trace' })], usage: USAGE[3]! };
}

describe('agent runs survive the daemon: interrupted by SIGKILL, resumed after a restart', function () {
  this.timeout(240_000);
  let home: ReturnType<typeof tempHome>;
  let fake: FakeLlm;
  let daemon: DaemonProcess;
  const clients: DaemonConnection[] = [];
  let repo: string;
  const env = (): NodeJS.ProcessEnv => ({ CORRAL_IMAGE_CACHE: imageCache, OPENAI_API_KEY: 'sk-test-resume', OPENAI_BASE_URL: fake.openaiBaseURL });

  before(async () => {
    home = tempHome('resume');
    fake = await FakeLlm.start(script);
    daemon = await startDaemon(home.home, env());
    const client = await connect(home.home);
    clients.push(client);
    await ensureImage(client, 'debian');
    repo = smallRepo();
  });
  after(async () => {
    for (const client of clients) client.dispose();
    // Sessions go with their containers (the one still sleeping included).
    const last = await Promise.resolve()
      .then(() => connect(home.home))
      .catch(() => undefined);
    if (last) {
      for (const run of (await last.rpc.sendRequest(AgentList, {})).runs) await last.rpc.sendRequest(SessionRemove, { session: run.sessionId, purge: true }).catch(() => undefined);
      last.dispose();
    }
    await daemon?.terminate();
    await fake?.close();
    fs.rmSync(repo, { recursive: true, force: true });
    home.cleanup();
  });

  it('marks both runs interrupted, resumes A after its 2 completed steps (the step in flight redone once, no call sent twice), refuses B without its session', async () => {
    const first = await connect(home.home);
    clients.push(first);
    // Sessions first, so each run is known by the session its `started` event names.
    const [sessionA, sessionB] = await Promise.all([first.rpc.sendRequest(SessionStart, { repo, image: DEBIAN }), first.rpc.sendRequest(SessionStart, { repo, image: DEBIAN })]);
    const events = new Map<string, RunEvent[]>();
    const goals = new Map<string, 'A' | 'B'>();
    const reached = (goal: string, step: number): boolean => [...goals].some(([id, g]) => g === goal && (events.get(id) ?? []).some((e) => e.kind === 'model' && e.step === step));
    // Resolves when run A's third model call is in the ledger and run B's first: both are then in their tools.
    const bothInTools = new Promise<void>((resolve) => {
      first.rpc.onNotification(AgentProgress, ({ runId, event }) => {
        events.set(runId, [...(events.get(runId) ?? []), event]);
        if (event.kind === 'started') goals.set(runId, event.sessionId === sessionA.id ? 'A' : 'B');
        if (reached('A', 3) && reached('B', 1)) resolve();
      });
    });
    const runs = [
      first.rpc.sendRequest(AgentRun, { session: sessionA.id, prompt: 'A: write the trace', provider: 'openai', model: 'gpt-4o' }),
      first.rpc.sendRequest(AgentRun, { session: sessionB.id, prompt: 'B: wait', provider: 'openai', model: 'gpt-4o' }),
    ].map((p) =>
      p.then(
        (s: RunSummary) => s,
        (error: unknown) => error,
      ),
    );
    await bothInTools;
    const idOf = (goal: string): string => [...goals].find(([, g]) => g === goal)![0];
    const runA = idOf('A');
    const runB = idOf('B');
    assert.deepEqual(
      events
        .get(runA)!
        .filter((e) => e.kind === 'checkpoint')
        .map((e) => (e.kind === 'checkpoint' ? e.step : 0)),
      [1, 2],
      'A reported steps 1 and 2 saved before its third call',
    );
    await daemon.kill9();
    for (const outcome of await Promise.all(runs)) assert.ok(outcome instanceof Error, 'the runs ended with their daemon');
    assert.equal(fake.requests.length, 4, 'A: 3 calls, B: 1');

    daemon = await startDaemon(home.home, env());
    const client = await connect(home.home);
    clients.push(client);
    const listed = (await client.rpc.sendRequest(AgentList, {})).runs;
    assert.deepEqual(
      listed.map((r) => [r.runId, r.outcome, r.steps]).sort(),
      [
        [runA, 'interrupted', 2],
        [runB, 'interrupted', 0],
      ].sort(),
    );
    assert.deepEqual((await client.rpc.sendRequest(AgentList, { outcome: 'finished' })).runs, []);

    // Refused: a run that does not exist, another user's run, a run whose session is gone.
    await assert.rejects(client.rpc.sendRequest(AgentResume, { run: 'nosuchrun' }), /you have no run nosuchrun/);
    const { token } = await client.rpc.sendRequest(AuthIssue, { user: 'mallory' });
    const mallory = await connectDaemon({ socketPath: homePaths(home.home).socket, token, client: { kind: 'test' } });
    clients.push(mallory);
    await assert.rejects(mallory.rpc.sendRequest(AgentResume, { run: runA }), new RegExp(`you have no run ${runA}`));
    await client.rpc.sendRequest(SessionRemove, { session: sessionB.id });
    await assert.rejects(client.rpc.sendRequest(AgentResume, { run: runB }), new RegExp(`the session ${sessionB.id} of run ${runB} is gone`));
    assert.equal(fake.requests.length, 4, 'nothing refused called the model');

    // A goes on.
    resumed = true;
    const progress: RunEvent[] = [];
    client.rpc.onNotification(AgentProgress, ({ runId, event }) => {
      if (runId === runA) progress.push(event);
    });
    const summary = await client.rpc.sendRequest(AgentResume, { run: runA });
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary));
    assert.equal(summary.runId, runA);
    assert.equal(summary.sessionId, sessionA.id);
    assert.equal(summary.steps, 3);
    assert.equal(summary.summary, 'wrote the trace');
    assert.deepEqual(progress[0], { kind: 'started', sessionId: sessionA.id, provider: 'openai', model: 'gpt-4o', replay: false, resumedAfter: 2 });
    assert.deepEqual(
      progress.filter((e) => e.kind === 'model').map((e) => (e.kind === 'model' ? e.step : 0)),
      [3],
    );

    // The model got one more call: step 3 again, sent exactly what the interrupted step 3 was sent.
    assert.equal(fake.requests.length, 5);
    const ofA = fake.requests.filter((r) => goalOf(r).startsWith('A'));
    assert.deepEqual(ofA.map(stepOf), [1, 2, 3, 3]);
    assert.deepEqual(ofA[3]!.body.messages, ofA[2]!.body.messages);
    // Completed steps were not run again in the jail: each left its line once.
    const trace = await client.rpc.sendRequest(ShellExec, { session: sessionA.id, command: 'cat trace.txt' });
    assert.equal(trace.stdout, 'one\ntwo\nthree\n');

    // Every call of A once: the summary is the ledger's, and the ledger has the four answered calls.
    const expected = { calls: 4, inputTokens: 4600, outputTokens: 100, cacheReadTokens: 1536, cacheWriteTokens: 0, reasoningTokens: 0, estimatedCalls: 0 };
    assert.deepEqual(summary.tokens, expected);
    const usage = await client.rpc.sendRequest(UsageQuery, { since: '1h', by: 'session' });
    const row = usage.rows.find((r) => r.key === sessionA.id)!;
    assert.deepEqual([row.calls, row.inputTokens, row.outputTokens, row.cacheReadTokens], [4, 4600, 100, 1536]);
    assert.ok(summary.costUsd !== null && Math.abs(summary.costUsd - row.costUsd) < 1e-12, `${summary.costUsd} vs ${row.costUsd}`);

    // Finished now: listed so, and not resumed again.
    assert.deepEqual(
      (await client.rpc.sendRequest(AgentList, { outcome: 'finished' })).runs.map((r) => [r.runId, r.steps]),
      [[runA, 3]],
    );
    await assert.rejects(client.rpc.sendRequest(AgentResume, { run: runA }), /ended \(finished\) and cannot be resumed/);
  });

  it('a task run going on when the daemon is stopped (SIGTERM, as `corral daemon stop` does) is interrupted too, and its resume closes the task', async () => {
    resumed = false;
    const board = path.join(repo, 'docs', 'TASKS.md');
    fs.mkdirSync(path.dirname(board), { recursive: true });
    fs.writeFileSync(board, '# Tasks\n\n- [ ] T-1 Wait a while\n');
    const client = await connect(home.home);
    clients.push(client);
    const session = await client.rpc.sendRequest(SessionStart, { repo, image: DEBIAN });
    let runId = '';
    const inTool = new Promise<void>((resolve) => {
      client.rpc.onNotification(AgentProgress, ({ runId: id, event }) => {
        runId = id;
        if (event.kind === 'model') resolve();
      });
    });
    const running = client.rpc.sendRequest(AgentRun, { session: session.id, task: 'T-1', provider: 'openai', model: 'gpt-4o' }).then(
      (s: RunSummary) => s,
      (error: unknown) => error,
    );
    await inTool;
    assert.equal(await daemon.terminate(), 0);
    const ended = await running;
    assert.ok(ended instanceof Error, `the run did not end as stopped: ${JSON.stringify(ended)}`);

    daemon = await startDaemon(home.home, env());
    const after = await connect(home.home);
    clients.push(after);
    const listed = (await after.rpc.sendRequest(AgentList, {})).runs.find((r) => r.runId === runId)!;
    assert.deepEqual([listed.outcome, listed.steps], ['interrupted', 0]);
    resumed = true;
    const summary = await after.rpc.sendRequest(AgentResume, { run: runId });
    assert.deepEqual([summary.outcome, summary.steps, summary.summary, summary.tokens.calls], ['finished', 1, 'C done', 2]);
    assert.deepEqual(summary.task, { id: 'T-1', board, status: 'done' });
    assert.match(
      fs.readFileSync(board, 'utf8'),
      new RegExp(
        `- \\[x\\] T-1 Wait a while @\\S+\n  - .+: agent run ${runId} finished in 1 steps, \\$0\\.\\d+, branch corral/${session.id} \\(corral diff ${session.id}\\): C done\n$`,
      ),
    );
  });
});
