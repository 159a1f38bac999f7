import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { tempHome } from '../support/home';
import { imageCache, sampleRepo, TINY } from '../support/jail';
import { MERGE_BOARD as BOARD } from '../support/boards';

/**
 * The board in a session's changes, end to end: a jailed session edits docs/TASKS.md, `corral
 * tasks` edits the repository's board meanwhile, and `corral apply` merges the two (or refuses,
 * changing nothing, when both changed the same task).
 */
describe('corral apply with the task board edited on both sides', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let repo: ReturnType<typeof sampleRepo>;
  const sessions: string[] = [];
  const board = (): string => path.join(repo.dir, 'docs', 'TASKS.md');

  before(async () => {
    home = tempHome('boardmerge');
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache, NO_COLOR: undefined };
    repo = sampleRepo({ 'docs/TASKS.md': BOARD, 'src/app.txt': 'v1\n' });
    for (const args of [
      ['init', '-q'],
      ['add', '-A'],
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'board'],
    ])
      execFileSync('git', args, { cwd: repo.dir });
    const built = await runCli(['image', 'build', '--base', 'tiny', '--json'], env);
    assert.equal(built.code, 0, built.stderr);
  });
  after(async () => {
    for (const id of sessions) await runCli(['session', 'rm', id], env);
    await runCli(['daemon', 'stop'], env);
    repo.cleanup();
    home.cleanup();
  });

  /** A new session over the repository as it is committed; `script` runs in its jail. */
  async function sessionThat(script: string): Promise<string> {
    const started = await runCli(['session', 'start', '--repo', repo.dir, '--image', TINY, '--json'], env);
    assert.equal(started.code, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { id: string }).id;
    sessions.push(id);
    const ran = await runCli(['exec', id, '--', script], env);
    assert.equal(ran.code, 0, ran.stderr);
    return id;
  }

  it('merges the session ticking T-4 with `corral tasks start T-3` made meanwhile', async () => {
    const id = await sessionThat("sed -i 's/^- \\[ \\] T-4 Docs$/- [x] T-4 Docs/' docs/TASKS.md && echo v2 > src/app.txt");
    const started = await runCli(['tasks', 'start', 'T-3'], env, repo.dir);
    assert.equal(started.code, 0, started.stderr);
    const ours = fs.readFileSync(board(), 'utf8');
    const applied = await runCli(['apply', id, '--patch'], env, repo.dir);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(fs.readFileSync(board(), 'utf8'), ours.replace('- [ ] T-4 Docs', '- [x] T-4 Docs'));
    assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.txt'), 'utf8'), 'v2\n');
  });

  it('refuses, changing nothing, when the session and `corral tasks done` changed the same task', async () => {
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qam', 'applied'], { cwd: repo.dir });
    const id = await sessionThat("sed -i 's/^- \\[ \\] T-2 Printer$/- [x] T-2 Printer (in the session)/' docs/TASKS.md && echo v3 > src/app.txt");
    const done = await runCli(['tasks', 'done', 'T-2'], env, repo.dir);
    assert.equal(done.code, 0, done.stderr);
    const bytes = fs.readFileSync(board());
    const applied = await runCli(['apply', id, '--patch'], env, repo.dir);
    assert.equal(applied.code, 1);
    assert.match(
      applied.stderr,
      /the task board docs\/TASKS\.md was changed both in your repository and in the session on the same lines — .*the session's “- \[x\] T-2 Printer \(in the session\)”/,
    );
    assert.match(applied.stderr, /hint: nothing was applied/);
    assert.deepEqual(fs.readFileSync(board()), bytes);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.txt'), 'utf8'), 'v2\n');
  });
});
