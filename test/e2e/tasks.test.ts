import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ANSI, runCli } from '../support/cli';
import { tempHome } from '../support/home';
import { TasksList, TasksUpdate } from '../../server/protocol';
import { parseAs, resultOf } from '../support/cliJson';

// What `tasks ls` and `tasks start` print is the daemon's answer as it is.
const listShape = resultOf(TasksList);
const updateShape = resultOf(TasksUpdate);

const BOARD = [
  '# Tasks',
  '',
  '## In progress',
  '',
  '## Todo',
  '',
  '- [ ] T-1 Write the parser #core',
  '  - [ ] T-2 Tables too',
  '- [ ] T-3 Edit surgically  ',
  '',
  '## Done',
  '',
  '- [x] T-0 Set up the repo 🎉',
  '',
].join('\r\n');

describe('corral tasks', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let repo: string;
  let board: string;

  before(() => {
    home = tempHome('tasks');
    env = { CORRAL_HOME: home.home, NO_COLOR: undefined };
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-tasks-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    fs.mkdirSync(path.join(repo, 'docs'));
    fs.mkdirSync(path.join(repo, 'src'));
    board = path.join(repo, 'docs', 'TASKS.md');
    fs.writeFileSync(board, BOARD);
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    fs.rmSync(repo, { recursive: true, force: true });
    home.cleanup();
  });

  const cli = async (args: string[], code = 0): Promise<{ stdout: string; stderr: string }> => {
    const result = await runCli(args, env, path.join(repo, 'src'));
    assert.equal(result.code, code, `corral ${args.join(' ')}: ${result.stderr}`);
    assert.doesNotMatch(result.stdout + result.stderr, ANSI);
    return result;
  };

  it('lists the board of the repository it runs in, for people and as JSON', async () => {
    const text = await cli(['tasks', 'ls']);
    assert.match(text.stdout, /^T-1\s+todo\s+Write the parser #core$/m);
    assert.match(text.stdout, /^T-2\s+todo\s+ {2}Tables too$/m, 'subtasks indented under their parent');
    assert.match(text.stdout, /^4 tasks: 3 todo, 1 done$/m);
    const json = parseAs(listShape, (await cli(['tasks', 'ls', '--json', '--status', 'todo'])).stdout, 'tasks ls --json');
    assert.deepEqual(
      json.tasks.map((t) => t.id),
      ['T-1', 'T-2', 'T-3'],
    );
    assert.deepEqual(json.tasks[0]!.tags, ['core']);
  });

  it('starts, notes, hands off, blocks and finishes tasks, changing only their lines', async () => {
    const user = os.userInfo().username;
    const started = parseAs(updateShape, (await cli(['tasks', 'start', 'T-3', '--json'])).stdout, 'tasks start');
    assert.equal(started.task!.status, 'in_progress');
    assert.deepEqual(started.task!.assignees, [user]);
    await cli(['tasks', 'note', 'T-3', 'ran', 'the', 'tests,', '2', 'failing']);
    await cli(['tasks', 'handoff', 'T-1', '--to', 'bob', '--note', 'parser half done']);
    await cli(['tasks', 'block', 'T-2', '--reason', 'needs T-1']);
    const done = await cli(['tasks', 'done', 'T-3']);
    assert.match(done.stdout, /^T-3 done @/);
    const text = fs.readFileSync(board, 'utf8');
    const stamp = /\d{4}-\d\d-\d\d \d\d:\d\d/.source;
    assert.match(
      text,
      new RegExp(`## Done\\r\\n\\r\\n- \\[x\\] T-0 Set up the repo 🎉\\r\\n- \\[x\\] T-3 Edit surgically @${user}  \\r\\n  - ${stamp} ${user}: ran the tests, 2 failing\\r\\n`),
    );
    assert.match(
      text,
      new RegExp(
        `- \\[ \\] T-1 Write the parser #core @bob\\r\\n  - \\[!\\] T-2 Tables too\\r\\n    - ${stamp} ${user}: blocked: needs T-1\\r\\n  - ${stamp} ${user}: handed off to @bob: parser half done\\r\\n`,
      ),
    );
    assert.equal(text.split('\r\n').length, text.split('\n').length, 'CRLF kept everywhere');
  });

  it('says what to do for an unknown id, a missing board and a second init', async () => {
    const unknown = await cli(['tasks', 'done', 'T-31'], 4);
    assert.match(unknown.stderr, /no task T-31 on TASKS\.md\nhint: did you mean T-1, T-3/);
    const other = path.join(repo, 'docs', 'OTHER.md');
    const missing = await cli(['tasks', 'ls', '--board', other], 4);
    assert.match(missing.stderr, /there is no task board at .*OTHER\.md\nhint: create one with `corral tasks init`/);
    await cli(['tasks', 'init', '--board', other]);
    assert.match((await cli(['tasks', 'ls', '--board', other])).stdout, /^T-1\s+todo\s+Describe the first task here$/m);
    const again = await cli(['tasks', 'init', '--board', other], 1);
    assert.match(again.stderr, /already exists/);
  });

  it('lists, filters, counts and shows a task whose status is in words Corral does not know, with those words', async () => {
    const plan = path.join(repo, 'docs', 'PLAN.md');
    fs.writeFileSync(plan, ['# Plan', '', '## T-7 Rewrite the importer', '', 'Status: Parked until Q3', '', '## T-8 Ship the CLI', '', 'Status: todo', ''].join('\n'));
    const text = await cli(['tasks', 'ls', '--board', plan]);
    assert.match(text.stdout, /^T-7\s+other \(“Parked until Q3”\)\s+Rewrite the importer$/m);
    assert.match(text.stdout, /^2 tasks: 1 todo, 1 other$/m);
    const only = parseAs(listShape, (await cli(['tasks', 'ls', '--board', plan, '--status', 'other', '--json'])).stdout, 'tasks ls --status other');
    assert.deepEqual(
      only.tasks.map((t) => [t.id, t.status, t.statusText]),
      [['T-7', 'other', 'Parked until Q3']],
    );
    assert.match((await cli(['tasks', 'show', 'T-7', '--board', plan])).stdout, /^status\s+other \(“Parked until Q3”\)$/m);
    const unknown = await cli(['tasks', 'ls', '--board', plan, '--status', 'parked'], 2);
    assert.match(unknown.stderr, /unknown status parked\nhint: use one of todo, in_progress, review, blocked, done, other/);
  });
});
