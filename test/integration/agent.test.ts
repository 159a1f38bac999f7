import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { AgentProgress, AgentRun, AgentStop, SessionDiff, SessionList, ShellExec, UsageQuery, type AgentRunParams, type RunEvent, type RunSummary } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { FakeLlm, type FakeTurn, type SeenRequest } from '../support/fakeLlm';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache } from '../support/jail';
import { until } from '../support/until';

const OPENAI_KEY = 'sk-test-7f3c9e1d5b2a4f68-OPENAI-SECRET';
const ANTHROPIC_KEY = 'sk-ant-test-4c2e8a6f0d1b3957-ANTHROPIC-SECRET';

/** A tiny project with a bug and a test that shows it. */
function buggyRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-agent-'));
  fs.writeFileSync(path.join(dir, 'calc.py'), 'def add(a, b):\n    return a - b\n');
  fs.writeFileSync(path.join(dir, '.gitignore'), '__pycache__/\n');
  fs.writeFileSync(path.join(dir, 'test_calc.py'), 'from calc import add\nassert add(2, 3) == 5, add(2, 3)\nprint("ok")\n');
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '--initial-branch=main');
  git('add', '-A');
  git('commit', '-qm', 'add with a bug');
  return dir;
}

const call = (name: string, args: unknown): { name: string; arguments: unknown } => ({ name, arguments: args });

/** The fix, step by step, as a model would do it; each turn with its own usage. */
const FIX: FakeTurn[] = [
  { text: 'Let me look around.', toolCalls: [call('list_files', {})], usage: { input: 1200, output: 40, cacheRead: 0 } },
  { toolCalls: [call('read_file', { path: 'calc.py' })], usage: { input: 1400, output: 30, cacheRead: 1024 } },
  { toolCalls: [call('edit_file', { path: 'calc.py', old_text: 'return a - b', new_text: 'return a + b' })], usage: { input: 1600, output: 60, cacheRead: 1280 } },
  { toolCalls: [call('shell', { command: 'python3 test_calc.py' })], usage: { input: 1700, output: 25, cacheRead: 1536, reasoning: 10 } },
  { toolCalls: [call('finish', { summary: 'add() subtracted; now it adds. python3 test_calc.py prints ok.' })], usage: { input: 1800, output: 35, cacheRead: 1536 } },
];

/** Tool results the model got, in order, from the requests the fake received. */
function toolResults(requests: SeenRequest[]): { content: string; error: boolean }[] {
  const last = requests.at(-1)!.body;
  if (requests.at(-1)!.api === 'openai') {
    return (last.messages as { role: string; content: string }[]).filter((m) => m.role === 'tool').map((m) => ({ content: m.content, error: m.content.startsWith('Error: ') }));
  }
  return (last.messages as { role: string; content: unknown }[])
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as { type: string; content?: string; is_error?: boolean }[]) : []))
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ content: b.content ?? '', error: b.is_error === true }));
}

