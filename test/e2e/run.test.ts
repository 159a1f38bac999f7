import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ANSI, runCli } from '../support/cli';
import { FakeLlm } from '../support/fakeLlm';
import { distCli, tempHome } from '../support/home';
import { imageCache } from '../support/jail';
import { RunSummary, UsageReport } from '../../server/protocol';
import { parseAs } from '../support/cliJson';

const repoRoot = path.resolve(__dirname, '..', '..');

/** `corral run` and `corral usage` as a user runs them: the daemon they start holds the keys. */
describe('corral run and corral usage', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let fake: FakeLlm;
  let env: NodeJS.ProcessEnv;
  let repo: string;

  before(async () => {
    home = tempHome('run');
    fake = await FakeLlm.start();
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache, OPENAI_API_KEY: 'sk-test-run', OPENAI_BASE_URL: fake.openaiBaseURL, NO_COLOR: undefined };
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-run-repo-'));
    fs.cpSync(path.join(repoRoot, 'examples', 'demo', 'repo'), repo, { recursive: true });
    for (const args of [
      ['init', '-q'],
      ['add', '-A'],
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'demo'],
    ])
      execFileSync('git', args, { cwd: repo });
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    await fake.close();
    fs.rmSync(repo, { recursive: true, force: true });
    home.cleanup();
  });

  it('plays the shipped demo back from inside the repository: steps as they happen, the summary, then the change', async () => {
    const result = await runCli(['run', '--transcript', path.join(repoRoot, 'examples/demo/fix-add.jsonl'), '--prompt', 'Make python3 test_calc.py pass.'], env, repo);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, ANSI);
    assert.match(result.stdout, /^run [0-9a-f]+ · session [0-9a-f]+ · replay\/scripted-demo · replay/m);
    assert.match(result.stdout, /✓ edit_file calc\.py → replaced 1 occurrence in calc\.py/);
    assert.match(result.stdout, /✓ shell python3 test_calc\.py → exit 0/);
    assert.match(result.stdout, /• fixed the operator in add\(\)/);
    assert.match(result.stdout, /^finished after 5 steps · 8,730 tokens in \(6,400 cached\) \/ 228 out · replay: nothing spent$/m);
    const session = /corral diff ([0-9a-f]+)/.exec(result.stdout)![1]!;
    const diff = await runCli(['diff', session], env);
    assert.match(diff.stdout, /- {4}return a - b\n\+ {4}return a \+ b/);
    const usage = await runCli(['usage', '--since', '1h'], env);
    assert.match(usage.stdout, /^total\s+5 \(5 replay\)\s+8,730\s+6,400\s+228\s+\$0\.00$/m);
    assert.match(usage.stdout, /nothing was spent/);
  });

  it('prints one summary document with --json (steps on stderr), and usage in its documented shape', async () => {
    fake.play([
      { toolCalls: [{ name: 'shell', arguments: { command: 'echo hi' } }], usage: { input: 1000, output: 20, cacheRead: 512 } },
      { text: 'Said hi.', usage: { input: 1100, output: 5, cacheRead: 1024 } },
    ]);
    const result = await runCli(['run', '--prompt', 'say hi', '--provider', 'openai', '--model', 'gpt-4o', '--json'], env, repo);
    assert.equal(result.code, 0, result.stderr);
    const summary = parseAs(RunSummary, result.stdout, 'run --json');
    assert.equal(summary.outcome, 'finished');
    assert.equal(summary.tokens.inputTokens, 2100);
    assert.ok(summary.costUsd! > 0);
    assert.match(result.stderr, /✓ shell echo hi → exit 0/);
    const usage = parseAs(UsageReport, (await runCli(['usage', '--by', 'model', '--json'], env)).stdout, 'usage --json');
    const gpt = usage.rows.find((r) => r.key === 'openai/gpt-4o')!;
    assert.equal(gpt.inputTokens, 2100);
    assert.equal(gpt.cacheReadTokens, 1536);
    assert.equal((await runCli(['usage', '--by', 'colour'], env)).code, 2);
  });

  it('stops on Ctrl-C, killing the running command, and exits 130', async () => {
    fake.play([{ toolCalls: [{ name: 'shell', arguments: { command: 'touch .started && sleep 60' } }] }, { text: 'never' }]);
    const child = spawn(process.execPath, [distCli, 'run', '--prompt', 'wait', '--provider', 'openai', '--model', 'gpt-4o'], {
      cwd: repo,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // Ctrl-C once the command runs in the jail: its flag appears in the session's workspace.
    const worktrees = path.join(home.home, 'worktrees');
    const running = (): string | undefined => (fs.existsSync(worktrees) ? fs.readdirSync(worktrees).find((id) => fs.existsSync(path.join(worktrees, id, '.started'))) : undefined);
    for (let waited = 0; running() === undefined; waited += 25) {
      if (waited > 30_000) assert.fail(`the command did not start: ${stdout}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 130);
    assert.match(stdout, /^stopped after 1 step/m);
    // Killed in the jail, not only abandoned by the CLI.
    const left = await runCli(['exec', running()!, '--', `for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^sleep 60' || true`], env);
    assert.equal(left.stdout.trim(), '0', `the sleep was killed: ${left.stderr}`);
  });

  it('says when there is nothing to do or no repository', async () => {
    const none = await runCli(['run'], env, repo);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /hint: say what with --prompt/);
    const outside = await runCli(['run', '--prompt', 'x'], env, '/');
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /not inside a repository/);
  });
});
