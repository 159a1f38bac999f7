import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuthList, EnvShow, ImageList, SessionList, TasksList, TasksNext } from '../../server/protocol';
import { DaemonRunningDocument, DaemonStoppedDocument, DoctorDocument } from '../../cli/documents';
import { ExitCode } from '../../cli/exitCodes';
import * as auth from '../../cli/commands/auth';
import * as daemon from '../../cli/commands/daemon';
import { doctor } from '../../cli/commands/doctor';
import * as env from '../../cli/commands/env';
import * as image from '../../cli/commands/image';
import * as session from '../../cli/commands/session';
import * as tasks from '../../cli/commands/tasks';
import { usage } from '../../cli/commands/usage';
import type { DaemonConnection } from '../../server/protocol/client';
import { runInProcess } from '../support/cli';
import { parseAs, resultOf } from '../support/cliJson';
import { startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';

const BOARD = ['# Tasks', '', '## Todo', '', '- [ ] T-1 Write the parser', '- [ ] T-2 Tables too (depends on T-1)', '', '## Done', '', '- [x] T-0 Set up the repo', ''].join('\n');

/**
 * Commands that need no terminal, called in this process: a context of memory streams and an env
 * naming a real daemon's home (the built bundle, spawned once), each command function called with
 * its typed options; what it printed and the exit status it returned are checked.
 */
describe('CLI commands in-process, against a real daemon', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  let daemonProcess: DaemonProcess;
  let io: { env: NodeJS.ProcessEnv; cwd: string };
  let repo: string;

  before(async () => {
    home = tempHome('clic');
    daemonProcess = await startDaemon(home.home);
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-clic-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    fs.mkdirSync(path.join(repo, 'docs'));
    fs.mkdirSync(path.join(repo, 'src'));
    fs.writeFileSync(path.join(repo, 'docs', 'TASKS.md'), BOARD);
    // The commands' working folder is a subfolder of the repository: defaults resolve from ctx.cwd, not process.cwd().
    io = { env: { CORRAL_HOME: home.home }, cwd: path.join(repo, 'src') };
  });
  after(async () => {
    await daemonProcess?.terminate();
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
    home?.cleanup();
  });

  it('daemon status: the running daemon as text and JSON (exit 0); an empty home is "not running", exit 3', async () => {
    const text = await runInProcess(daemon.status, {}, io);
    assert.equal(text.code, ExitCode.Ok, text.stderr);
    assert.match(text.stdout, new RegExp(`^pid +${daemonProcess.pid}$`, 'm'));
    const json = await runInProcess(daemon.status, {}, { ...io, json: true });
    assert.equal(json.code, ExitCode.Ok);
    assert.equal(parseAs(DaemonRunningDocument, json.stdout, 'daemon status --json').pid, daemonProcess.pid);

    const empty = tempHome('clie');
    try {
      const stopped = await runInProcess(daemon.status, {}, { env: { CORRAL_HOME: empty.home }, cwd: repo, json: true });
      assert.equal(stopped.code, ExitCode.DaemonUnavailable);
      assert.deepEqual(parseAs(DaemonStoppedDocument, stopped.stdout, 'daemon status --json'), { running: false, home: empty.home });
      assert.equal(stopped.stderr, '');
      // `status` never starts a daemon: the empty home stays without a socket.
      assert.equal(fs.existsSync(path.join(empty.home, 'corral.sock')), false);
    } finally {
      empty.cleanup();
    }
  });

  it('doctor: every check passes (exit 0); a home open to others fails with the chmod that fixes it (exit 1)', async () => {
    const ok = await runInProcess(doctor, {}, { ...io, json: true });
    const report = parseAs(DoctorDocument, ok.stdout, 'doctor --json');
    assert.equal(ok.code, ExitCode.Ok, JSON.stringify(report.checks.filter((c) => c.status === 'fail')));
    assert.equal(report.ok, true);
    assert.equal(report.checks.find((c) => c.id === 'daemon')?.status, 'ok');

    fs.chmodSync(home.home, 0o755);
    try {
      const open = await runInProcess(doctor, {}, io);
      assert.equal(open.code, ExitCode.Failure);
      assert.match(open.stdout, /FAIL +State directory +.* has mode 0755, others can use it/);
      assert.match(open.stdout, new RegExp(`State directory: hint: chmod 0700 ${home.home.replace(/[/.]/g, '\\$&')}`));
    } finally {
      fs.chmodSync(home.home, 0o700);
    }
  });

  it('session ls: none yet, for people and as JSON; session show of an unknown id: the error and its hint on stderr, exit 4', async () => {
    const text = await runInProcess(session.ls, {}, io);
    assert.deepEqual(text, { code: ExitCode.Ok, stdout: 'no sessions (start one with `corral session start`)\n', stderr: '' });
    const json = await runInProcess(session.ls, {}, { ...io, json: true });
    assert.deepEqual(parseAs(resultOf(SessionList), json.stdout, 'session ls --json'), []);

    const unknown = await runInProcess(session.show, { id: 'ffffffff' }, io);
    assert.equal(unknown.code, ExitCode.NotFound);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /^corral: error: .*ffffffff.*\nhint: .+\n$/);
  });

  it('tasks ls and next: the board of the repository the command runs in (ctx.cwd); none ready is exit 4', async () => {
    const list = await runInProcess(tasks.ls, { board: undefined, status: undefined, assignee: undefined }, io);
    assert.equal(list.code, ExitCode.Ok, list.stderr);
    assert.match(list.stdout, /^T-1 +todo +Write the parser/m);
    assert.match(list.stdout, /3 tasks: 2 todo, 1 done\n$/);
    const todo = await runInProcess(tasks.ls, { board: undefined, status: 'done', assignee: undefined }, { ...io, json: true });
    const listed = parseAs(resultOf(TasksList), todo.stdout, 'tasks ls --json');
    assert.equal(listed.board, path.join(fs.realpathSync(repo), 'docs', 'TASKS.md'));
    assert.deepEqual(
      listed.tasks.map((t) => t.id),
      ['T-0'],
    );

    const next = await runInProcess(tasks.next, { board: undefined }, { ...io, json: true });
    assert.equal(next.code, ExitCode.Ok, next.stderr);
    assert.equal(parseAs(resultOf(TasksNext), next.stdout, 'tasks next --json').task?.id, 'T-1');

    // A board with nothing to do: `next` says why and returns "not found" for scripts to loop on.
    const doneBoard = path.join(repo, 'docs', 'DONE.md');
    fs.writeFileSync(doneBoard, '# Tasks\n\n## Done\n\n- [x] T-9 All of it\n');
    const none = await runInProcess(tasks.next, { board: '../docs/DONE.md' }, io);
    assert.equal(none.code, ExitCode.NotFound);
    assert.match(none.stdout, /^no ready task on DONE\.md: /);
  });

  it('usage, env show, auth ls and image ls answer with exit 0 in their documented shapes', async () => {
    const spent = await runInProcess(usage, { since: '7d', by: 'model', all: undefined }, io);
    assert.equal(spent.code, ExitCode.Ok, spent.stderr);
    assert.match(spent.stdout, /^no model calls since \d{4}-\d\d-\d\d \d\d:\d\d UTC\n$/);

    const shown = await runInProcess(env.show, { repo: undefined }, { ...io, json: true });
    assert.equal(shown.code, ExitCode.Ok, shown.stderr);
    assert.equal(parseAs(resultOf(EnvShow), shown.stdout, 'env show --json').root, fs.realpathSync(repo));

    const grants = await runInProcess(auth.ls, {}, io);
    assert.equal(grants.code, ExitCode.Ok, grants.stderr);
    assert.match(grants.stdout, /^no grants: only \S+ \(the daemon's owner\) may use folders and boards\n$/);
    const grantsJson = await runInProcess(auth.ls, {}, { ...io, json: true });
    assert.deepEqual(parseAs(resultOf(AuthList), grantsJson.stdout, 'auth ls --json').grants, []);

    const images = await runInProcess(image.ls, {}, { ...io, json: true });
    assert.equal(images.code, ExitCode.Ok, images.stderr);
    assert.ok(Array.isArray(parseAs(resultOf(ImageList), images.stdout, 'image ls --json')));
  });

  it('the context owns the connection: one per command, closed when the command ends, also when it fails', async function () {
    // A connection left open never settles `closed`: fail in seconds, not at the suite's minute.
    this.timeout(10_000);
    const held: DaemonConnection[] = [];
    const hold = async (ctx: { connection(): Promise<DaemonConnection> }): Promise<void> => void held.push(await ctx.connection());
    const listed = await runInProcess(session.ls, {}, io, hold);
    assert.equal(listed.code, ExitCode.Ok);
    const failed = await runInProcess(session.show, { id: 'ffffffff' }, io, hold);
    assert.equal(failed.code, ExitCode.NotFound);
    // `closed` settles when the connection is disposed: both commands' connections are gone.
    await Promise.all(held.map((connection) => connection.closed));
    assert.equal(held.length, 2);
    assert.notEqual(held[0], held[1]);
  });
});