describe('the coding agent: runs in the jail against the official SDKs and a local fake provider', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let fake: FakeLlm;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let repo: string;
  const events: RunEvent[] = [];
  let lastRunId: string | undefined;

  before(async () => {
    home = tempHome('agent');
    fake = await FakeLlm.start();
    daemon = await startDaemon(home.home, {
      CORRAL_IMAGE_CACHE: imageCache,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: fake.openaiBaseURL,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
    });
    client = await connect(home.home);
    client.rpc.onNotification(AgentProgress, (p) => {
      lastRunId = p.runId;
      events.push(p.event);
    });
    await ensureImage(client, 'debian');
    repo = buggyRepo();
  });
  after(async () => {
    client.dispose();
    await daemon.terminate();
    await fake.close();
    fs.rmSync(repo, { recursive: true, force: true });
    home.cleanup();
  });
  beforeEach(() => {
    events.length = 0;
    fs.rmSync(homePaths(home.home).config, { force: true });
  });

  const run = (params: Omit<AgentRunParams, 'repo' | 'image'> & { repo?: string }): Promise<RunSummary> => client.rpc.sendRequest(AgentRun, { repo, image: DEBIAN, ...params });

  it('fixes a bug in several steps, accounts every token, prices it from the table, and diff shows the change', async () => {
    fake.play(FIX);
    const summary = await run({ prompt: 'Make test_calc.py pass.', provider: 'openai', model: 'gpt-4o' });
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary));
    assert.equal(summary.steps, 5);
    assert.match(summary.summary, /now it adds/);
    assert.equal(summary.branch, `corral/${summary.sessionId}`);
    assert.deepEqual(summary.next, { diff: `corral diff ${summary.sessionId}`, apply: `corral apply ${summary.sessionId}` });

    // The model saw real results from the jail.
    const results = toolResults(fake.requests);
    assert.match(results[0]!.content, /calc\.py/);
    assert.match(results[1]!.content, /return a - b/);
    assert.equal(results[2]!.content, 'replaced 1 occurrence in calc.py');
    assert.match(results[3]!.content, /^exit 0\n--- stdout\nok\n/);

    // Ledger totals equal what the provider reported, to the token.
    const sum = (f: (u: NonNullable<Extract<FakeTurn, { usage?: unknown }>['usage']>) => number | undefined): number =>
      FIX.reduce((s, t) => s + (('usage' in t && t.usage ? f(t.usage) : 0) ?? 0), 0);
    assert.deepEqual(summary.tokens, {
      calls: 5,
      inputTokens: sum((u) => u.input),
      outputTokens: sum((u) => u.output),
      cacheReadTokens: sum((u) => u.cacheRead),
      cacheWriteTokens: 0,
      reasoningTokens: sum((u) => u.reasoning),
      estimatedCalls: 0,
    });
    const usage = await client.rpc.sendRequest(UsageQuery, { since: '1h', by: 'session' });
    const row = usage.rows.find((r) => r.key === summary.sessionId)!;
    assert.equal(row.calls, 5);
    assert.equal(row.inputTokens, summary.tokens.inputTokens);
    assert.equal(row.outputTokens, summary.tokens.outputTokens);
    assert.equal(row.cacheReadTokens, summary.tokens.cacheReadTokens);

    // Cost of a known model = the table's price: uncached input, cached input and output at gpt-4o's rates.
    const table = calcPrice({ input_tokens: 1, output_tokens: 1 }, 'gpt-4o', { providerId: 'openai' })!.model_price as Record<string, number>;
    const expected =
      ((summary.tokens.inputTokens - summary.tokens.cacheReadTokens) * table.input_mtok! +
        summary.tokens.cacheReadTokens * table.cache_read_mtok! +
        summary.tokens.outputTokens * table.output_mtok!) /
      1e6;
    assert.ok(Math.abs(summary.costUsd! - expected) < 1e-12, `${summary.costUsd} vs ${expected}`);
    assert.ok(Math.abs(row.costUsd - expected) < 1e-12);

    const diff = await client.rpc.sendRequest(SessionDiff, { session: summary.sessionId, patch: true });
    assert.deepEqual(
      diff.files.map((f) => f.path),
      ['calc.py'],
    );
    assert.match(diff.patch!, /- {4}return a - b\n\+ {4}return a \+ b/);
    assert.equal(fs.readFileSync(path.join(repo, 'calc.py'), 'utf8'), 'def add(a, b):\n    return a - b\n', "the user's repo is untouched");
    assert.deepEqual(
      events.filter((e) => e.kind === 'tool').map((e) => e.kind === 'tool' && e.name),
      ['list_files', 'read_file', 'edit_file', 'shell', 'finish'],
    );
  });

  it('gives tool errors back to the model, which recovers; retries a 429 (Anthropic)', async () => {
    fake.play([
      { error: { status: 429, type: 'rate_limit_error', message: 'slow down', retryAfter: '1' } },
      { toolCalls: [call('edit_file', { path: 'calc.py', old_text: 'return a  -  b', new_text: 'return a + b' })], usage: { input: 900, output: 20, cacheWrite: 800 } },
      { toolCalls: [call('read_file', { path: '../../etc/passwd' })], usage: { input: 100, output: 20, cacheRead: 800 } },
      { toolCalls: [call('edit_file', { path: 'calc.py', old_text: 'return a - b', new_text: 'return a + b' })], usage: { input: 150, output: 20, cacheRead: 900 } },
      { text: 'Fixed the operator.', usage: { input: 200, output: 10, cacheRead: 1000 } },
    ]);
    const summary = await run({ prompt: 'Make test_calc.py pass.', provider: 'anthropic', model: 'claude-sonnet-4-5' });
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary));
    assert.equal(summary.summary, 'Fixed the operator.');
    const results = toolResults(fake.requests);
    assert.deepEqual(
      results.map((r) => r.error),
      [true, true, false],
    );
    assert.match(results[0]!.content, /old_text was not found in calc\.py/);
    assert.match(results[1]!.content, /outside \/workspace/);
    assert.ok(events.some((e) => e.kind === 'retry' && e.status === 429 && e.retryAfterS === 1));
    // Anthropic's cache tokens come on top of its input tokens; ours count them inside.
    assert.equal(summary.tokens.inputTokens, 900 + 800 + 100 + 800 + 150 + 900 + 200 + 1000);
    assert.equal(summary.tokens.cacheWriteTokens, 800);
    const diff = await client.rpc.sendRequest(SessionDiff, { session: summary.sessionId });
    assert.deepEqual(
      diff.files.map((f) => f.path),
      ['calc.py'],
    );
  });

  it('stops cleanly at the run budget, with an 80 % warning and a ledger entry', async () => {
    // gpt-4o: $2.50 per M input, $10 per M output. The first call costs $0.145 of a $0.15 budget;
    // the second's worst case (8,192 output tokens alone are $0.08) does not fit.
    fake.play([{ toolCalls: [call('list_files', {})], usage: { input: 50_000, output: 2_000 } }, { text: 'never reached' }]);
    const summary = await run({ prompt: 'Look around.', provider: 'openai', model: 'gpt-4o', budgetUsd: 0.15 });
    assert.equal(summary.outcome, 'budget');
    assert.equal(summary.steps, 1);
    assert.match(summary.error!.message, /this run budget of \$0\.15 would be exceeded/);
    assert.match(summary.error!.hint, /--budget/);
    assert.equal(fake.requests.length, 1, 'the second call was never made');
    assert.ok(
      events.some((e) => e.kind === 'warning' && /at 97 % of its budget/.test(e.text)),
      JSON.stringify(events),
    );
    assert.ok(Math.abs(summary.costUsd! - 0.145) < 1e-9);
    assert.equal(summary.tokens.calls, 2, 'the stop is a ledger row too');
  });

  it('counts the tokens itself when the stream ends before the usage, and marks the row estimated', async () => {
    fake.play([{ text: 'The answer is forty-two, and here is why it matters a great deal.', cutBeforeUsage: true }]);
    const summary = await run({ prompt: 'Say something.', provider: 'openai', model: 'gpt-4o' });
    assert.equal(summary.outcome, 'finished');
    assert.equal(summary.tokens.estimatedCalls, 1);
    assert.ok(summary.tokens.outputTokens >= 10 && summary.tokens.outputTokens <= 20, String(summary.tokens.outputTokens));
    assert.ok(summary.tokens.inputTokens > 100, 'system prompt, goal and tool schemas counted');
    const usage = await client.rpc.sendRequest(UsageQuery, { since: '1h', by: 'session' });
    assert.equal(usage.rows.find((r) => r.key === summary.sessionId)!.estimatedCalls, 1);
  });

  it('never lets anything in the jail see the API keys: environment, files, processes, tool results', async () => {
    fake.play([
      {
        toolCalls: [
          call('shell', {
            command: 'env; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"; ps auxeww 2>/dev/null; grep -rIl -e SECRET / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | head',
          }),
        ],
      },
      { toolCalls: [call('finish', { summary: 'looked' })] },
    ]);
    const summary = await run({ prompt: 'Look for secrets.', provider: 'openai', model: 'gpt-4o' });
    assert.equal(summary.outcome, 'finished');
    assert.equal(fake.requests[0]!.headers.authorization, `Bearer ${OPENAI_KEY}`, 'the daemon does hold the key');
    const everything = JSON.stringify(fake.requests.map((r) => r.body));
    assert.match(everything, /CORRAL_SHELL|PATH=/, 'the environment dump reached the model');
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', fake.url])
      assert.ok(!everything.includes(secret), `${secret} leaked into a tool result`);
    const direct = await client.rpc.sendRequest(ShellExec, { session: summary.sessionId, command: 'cat /proc/1/environ /proc/self/environ | tr "\\0" "\\n"; env' });
    assert.ok(!direct.stdout.includes(OPENAI_KEY) && !direct.stdout.includes(ANTHROPIC_KEY));
  });

  it('records a run and replays it against a fresh jail with the same steps and the same change', async () => {
    fake.play(FIX);
    const transcript = path.join(home.home, 'fix.jsonl');
    const recorded = await run({ prompt: 'Make test_calc.py pass.', provider: 'openai', model: 'gpt-4o', record: transcript });
    assert.equal(recorded.outcome, 'finished');
    assert.equal(fs.readFileSync(transcript, 'utf8').trim().split('\n').length, 1 + FIX.length);
    const requestsBefore = fake.requests.length;
    events.length = 0;
    const replayed = await run({ prompt: 'Make test_calc.py pass.', provider: 'replay', transcript });
    assert.equal(fake.requests.length, requestsBefore, 'no model was called');
    assert.equal(replayed.outcome, 'finished');
    assert.equal(replayed.replay, true);
    assert.equal(replayed.steps, recorded.steps);
    assert.equal(replayed.summary, recorded.summary);
    assert.equal(replayed.costUsd, 0);
    assert.deepEqual(replayed.tokens, recorded.tokens);
    const [a, b] = await Promise.all([recorded, replayed].map((s) => client.rpc.sendRequest(SessionDiff, { session: s.sessionId, patch: true })));
    assert.equal(b!.patch, a!.patch);
    const usage = await client.rpc.sendRequest(UsageQuery, { since: '1h', by: 'session' });
    assert.equal(usage.rows.find((r) => r.key === replayed.sessionId)!.replayCalls, FIX.length);
  });

  it('stops a run on agent/stop, killing the running command, and says so', async () => {
    fake.play([{ toolCalls: [call('shell', { command: 'touch .started && sleep 60' })] }, { text: 'never' }]);
    const pending = run({ prompt: 'Wait.', provider: 'openai', model: 'gpt-4o' });
    // Stop once the command runs in the jail: its flag appears in the workspace (bind-mounted).
    const started = async (): Promise<boolean> => {
      const sessionId = events.find((e) => e.kind === 'started')?.sessionId;
      return sessionId !== undefined && fs.existsSync(path.join(homePaths(home.home).worktrees, sessionId, '.started'));
    };
    await until(started, { timeoutMs: 30_000, what: 'the command to start in the jail' });
    assert.deepEqual(await client.rpc.sendRequest(AgentStop, { run: lastRunId! }), { stopping: true });
    const summary = await pending;
    assert.equal(summary.outcome, 'stopped');
    assert.equal(fake.requests.length, 1);
    // Killed, not left running in the jail (the run's end alone would not show that).
    const left = await client.rpc.sendRequest(ShellExec, {
      session: summary.sessionId,
      command: `for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 60' || true`,
      timeoutMs: 10_000,
    });
    assert.equal(left.stdout.trim(), '0', 'the sleep was killed');
  });

  it('works on a task of the board: claims it, notes progress, and closes it with the outcome, cost and branch', async () => {
    const board = path.join(repo, 'docs', 'TASKS.md');
    fs.mkdirSync(path.dirname(board), { recursive: true });
    fs.writeFileSync(board, '# Tasks\n\n## Todo\n\n- [ ] T-1 Make test_calc.py pass\n  - [ ] T-2 Keep mul() as it is\n- [ ] T-3 Something else\n');
    const withNote = FIX.map((turn, i) =>
      i === 3 && 'toolCalls' in turn ? { ...turn, toolCalls: [call('task_progress', { note: 'fixed the operator in add()' }), ...turn.toolCalls!] } : turn,
    );
    fake.play(withNote);
    const summary = await run({ task: 'T-1', provider: 'openai', model: 'gpt-4o' });
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary));
    assert.deepEqual(summary.task, { id: 'T-1', board, status: 'done' });
    const goal = (fake.requests[0]!.body.messages as { role: string; content: string }[])[1]!.content;
    assert.match(goal, /Work on task T-1 of the task board TASKS\.md: Make test_calc\.py pass/);
    assert.match(goal, /- \[ \] T-2 Keep mul\(\) as it is/);
    const text = fs.readFileSync(board, 'utf8');
    const owner = os.userInfo().username;
    assert.match(
      text,
      new RegExp(
        `- \\[x\\] T-1 Make test_calc\\.py pass @${owner}\n  - \\[ \\] T-2 Keep mul\\(\\) as it is\n  - .+ ${owner}: agent: fixed the operator in add\\(\\)\n  - .+ ${owner}: agent run ${summary.runId} finished in 5 steps, \\$0\\.\\d+, branch corral/${summary.sessionId}`,
      ),
    );
    assert.match(text, /- \[ \] T-3 Something else\n$/, 'other tasks untouched');
    const usage = await client.rpc.sendRequest(UsageQuery, { since: '1h', by: 'task' });
    assert.equal(usage.rows.find((r) => r.key === 'T-1')!.calls, 5);
  });

  it('leaves a task in progress with a note saying why when the run fails, and starts nothing for an unknown task', async () => {
    const board = path.join(repo, 'docs', 'TASKS.md');
    fs.writeFileSync(board, '- [ ] T-7 A task\n');
    fake.play([{ error: { status: 401, type: 'authentication_error', message: 'invalid key' } }]);
    const summary = await run({ task: 'T-7', provider: 'openai', model: 'gpt-4o' });
    assert.equal(summary.outcome, 'error');
    assert.equal(summary.task!.status, 'in_progress');
    assert.match(fs.readFileSync(board, 'utf8'), /- \[~\] T-7 A task @\S+\n {2}- .+: agent run \w+ ended without finishing \(error: openai rejected the API key \(401\)/);
    const before = (await client.rpc.sendRequest(SessionList, {})).length;
    await assert.rejects(run({ task: 'T-77', provider: 'openai', model: 'gpt-4o' }), /no task T-77 on TASKS\.md/);
    assert.equal((await client.rpc.sendRequest(SessionList, {})).length, before, 'no session was started');
  });

  it('refuses a bad config, an unknown provider and a missing transcript with what to do', async () => {
    fs.writeFileSync(homePaths(home.home).config, JSON.stringify({ budgets: { runUsd: 'lots' } }));
    await assert.rejects(run({ prompt: 'x' }), (e: Error & { data?: { hint: string } }) => /budgets\.runUsd/.test(e.message) && /README/.test(e.data!.hint));
    fs.rmSync(homePaths(home.home).config);
    await assert.rejects(
      run({ prompt: 'x', provider: 'nope' }),
      (e: Error & { data?: { hint: string } }) => /no provider named nope/.test(e.message) && /openai, anthropic, replay/.test(e.data!.hint),
    );
    await assert.rejects(run({ prompt: 'x', provider: 'replay' }), /needs a transcript/);
  });
});
