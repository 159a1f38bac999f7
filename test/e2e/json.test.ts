import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANSI, runCli, type CliResult } from '../support/cli';
import { historyRepo } from '../support/gitrepo';
import { tempHome } from '../support/home';
import { imageCache, TINY } from '../support/jail';
import { DaemonRunningDocument, DaemonStoppedDocument, DoctorDocument } from '../../cli/documents';
import { ImageBuild, ImageList, SessionApply, SessionDiff, SessionInfo, SessionList, SessionRemove, SessionShow, ShellExec } from '../../server/protocol';
import { parseAs, resultOf } from '../support/cliJson';

/**
 * Every command as a script would use it: `--json` prints exactly one document of the shape
 * docs/cli.md gives — the result schema of the request when the CLI prints the daemon's answer as
 * it is, else the CLI's own document (cli/documents.ts) — and neither that nor the text output carries an
 * escape code when stdout and stderr are pipes.
 */
describe('corral CLI: --json shapes of every command, and plain output off a terminal', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let repo: ReturnType<typeof historyRepo>;
  let env: NodeJS.ProcessEnv;

  before(() => {
    home = tempHome('json');
    repo = historyRepo();
    // NO_COLOR unset on purpose: pipes alone must be enough to keep escape codes out.
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache, NO_COLOR: undefined, FORCE_COLOR: undefined };
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    repo.cleanup();
    home.cleanup();
  });

  async function cli(args: string[], expectedCode = 0): Promise<CliResult> {
    const result = await runCli(args, env, repo.dir);
    assert.equal(result.code, expectedCode, `corral ${args.join(' ')}: ${result.stderr}`);
    assert.doesNotMatch(result.stdout, ANSI, `corral ${args.join(' ')}: escape code on stdout`);
    assert.doesNotMatch(result.stderr, ANSI, `corral ${args.join(' ')}: escape code on stderr`);
    return result;
  }
  async function json<T>(shape: Parameters<typeof parseAs<T>>[0], args: string[], expectedCode = 0): Promise<T> {
    // Before the words, so it is not taken for part of an exec command line (it works anywhere else).
    const result = await cli(['--json', ...args], expectedCode);
    return parseAs(shape, result.stdout, `corral ${args.join(' ')} --json`);
  }

  it('walks every command from a fresh home to a removed session', async () => {
    assert.deepEqual(await json(DaemonStoppedDocument, ['daemon', 'status'], 3), { running: false, home: home.home });
    await cli(['daemon', 'status'], 3);
    assert.equal((await json(DaemonRunningDocument, ['daemon', 'start'])).home, home.home);
    await json(DaemonRunningDocument, ['daemon', 'status']);
    await cli(['daemon', 'status']);

    const doctor = await json(DoctorDocument, ['doctor']);
    assert.equal(doctor.ok, true, JSON.stringify(doctor.checks));
    await cli(['doctor']);

    assert.equal((await json(resultOf(ImageBuild), ['image', 'build', '--base', 'tiny'])).tag, TINY);
    assert.ok((await json(resultOf(ImageList), ['image', 'ls'])).some((i) => i.tag === TINY));
    await cli(['image', 'ls']);

    // From a sub-folder: the repository root is found.
    fs.mkdirSync(path.join(repo.dir, 'src', 'deep'), { recursive: true });
    const started = await runCli(['session', 'start', '--image', TINY, '--json'], env, path.join(repo.dir, 'src', 'deep'));
    assert.equal(started.code, 0, started.stderr);
    const session = parseAs(SessionInfo, started.stdout, 'session start');
    assert.equal(session.repoRoot, fs.realpathSync(repo.dir));
    assert.equal(session.state, 'ready');
    const id = session.id.slice(0, 6);

    assert.deepEqual(
      (await json(resultOf(SessionList), ['session', 'ls'])).map((s) => s.id),
      [session.id],
    );
    await cli(['session', 'ls']);

    const exec = await json(resultOf(ShellExec), ['exec', id, '--', 'echo changed > README.md && echo hello > new.txt && echo out']);
    assert.equal(exec.stdout, 'out\n');
    assert.equal(exec.exitCode, 0);
    const failed = await json(resultOf(ShellExec), ['exec', id, '--', 'exit 7'], 7);
    assert.equal(failed.exitCode, 7);

    assert.equal((await json(SessionInfo, ['session', 'pause', id])).state, 'paused');
    assert.equal((await json(SessionInfo, ['session', 'resume', id])).state, 'ready');
    const shown = await json(resultOf(SessionShow), ['session', 'show', id]);
    assert.equal(shown.summary.commands, 2);
    await cli(['session', 'show', id]);

    const diff = await json(resultOf(SessionDiff), ['diff', id]);
    assert.deepEqual(diff.files.map((f) => [f.path, f.status]).sort(), [
      ['README.md', 'M'],
      ['new.txt', 'A'],
    ]);
    assert.match(diff.patch ?? '', /\+hello/);
    assert.equal((await json(resultOf(SessionDiff), ['diff', id, '--stat'])).patch, undefined);
    await cli(['diff', id, '--stat']);

    assert.equal((await json(SessionInfo, ['session', 'stop', id])).state, 'stopped');
    const applied = await json(resultOf(SessionApply), ['apply', id]);
    assert.equal(applied.files, 2);
    assert.match(applied.commit ?? '', /^[0-9a-f]{40}$/);
    assert.equal(fs.readFileSync(path.join(repo.dir, 'new.txt'), 'utf8'), 'hello\n');

    assert.deepEqual(await json(resultOf(SessionRemove), ['session', 'rm', id, '--purge']), { removed: session.id });
    const stopped = await json(DaemonStoppedDocument, ['daemon', 'stop']);
    assert.equal(stopped.stopped, true);
  });

  it('prints errors as one JSON-free pair of lines on stderr, even with --json', async () => {
    const result = await runCli(['session', 'show', 'nope', '--json'], env, repo.dir);
    assert.equal(result.code, 4);
    assert.equal(result.stdout, '');
    // The daemon was stopped by the test before: it is started again, and that is said first.
    assert.match(result.stderr, /^corral: starting the daemon for .+\ncorral: error: no session nope\nhint: .+\n$/);
  });
});
