import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { ErrorCode } from '../../server/protocol';
import { editBoard, loadBoard } from '../../server/tasks/file';
import { applyToRepo } from '../../server/workspace/apply';
import { historyRepo } from '../support/gitrepo';
import { MERGE_BOARD as BOARD } from '../support/boards';

/**
 * A session that edits the task board while the board is edited in the repository (by a person,
 * or by `corral tasks`): `apply` merges the board three-way with real git (server/workspace/
 * boardMerge.ts) — a clean merge applies, a conflict refuses the whole apply and changes nothing.
 * The session is a real clone sharing the repository's objects; its patch is `git diff --binary`
 * against the base, as sessions make it.
 */
describe('apply: the task board merged three-way (real git)', () => {
  let repo: ReturnType<typeof historyRepo>;
  let session: string;
  let base: string;
  const board = (): string => path.join(repo.dir, 'docs', 'TASKS.md');
  const inSession = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=S', '-c', 'user.email=s@example.invalid', ...args], { cwd: session, encoding: 'utf8' });

  beforeEach(() => {
    repo = historyRepo();
    fs.mkdirSync(path.join(repo.dir, 'docs'));
    fs.writeFileSync(board(), BOARD);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'board');
    base = repo.git('rev-parse', 'HEAD').trim();
    session = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-board-session-'));
    execFileSync('git', ['clone', '-q', '--shared', repo.dir, session]);
  });
  afterEach(() => {
    repo.cleanup();
    fs.rmSync(session, { recursive: true, force: true });
  });

  /** The session edits its board (and app.js) and commits; its patch against the base. */
  function sessionPatch(edit: (text: string) => string): string {
    const file = path.join(session, 'docs', 'TASKS.md');
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
    fs.writeFileSync(path.join(session, 'src', 'app.js'), 'console.log("v2");\n');
    inSession('commit', '-qam', 'work');
    return inSession('diff', '--no-ext-diff', '-M', '--binary', base);
  }

  it('merges edits of different tasks — adjacent lines too — made by corral tasks in the repository and by the session (patch and commit modes)', async () => {
    for (const mode of ['patch', 'commit'] as const) {
      if (mode === 'commit') {
        repo.git('checkout', '-q', '--', '.');
        repo.git('clean', '-qfd');
      }
      // The session ticks T-2 (the line right under T-1's new note) or, in the second round, T-4.
      const [from, to] = mode === 'patch' ? ['- [ ] T-2 Printer', '- [x] T-2 Printer'] : ['- [ ] T-4 Docs', '- [x] T-4 Docs'];
      const patch = sessionPatch((t) => t.replace(from, to));
      // Meanwhile in the repository: `corral tasks note T-1` (a sub-item) and `start T-3`.
      const before = loadBoard(board());
      editBoard(board(), before.version, { op: 'note', id: 'T-1', text: '2026-12-04 20:00 ana: half done' });
      editBoard(board(), undefined, { op: 'assign', id: 'T-3', user: 'ana' });
      const ours = fs.readFileSync(board(), 'utf8');
      assert.match(ours, /- \[ \] T-1 Parser\n {2}- 2026-12-04 20:00 ana: half done\n- \[ \] T-2 Printer\n- \[ \] T-3 Colours @ana\n/);
      if (mode === 'commit') repo.git('commit', '-qam', 'board edits meanwhile');

      const result = await applyToRepo(repo.dir, patch, mode, 'corral: session');
      assert.equal(result.files, 2);
      const merged = fs.readFileSync(board(), 'utf8');
      const expected = ours.replace(from, to);
      assert.equal(merged, expected, "both sides' edits, every other byte as it was");
      assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.js'), 'utf8'), 'console.log("v2");\n', 'the rest of the patch applied');
      if (mode === 'commit') {
        assert.equal(repo.git('status', '--porcelain'), '', 'everything committed');
        assert.equal(repo.git('show', 'HEAD:docs/TASKS.md'), merged);
      }
      // Next round on a fresh session.
      fs.rmSync(session, { recursive: true, force: true });
      execFileSync('git', ['clone', '-q', '--shared', repo.dir, session]);
      base = repo.git('rev-parse', 'HEAD').trim();
    }
  });

  it('merges a task the session added at the end of Todo with a status changed in the repository', async () => {
    const patch = sessionPatch((t) => t.replace('- [ ] T-4 Docs\n', '- [ ] T-4 Docs\n- [ ] T-5 Release notes\n'));
    fs.writeFileSync(board(), BOARD.replace('- [ ] T-1 Parser', '- [x] T-1 Parser'));
    await applyToRepo(repo.dir, patch, 'patch', 'x');
    assert.equal(fs.readFileSync(board(), 'utf8'), BOARD.replace('- [ ] T-1 Parser', '- [x] T-1 Parser').replace('- [ ] T-4 Docs\n', '- [ ] T-4 Docs\n- [ ] T-5 Release notes\n'));
  });

  it('merges a task moved to In progress by corral tasks start with the session ticking the task right after it', async () => {
    const patch = sessionPatch((t) => t.replace('- [ ] T-4 Docs', '- [x] T-4 Docs'));
    const before = loadBoard(board());
    editBoard(board(), before.version, { op: 'assign', id: 'T-3', user: 'ana' });
    editBoard(board(), undefined, { op: 'status', id: 'T-3', status: 'in_progress' });
    const ours = fs.readFileSync(board(), 'utf8');
    assert.match(ours, /## In progress\n\n- \[~\] T-3 Colours @ana\n[^]*- \[ \] T-2 Printer\n- \[ \] T-4 Docs\n/, 'T-3 left Todo, right above T-4');
    await applyToRepo(repo.dir, patch, 'patch', 'x');
    assert.equal(fs.readFileSync(board(), 'utf8'), ours.replace('- [ ] T-4 Docs', '- [x] T-4 Docs'));
  });

  it('refuses the whole apply when both sides changed the same line, naming the board and the line; the repository is unchanged', async () => {
    const patch = sessionPatch((t) => t.replace('- [ ] T-2 Printer', '- [x] T-2 Printer'));
    fs.writeFileSync(board(), BOARD.replace('- [ ] T-2 Printer', '- [~] T-2 Printer @ana'));
    const status = repo.git('status', '--porcelain');
    const bytes = fs.readFileSync(board());
    for (const mode of ['patch', 'commit'] as const) {
      await assert.rejects(applyToRepo(repo.dir, patch, mode, 'x'), (error: unknown) => {
        assert.ok(error instanceof CorralError);
        assert.equal(error.code, ErrorCode.Conflict);
        assert.equal(
          error.message,
          "the task board docs/TASKS.md was changed both in your repository and in the session on the same lines — line 8: yours “- [~] T-2 Printer @ana”, the session's “- [x] T-2 Printer”",
        );
        assert.match(error.hint, /^nothing was applied/);
        return true;
      });
    }
    assert.deepEqual(fs.readFileSync(board()), bytes);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'src', 'app.js'), 'utf8'), 'console.log("v1");\n', 'the rest of the patch was not applied either');
    assert.equal(repo.git('status', '--porcelain'), status);
    assert.deepEqual(fs.readdirSync(path.join(repo.dir, 'docs')), ['TASKS.md'], 'no temporary file left');
  });

  it('merges a CRLF board when the patch holds nothing else, as a commit, keeping its line endings', async () => {
    const crlf = BOARD.replaceAll('\n', '\r\n');
    fs.writeFileSync(board(), crlf);
    repo.git('commit', '-qam', 'crlf');
    base = repo.git('rev-parse', 'HEAD').trim();
    fs.rmSync(session, { recursive: true, force: true });
    execFileSync('git', ['clone', '-q', '--shared', repo.dir, session]);
    const file = path.join(session, 'docs', 'TASKS.md');
    fs.writeFileSync(file, crlf.replace('- [ ] T-3 Colours', '- [x] T-3 Colours'));
    inSession('commit', '-qam', 'tick T-3');
    const patch = inSession('diff', '--no-ext-diff', '-M', '--binary', base);
    fs.writeFileSync(board(), crlf.replace('- [ ] T-4 Docs\r\n', '- [ ] T-4 Docs\r\n  - 2026-12-04 20:30 ana: draft\r\n'));
    const result = await applyToRepo(repo.dir, patch, 'commit', 'corral: board only');
    assert.equal(result.files, 1);
    const expected = crlf.replace('- [ ] T-3 Colours', '- [x] T-3 Colours').replace('- [ ] T-4 Docs\r\n', '- [ ] T-4 Docs\r\n  - 2026-12-04 20:30 ana: draft\r\n');
    assert.equal(fs.readFileSync(board(), 'utf8'), expected);
    assert.equal(repo.git('show', 'HEAD:docs/TASKS.md'), expected);
    assert.equal(repo.git('log', '-1', '--format=%s').trim(), 'corral: board only');
  });

  it("applies the session's board as before when the repository did not change it", async () => {
    const patch = sessionPatch((t) => t.replace('- [ ] T-2 Printer', '- [x] T-2 Printer'));
    await applyToRepo(repo.dir, patch, 'commit', 'x');
    assert.equal(repo.git('show', 'HEAD:docs/TASKS.md'), BOARD.replace('- [ ] T-2 Printer', '- [x] T-2 Printer'));
  });
});
