import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { RunSummary } from '../../server/protocol';
import { TasksNextResult } from '../../server/protocol/taskQueue';
import { ANSI, runCli } from '../support/cli';
import { FakeLlm } from '../support/fakeLlm';
import { tempHome } from '../support/home';
import { imageCache } from '../support/jail';
import { parseAs } from '../support/cliJson';

const BOARD = [
  '# Tasks',
  '',
  '## In progress',
  '',
  '## Todo',
  '',
  '- [ ] T-1 Write hello.txt',
  '- [ ] T-2 Write bye.txt, after T-1',
  '- [ ] T-3 Polish',
  '  - depends: T-2',
  '',
  '## Done',
  '',
].join('\n');
const chainShape = z.strictObject({
  board: z.string(),
  runs: z.array(RunSummary),
  stopped: z.enum(['none_left', 'chain_limit', 'budget', 'failed', 'stopped']),
  reason: z.string(),
  costUsd: z.number(),
});

/** `corral tasks next` and `corral run --next --chain N` as a user runs them, against the local fake of OpenAI's wire format. */
describe('corral tasks next and corral run --next (the ready queue)', function () {
  this.timeout(240_000);
  let home: ReturnType<typeof tempHome>;
  let fake: FakeLlm;
  let env: NodeJS.ProcessEnv;
  let repo: string;
  let board: string;

  before(async () => {
    home = tempHome('queue');
    fake = await FakeLlm.start();
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache, OPENAI_API_KEY: 'sk-test-queue', OPENAI_BASE_URL: fake.openaiBaseURL, NO_COLOR: undefined };
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-queue-repo-'));
    fs.mkdirSync(path.join(repo, 'docs'));
    board = path.join(repo, 'docs', 'TASKS.md');
    fs.writeFileSync(board, BOARD);
    for (const args of [
      ['init', '-q'],
      ['add', '-A'],
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'board'],
    ])
      execFileSync('git', args, { cwd: repo });
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    await fake.close();
    fs.rmSync(repo, { recursive: true, force: true });
    home.cleanup();
  });

  it('tasks next: the first ready task (text and --json); none ready: why, exit 4, the board untouched', async () => {
    const text = await runCli(['tasks', 'next'], env, repo);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, ANSI);
    assert.match(text.stdout, /^T-1 todo — Write hello\.txt\ntake it: corral tasks start T-1 · or let the agent: corral run --next\n$/);
    const json = parseAs(TasksNextResult, (await runCli(['tasks', 'next', '--json'], env, repo)).stdout, 'tasks next --json');
    assert.equal(json.task?.id, 'T-1');
    assert.deepEqual(json.waiting, [
      { id: 'T-2', on: ['T-1'], takenBy: [] },
      { id: 'T-3', on: ['T-2'], takenBy: [] },
    ]);

    // `tasks show` names what a task comes after.
    const shown = await runCli(['tasks', 'show', 'T-3'], env, repo);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^after\s+T-2$/m);
    assert.match((await runCli(['tasks', 'show', 'T-1'], env, repo)).stdout, /^after\s+-$/m);

    const other = path.join(repo, 'docs', 'BLOCKED.md');
    fs.writeFileSync(other, '- [ ] T-1 a, after T-2\n- [ ] T-2 b @bob\n');
    const none = await runCli(['tasks', 'next', '--board', other], env, repo);
    assert.equal(none.code, 4);
    assert.equal(
      none.stdout,
      'no ready task on BLOCKED.md: none of the 2 todo tasks is ready: 1 waits on unfinished dependencies (T-1 on T-2); 1 is assigned to others (T-2 to @bob)\n',
    );
    const noneJson = await runCli(['tasks', 'next', '--board', other, '--json'], env, repo);
    assert.equal(noneJson.code, 4);
    assert.equal(parseAs(TasksNextResult, noneJson.stdout, 'tasks next --json (none)').task, null);
    assert.equal(fs.readFileSync(board, 'utf8'), BOARD);
  });

  it('run --next --chain 2: claims T-1, runs the agent, closes it; then T-2 (its dependency done); stops at 2 runs with T-3 left todo', async () => {
    fake.play([
      { text: 'Wrote hello.txt.', usage: { input: 500, output: 10 } },
      { text: 'Wrote bye.txt.', usage: { input: 600, output: 12 } },
    ]);
    const result = await runCli(['run', '--next', '--chain', '2', '--provider', 'openai', '--model', 'gpt-4o'], env, repo);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^task T-1 — Write hello\.txt @\S+$/m);
    assert.match(result.stdout, /^task T-2 — Write bye\.txt, after T-1 @\S+$/m);
    assert.match(result.stdout, /^task T-1 on TASKS\.md: done$/m);
    assert.match(result.stdout, /^2 runs \(T-1 finished, T-2 finished\) · stopped: 2 runs done \(--chain 2\)$/m);
    // Each run's goal was its own task.
    const goals = fake.requests.map((r) => JSON.stringify(r.body['messages']));
    assert.match(goals[0]!, /Work on task T-1 /);
    assert.match(goals[1]!, /Work on task T-2 /);
    const after = fs.readFileSync(board, 'utf8');
    assert.match(after, /## Done\n[^]*- \[x\] T-1 Write hello\.txt[^]*- \[x\] T-2 Write bye\.txt, after T-1/);
    assert.match(after, /## Todo\n\n- \[ \] T-3 Polish\n {2}- depends: T-2\n/);
  });

  it('run --next --chain 5 --json: a failing run stops the chain (exit 1, the task left in progress); then nothing is left', async () => {
    fake.play([{ error: { status: 400, type: 'invalid_request_error', message: 'model gpt-4o cannot do that' } }]);
    const failed = await runCli(['run', '--next', '--chain', '5', '--provider', 'openai', '--model', 'gpt-4o', '--json'], env, repo);
    assert.equal(failed.code, 1, failed.stderr);
    const chain = parseAs(chainShape, failed.stdout, 'run --next --json');
    assert.equal(chain.stopped, 'failed');
    assert.deepEqual(
      chain.runs.map((r) => [r.task?.id, r.outcome]),
      [['T-3', 'error']],
    );
    assert.match(chain.reason, /^the run on T-3 ended error: .*; the task stays in progress$/);
    assert.match(fs.readFileSync(board, 'utf8'), /## In progress\n\n- \[~\] T-3 Polish @\S+/);

    const empty = await runCli(['run', '--next', '--provider', 'openai', '--model', 'gpt-4o', '--json'], env, repo);
    assert.equal(empty.code, 0, empty.stderr);
    const none = parseAs(chainShape, empty.stdout, 'run --next --json (none left)');
    assert.equal(none.stopped, 'none_left');
    assert.deepEqual(none.runs, []);
    assert.match(none.reason, /^no ready task left on TASKS\.md: no task is todo$/);
  });

  it("run --next --chain 3 --budget: the budget is the whole chain's; when what is left cannot pay for the next run, the chain stops (exit 1) and gives that task back", async () => {
    const other = path.join(repo, 'docs', 'BUDGET.md');
    fs.writeFileSync(other, '## Todo\n\n- [ ] T-1 One\n- [ ] T-2 Two\n\n## Done\n');
    fake.play([{ text: 'One done.', usage: { input: 5000, output: 100 } }]);
    const result = await runCli(['run', '--next', '--chain', '3', '--budget', '0.095', '--board', other, '--provider', 'openai', '--model', 'gpt-4o', '--json'], env, repo);
    assert.equal(result.code, 1, result.stderr);
    const chain = parseAs(chainShape, result.stdout, 'run --next --budget --json');
    assert.deepEqual(
      chain.runs.map((r) => [r.task?.id, r.outcome, r.steps]),
      [
        ['T-1', 'finished', 1],
        ['T-2', 'budget', 0],
      ],
    );
    assert.equal(chain.stopped, 'budget');
    assert.match(chain.reason, /^the budget left cannot pay for a run on T-2 \(.*budget.*\); it is todo again$/);
    assert.equal(fake.requests.filter((r) => JSON.stringify(r.body['messages']).includes('Work on task T-2')).length, 0, 'no model call for T-2');
    const after = fs.readFileSync(other, 'utf8');
    assert.match(after, /- \[ \] T-2 Two/);
    assert.match(after, /- \[x\] T-1 One/);
  });

  it('refuses --next with --task or --prompt, and a bad --chain, before anything starts', async () => {
    const both = await runCli(['run', '--next', '--task', 'T-1'], env, repo);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--next picks its tasks from the board; it takes no --task/);
    assert.equal((await runCli(['run', '--next', '--chain', '0'], env, repo)).code, 2);
  });
});
