import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, SessionApply, SessionDiff, SessionRemove, SessionStart, ShellExec } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';
import { MemoryRepo } from '../support/memoryRepo';

const IMAGE = 'corral/fake:latest';

/**
 * A session's workspace through the real RPC edge, SessionService and Workspaces, with the host
 * repository port in memory (test/support/memoryRepo.ts, held to real git by
 * test/integration/hostRepo.test.ts): no git process, no Docker. What the jail's commands change
 * in the workspace is diffed and applied to the user's repository; a conflicting apply changes
 * nothing. Real git under the same calls is serviceSessions.test.ts's and sessions.test.ts's.
 */
describe('service: workspaces on the in-memory host repository (in-process harness)', () => {
  let h: Harness;
  let owner: HarnessClient;
  let dir: string;
  let root: string;
  let base: string;
  const memory = new MemoryRepo();

  before(async () => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cr-memws-')));
    root = path.join(dir, 'repo');
    base = memory.create(root, { 'README.md': '# project\n', 'src/app.js': 'console.log("v1");\n' });
    h = await startHarness({
      hostRepo: memory,
      // What the agent's commands would do in /workspace, done to the session's workspace folder.
      script: (command, { workspace }) => {
        if (command === 'edit') fs.writeFileSync(path.join(workspace, 'src', 'app.js'), 'console.log("v2");\n');
        if (command === 'add') fs.writeFileSync(path.join(workspace, 'NOTES.md'), 'notes\n');
        return { stdout: '' };
      },
    });
    owner = await h.connect();
  });
  after(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts on the repository’s HEAD, diffs what the commands changed, applies it as one commit', async () => {
    const s = await owner.rpc.sendRequest(SessionStart, { repo: path.join(root, 'src'), image: IMAGE });
    assert.equal(s.repoRoot, root);
    assert.equal(s.baseCommit, base);
    assert.equal(fs.readFileSync(path.join(s.workspace, 'src', 'app.js'), 'utf8'), 'console.log("v1");\n', 'checked out at HEAD');

    await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'edit' });
    await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'add' });
    const diff = await owner.rpc.sendRequest(SessionDiff, { session: s.id, patch: true });
    assert.equal(diff.base, base);
    assert.deepEqual(
      diff.files.map((f) => [f.path, f.status]),
      [
        ['NOTES.md', 'A'],
        ['src/app.js', 'M'],
      ],
    );
    assert.match(diff.patch ?? '', /-console.log\("v1"\);\n\+console.log\("v2"\);/);

    const applied = await owner.rpc.sendRequest(SessionApply, { session: s.id, mode: 'commit' });
    assert.equal(applied.files, 2);
    assert.deepEqual(memory.committed(root, applied.commit), { 'README.md': '# project\n', 'src/app.js': 'console.log("v2");\n', 'NOTES.md': 'notes\n' });
    assert.equal(fs.readFileSync(path.join(root, 'src', 'app.js'), 'utf8'), 'console.log("v2");\n');
    await owner.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
  });

  it('refuses to apply over the user’s own edit of the same file, changing nothing', async () => {
    const s = await owner.rpc.sendRequest(SessionStart, { repo: root, image: IMAGE });
    const head = s.baseCommit;
    fs.writeFileSync(path.join(s.workspace, 'README.md'), '# project, by the session\n');
    await owner.rpc.sendRequest(ShellExec, { session: s.id, command: 'add' });
    fs.writeFileSync(path.join(root, 'README.md'), '# project, by the user\n');
    fs.rmSync(path.join(root, 'NOTES.md'));

    const refused = await owner.rpc.sendRequest(SessionApply, { session: s.id, mode: 'patch' }).then(
      () => assert.fail('applied over the user’s edit'),
      (error: { code: number }) => error,
    );
    assert.equal(refused.code, ErrorCode.Conflict);
    assert.equal(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), '# project, by the user\n');
    assert.equal(fs.existsSync(path.join(root, 'NOTES.md')), false, 'no part of the patch was applied');
    assert.equal((await memory.head(root))?.commit, head);
    await owner.rpc.sendRequest(SessionRemove, { session: s.id, purge: true });
  });
});
