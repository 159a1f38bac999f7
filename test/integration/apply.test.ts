import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { ErrorCode } from '../../server/protocol';
import { applyToRepo, touchesGitDir } from '../../server/workspace/apply';
import { historyRepo } from '../support/gitrepo';

/** A patch that would create `file` with `content`. */
function creating(file: string, content: string): string {
  return [`diff --git a/${file} b/${file}`, 'new file mode 100755', 'index 0000000..1111111', '--- /dev/null', `+++ b/${file}`, '@@ -0,0 +1 @@', `+${content}`, ''].join('\n');
}

describe('apply onto the user repository (real git)', () => {
  let repo: ReturnType<typeof historyRepo>;
  beforeEach(() => (repo = historyRepo()));
  afterEach(() => repo.cleanup());

  it('recognises .git path components in every disguise', () => {
    for (const file of ['.git/hooks/pre-commit', 'a/.git/config', '.GIT/config', '.git./x', '.git /x', 'git~1/config']) assert.ok(touchesGitDir(file), file);
    for (const file of ['.github/workflows/ci.yml', '.gitignore', 'src/git.ts', 'docs/.gitkeep']) assert.equal(touchesGitDir(file), false, file);
  });

  it('refuses a patch that writes inside .git, changing nothing', async () => {
    const patch = creating('.git/hooks/pre-commit', 'touch /tmp/pwned') + creating('ok.txt', 'fine');
    for (const mode of ['commit', 'patch'] as const) {
      await assert.rejects(
        applyToRepo(repo.dir, patch, mode, 'x'),
        (error: unknown) => error instanceof CorralError && error.code === ErrorCode.Forbidden && /\.git/.test(error.message),
      );
    }
    assert.equal(fs.existsSync(path.join(repo.dir, '.git', 'hooks', 'pre-commit')), false);
    assert.equal(fs.existsSync(path.join(repo.dir, 'ok.txt')), false);
    assert.equal(repo.git('status', '--porcelain'), '');
  });

  it('refuses a commit while the user has staged work, changing nothing', async () => {
    fs.writeFileSync(path.join(repo.dir, 'staged.txt'), 'mine\n');
    repo.git('add', 'staged.txt');
    await assert.rejects(
      applyToRepo(repo.dir, creating('new.txt', 'x'), 'commit', 'x'),
      (error: unknown) => error instanceof CorralError && error.code === ErrorCode.Conflict && /staged/.test(error.message),
    );
    assert.equal(fs.existsSync(path.join(repo.dir, 'new.txt')), false);
    assert.equal(repo.git('status', '--porcelain'), 'A  staged.txt\n');
  });

  it('applies a clean patch as one commit', async () => {
    const result = await applyToRepo(repo.dir, creating('new.txt', 'hello'), 'commit', 'corral: test');
    assert.equal(result.files, 1);
    assert.equal(repo.git('log', '-1', '--format=%s').trim(), 'corral: test');
    assert.equal(fs.readFileSync(path.join(repo.dir, 'new.txt'), 'utf8'), 'hello\n');
  });
});
