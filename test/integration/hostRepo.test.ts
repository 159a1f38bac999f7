import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import type { HostRepo } from '../../server/ports/git';
import { ErrorCode } from '../../server/protocol';
import { gitHostRepo } from '../../server/workspace/hostRepo';
import { MemoryRepo } from '../support/memoryRepo';

/** One-line text files, so every implementation counts the same lines added and deleted. */
const FILES = { 'README.md': '# project\n', 'src/app.js': 'console.log("v1");\n', 'gone.txt': 'to be deleted\n' };

interface Subject {
  port: HostRepo;
  /** Makes a repository at `root` with FILES committed on `main`; returns the commit. */
  create(root: string): string;
}

const subjects: [string, () => Subject][] = [
  [
    'real git',
    () => ({
      port: gitHostRepo,
      create: (root) => {
        const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
        git('init', '-q', '--initial-branch=main');
        git('config', 'user.name', 'Tester');
        git('config', 'user.email', 'tester@example.invalid');
        for (const [file, text] of Object.entries(FILES)) {
          fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
          fs.writeFileSync(path.join(root, file), text);
        }
        git('add', '-A');
        git('commit', '-qm', 'first');
        return git('rev-parse', 'HEAD').trim();
      },
    }),
  ],
  [
    'the in-memory fake',
    () => {
      const memory = new MemoryRepo();
      return { port: memory, create: (root) => memory.create(root, FILES) };
    },
  ],
];

/**
 * The host repository port's contract, run against real git and against the in-memory fake that
 * service tests may use instead: finding a repository, private checkouts (with and without the
 * user's uncommitted work), the diff of a session's changes, applying it as a commit, and a
 * conflicting apply refused with nothing changed. A fake that drifts from git fails here.
 */
for (const [name, make] of subjects) {
  describe(`host repository port: ${name}`, () => {
    let dir: string;
    let root: string;
    let subject: Subject;
    let base: string;
    const paths = (id: string): { workspace: string; trusted: string } => ({ workspace: path.join(dir, 'worktrees', id), trusted: path.join(dir, 'trusted', `${id}.git`) });
    const read = (folder: string, file: string): string | undefined => (fs.existsSync(path.join(folder, file)) ? fs.readFileSync(path.join(folder, file), 'utf8') : undefined);

    before(() => {
      dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cr-hostrepo-')));
      root = path.join(dir, 'repo');
      fs.mkdirSync(root);
      subject = make();
      base = subject.create(root);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('finds the repository above a folder, also through a held descriptor, and none outside one', async () => {
      const found = await subject.port.inspect(path.join(root, 'src'));
      assert.deepEqual(found && { root: found.root, head: found.head, branch: found.branch }, { root, head: base, branch: 'main' });
      assert.ok(fs.statSync(found!.objectsDir).isDirectory(), 'the objects a session mounts are there');
      assert.deepEqual(await subject.port.head(path.join(root, 'src')), { root, commit: base });
      // The daemon reads a checked folder through its descriptor (server/auth/heldDirectory.ts).
      const fd = fs.openSync(root, 'r');
      try {
        assert.equal((await subject.port.inspect(`/proc/self/fd/${fd}/src`))?.root, root);
      } finally {
        fs.closeSync(fd);
      }
      const outside = path.join(dir, 'plain');
      fs.mkdirSync(outside);
      assert.equal(await subject.port.inspect(outside), undefined);
      assert.equal(await subject.port.head(outside), undefined);
    });

    it("checks out the base commit, bringing the user's uncommitted work only when asked", async () => {
      fs.writeFileSync(path.join(root, 'README.md'), '# project, edited\n');
      fs.writeFileSync(path.join(root, 'notes.txt'), 'untracked\n');
      try {
        const repo = (await subject.port.inspect(root))!;
        await subject.port.checkout(repo, paths('clean'), 'clean', false);
        await subject.port.checkout(repo, paths('carried'), 'carried', true);
        assert.equal(read(paths('clean').workspace, 'README.md'), '# project\n');
        assert.equal(read(paths('clean').workspace, 'notes.txt'), undefined);
        assert.equal(read(paths('carried').workspace, 'README.md'), '# project, edited\n');
        assert.equal(read(paths('carried').workspace, 'notes.txt'), 'untracked\n');
      } finally {
        fs.writeFileSync(path.join(root, 'README.md'), FILES['README.md']);
        fs.rmSync(path.join(root, 'notes.txt'));
      }
    });

    it("diffs a session's changes against its base and applies them as one commit", async () => {
      const repo = (await subject.port.inspect(root))!;
      const at = paths('work');
      await subject.port.checkout(repo, at, 'work', false);
      fs.writeFileSync(path.join(at.workspace, 'src', 'app.js'), 'console.log("v2");\n');
      fs.writeFileSync(path.join(at.workspace, 'added.txt'), 'new file\n');
      fs.rmSync(path.join(at.workspace, 'gone.txt'));

      const diff = await subject.port.diff(at, base);
      assert.equal(diff.base, base);
      assert.deepEqual(
        diff.files.map((f) => [f.path, f.status, f.added, f.deleted]),
        [
          ['added.txt', 'A', 1, 0],
          ['gone.txt', 'D', 0, 1],
          ['src/app.js', 'M', 1, 1],
        ],
      );
      assert.match(diff.stat, /src\/app\.js/);

      // Applied through a held descriptor of the repository, as the daemon does.
      const fd = fs.openSync(root, 'r');
      const applied = await subject.port.apply(`/proc/self/fd/${fd}`, diff.patch, 'commit', 'corral: session work').finally(() => fs.closeSync(fd));
      assert.equal(applied.files, 3);
      assert.match(applied.commit ?? '', /^[0-9a-f]{40}$/);
      assert.deepEqual(await subject.port.head(root), { root, commit: applied.commit });
      assert.equal(read(root, 'src/app.js'), 'console.log("v2");\n');
      assert.equal(read(root, 'added.txt'), 'new file\n');
      assert.equal(read(root, 'gone.txt'), undefined);
    });

    it("refuses a patch that conflicts with the user's work tree, changing nothing", async () => {
      const repo = (await subject.port.inspect(root))!;
      const at = paths('conflict');
      await subject.port.checkout(repo, at, 'conflict', false);
      fs.writeFileSync(path.join(at.workspace, 'src', 'app.js'), 'console.log("session");\n');
      fs.writeFileSync(path.join(at.workspace, 'also.txt'), 'would be added\n');
      const diff = await subject.port.diff(at, repo.head);
      fs.writeFileSync(path.join(root, 'src', 'app.js'), 'console.log("user");\n');

      const error = await subject.port.apply(root, diff.patch, 'patch', 'unused').then(
        () => assert.fail('applied over the user’s edit'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof CorralError, String(error));
      assert.equal(error.code, ErrorCode.Conflict);
      assert.equal(read(root, 'src/app.js'), 'console.log("user");\n');
      assert.equal(read(root, 'also.txt'), undefined, 'no part of the patch was applied');
      assert.deepEqual(await subject.port.head(root), { root, commit: repo.head });
    });
  });
}
