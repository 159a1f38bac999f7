import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { FakeLlm, type FakeTurn, type SeenRequest } from '../support/fakeLlm';
import { distCli, tempHome } from '../support/home';
import { imageCache } from '../support/jail';

/** `corral run --list` and `corral run --resume` as a user meets them after the daemon died under a run. */
describe('corral run --resume after the daemon was killed mid-run', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let fake: FakeLlm;
  let env: NodeJS.ProcessEnv;
  let repo: string;
  let resumed = false;

  /** Step 1 leaves a line; step 2 leaves one and waits (the daemon dies there); after the resume the model finishes. */
  const script = (request: SeenRequest): FakeTurn => {
    const step = ((request.body.messages as unknown[]).length - 2) / 2 + 1;
    if (step === 1) return { toolCalls: [{ name: 'shell', arguments: { command: 'echo one >> trace.txt' } }], usage: { input: 1000, output: 10 } };
    if (!resumed) return { toolCalls: [{ name: 'shell', arguments: { command: 'echo two >> trace.txt; sleep 60' } }], usage: { input: 1100, output: 20 } };
    return { text: 'Wrote the trace.', usage: { input: 1200, output: 30 } };
  };

  before(async () => {
    home = tempHome('rres');
    fake = await FakeLlm.start(script);
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache, OPENAI_API_KEY: 'sk-test-resume', OPENAI_BASE_URL: fake.openaiBaseURL, NO_COLOR: undefined };
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-rres-repo-'));
    fs.writeFileSync(path.join(repo, 'README.md'), 'resume\n');
    for (const args of [
      ['init', '-q'],
      ['add', '-A'],
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'start'],
    ])
      execFileSync('git', args, { cwd: repo });
  });
  after(async () => {
    const sessions = await runCli(['--json', 'session', 'ls'], env);
    for (const id of sessions.stdout.match(/"id": "([0-9a-f]+)"/g) ?? []) await runCli(['session', 'rm', '--purge', id.slice(7, -1)], env);
    await runCli(['daemon', 'stop'], env);
    await fake.close();
    fs.rmSync(repo, { recursive: true, force: true });
    home.cleanup();
  });

  it('lists the run as interrupted with how to go on, resumes it at step 2, and refuses what it cannot do', async () => {
    const child = spawn(process.execPath, [distCli, 'run', '--prompt', 'write the trace', '--provider', 'openai', '--model', 'gpt-4o'], {
      cwd: repo,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    // Step 2's model line prints once its call is in the ledger: step 1 is saved and step 2 is in its tool.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/^step 2 /m.test(stdout)) resolve();
      });
      void closed.then(() => reject(new Error(`the run ended before step 2: ${stdout}`)));
    });
    const status = await runCli(['--json', 'daemon', 'status'], env);
    const pid = (JSON.parse(status.stdout) as { pid: number }).pid;
    process.kill(pid, 'SIGKILL');
    assert.equal(await closed, 3, 'the run command fails with its daemon');
    const runId = /^run ([0-9a-f]+) ·/m.exec(stdout)![1]!;
    assert.match(
      stderr,
      new RegExp(`the daemon ended while run ${runId} was going; the run is interrupted\\nhint: go on from its last completed step with \`corral run --resume ${runId}\``),
    );

    // The next command starts a daemon, which marks the run interrupted.
    const list = await runCli(['run', '--list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${runId}\\s+[0-9a-f]+\\s+interrupted\\s+1\\s+.*write the trace$`, 'm'));
    assert.match(list.stdout, new RegExp(`go on with an interrupted run: corral run --resume ${runId}`));

    const mixed = await runCli(['run', '--resume', runId, '--prompt', 'something else'], env, repo);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--resume goes on as the run was started; it takes no --prompt/);

    resumed = true;
    const result = await runCli(['run', '--resume', runId], env, repo);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^run ${runId} · session [0-9a-f]+ · openai/gpt-4o · resumed after step 1$`, 'm'));
    assert.match(result.stdout, /^step 2 /m);
    assert.doesNotMatch(result.stdout, /^step 1 /m, 'step 1 is not done again');
    // Each call once: 1,000 + 1,100 (the interrupted step 2, billed) + 1,200 (step 2 again).
    assert.match(result.stdout, /^finished after 2 steps · 3,300 tokens in \(0 cached\) \/ 60 out · \$/m);
    assert.equal(fake.requests.length, 3);

    const again = await runCli(['run', '--resume', runId], env, repo);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /ended \(finished\) and cannot be resumed/);
    assert.match(again.stderr, /hint: only interrupted runs go on/);
    const json = JSON.parse((await runCli(['--json', 'run', '--list'], env)).stdout) as { runs: { runId: string; outcome: string; steps: number }[] };
    assert.deepEqual(
      json.runs.map((r) => [r.runId, r.outcome, r.steps]),
      [[runId, 'finished', 2]],
    );
  });
});
