import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANSI, runCli } from '../support/cli';
import { distCli, tempHome } from '../support/home';
import { imageCache, sampleRepo, TINY } from '../support/jail';

describe('corral CLI: sessions, exec and images', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let repo: ReturnType<typeof sampleRepo>;
  let session: string;

  before(async () => {
    home = tempHome('clis');
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache };
    repo = sampleRepo({ 'notes.txt': 'from the host\n' });
    const built = await runCli(['image', 'build', '--base', 'tiny', '--json'], env);
    assert.equal(built.code, 0, built.stderr);
    assert.equal((JSON.parse(built.stdout) as { tag: string }).tag, TINY);
    const started = await runCli(['session', 'start', '--repo', repo.dir, '--image', TINY, '--json'], env);
    assert.equal(started.code, 0, started.stderr);
    session = (JSON.parse(started.stdout) as { id: string }).id;
  });
  after(async () => {
    await runCli(['session', 'rm', session], env);
    await runCli(['daemon', 'stop'], env);
    repo.cleanup();
    home.cleanup();
  });

  it('lists images and sessions, for people and as JSON', async () => {
    const images = await runCli(['image', 'ls', '--json'], env);
    assert.ok((JSON.parse(images.stdout) as { tag: string }[]).some((i) => i.tag === TINY));
    const text = await runCli(['session', 'ls'], env);
    assert.match(text.stdout, new RegExp(`^${session}\\s+ready\\s+${TINY.replace('/', '\\/')}`, 'm'));
    assert.doesNotMatch(text.stdout, ANSI);
    const json = JSON.parse((await runCli(['session', 'ls', '--json'], env)).stdout) as { id: string; repo: string; state: string }[];
    assert.deepEqual(
      json.map((s) => [s.id, s.repo, s.state]),
      [[session, repo.dir, 'ready']],
    );
  });

  it('exec streams stdout and stderr to the right descriptors and exits with the command status', async () => {
    const result = await runCli(['exec', session, '--', 'cat notes.txt; echo to-err >&2; exit 42'], env);
    assert.equal(result.code, 42);
    assert.equal(result.stdout, 'from the host\n');
    assert.match(result.stderr, /^to-err\n/);
  });

  it('exec quotes several arguments so each arrives as typed', async () => {
    const result = await runCli(['exec', session, '--', 'printf', '[%s]\\n', 'two words', "it's", '$HOME'], env);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "[two words]\n[it's]\n[$HOME]\n");
  });

  it('accepts any unique prefix of a session id', async () => {
    const result = await runCli(['exec', session.slice(0, 4), '--', 'pwd'], env);
    assert.equal(result.stdout, '/workspace\n');
  });

  it('exec --timeout kills the command, says so, and exits 124', async () => {
    const result = await runCli(['exec', session, '--timeout', '0.5', '--', 'sleep 20'], env);
    assert.equal(result.code, 124);
    assert.match(result.stderr, /timed out after 0.5 s/);
  });

  it('exec forwards Ctrl-C to the jailed command only and exits 130', async () => {
    const child = spawn(process.execPath, [distCli, 'exec', session, '--', 'echo started; sleep 30'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    while (!stdout.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 130);
    assert.ok(Date.now() - started < 5000, 'did not wait for sleep');
    assert.match(stderr, /interrupted; the command was killed, the session keeps running/);
    assert.equal((await runCli(['exec', session, '--', 'echo still here'], env)).stdout, 'still here\n');
  });

  it('exec --json prints one document with the result', async () => {
    const result = await runCli(['exec', session, '--json', '--', 'echo hi'], env);
    assert.equal(result.code, 0);
    const parsed = JSON.parse(result.stdout) as { exitCode: number; stdout: string; stderr: string; timedOut: boolean };
    assert.equal(parsed.exitCode, 0);
    assert.equal(parsed.stdout, 'hi\n');
  });

  it('refuses an unknown session with exit 4 and a hint', async () => {
    const result = await runCli(['exec', 'nosuchsession', '--', 'true'], env);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /no session nosuchsession\nhint: .*corral session ls/);
  });

  it('starts on the repository the command runs in, from any folder inside it', async () => {
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo.dir, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'init');
    fs.mkdirSync(path.join(repo.dir, 'deep', 'er'), { recursive: true });
    const started = await runCli(['session', 'start', '--image', TINY, '--json'], env, path.join(repo.dir, 'deep', 'er'));
    assert.equal(started.code, 0, started.stderr);
    const s = JSON.parse(started.stdout) as { id: string; repoRoot: string; branch: string };
    assert.equal(s.repoRoot, repo.dir);
    assert.equal(s.branch, `corral/${s.id}`);
    assert.equal((await runCli(['session', 'rm', s.id, '--purge'], env)).code, 0);
    fs.rmSync(path.join(repo.dir, '.git'), { recursive: true, force: true });
  });

  it('session rm removes the container and the workspace copy, never the host folder', async () => {
    const extra = JSON.parse((await runCli(['session', 'start', '--repo', repo.dir, '--image', TINY, '--json'], env)).stdout) as { id: string; workspace: string };
    assert.ok(fs.existsSync(path.join(extra.workspace, 'notes.txt')));
    const removed = await runCli(['session', 'rm', extra.id], env);
    assert.equal(removed.code, 0);
    assert.equal(fs.existsSync(extra.workspace), false);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'notes.txt'), 'utf8'), 'from the host\n');
    assert.equal((await runCli(['exec', extra.id, '--', 'true'], env)).code, 4);
  });
});
