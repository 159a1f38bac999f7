import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ANSI, runCli } from '../support/cli';
import { tempHome } from '../support/home';

const BOARD = '# Tasks\n\n## Todo\n\n- [ ] T-1 Write it\n';

/** `corral auth` as the daemon's owner, and the CLI as another user with an issued CORRAL_TOKEN. */
describe('corral auth', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let root: string;

  before(() => {
    home = tempHome('auth');
    env = { CORRAL_HOME: home.home, NO_COLOR: undefined, CORRAL_TOKEN: undefined };
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cr-auth-cli-')));
    for (const dir of ['shared', 'private']) {
      fs.mkdirSync(path.join(root, dir, 'docs'), { recursive: true });
      fs.writeFileSync(path.join(root, dir, 'docs', 'TASKS.md'), BOARD);
    }
  });
  after(async () => {
    try {
      await runCli(['daemon', 'stop'], env);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
      home.cleanup();
    }
  });

  const cli = async (args: string[], code = 0, extra: NodeJS.ProcessEnv = {}, cwd = root): Promise<{ stdout: string; stderr: string }> => {
    const result = await runCli(args, { ...env, ...extra }, cwd);
    assert.equal(result.code, code, `corral ${args.join(' ')}: ${result.stderr}`);
    assert.doesNotMatch(result.stdout + result.stderr, ANSI);
    return result;
  };

  it('grants, lists and revokes folders; a user with an issued token sees only what was granted', async () => {
    assert.match((await cli(['auth', 'ls'])).stdout, /no grants: only .+ \(the daemon's owner\)/);
    const granted = await cli(['auth', 'grant', 'bob', 'shared']);
    assert.match(granted.stdout, new RegExp(`bob may use:\\n  ${path.join(root, 'shared')}\\n`));
    const listed = JSON.parse((await cli(['--json', 'auth', 'ls'])).stdout) as { grants: { user: string; dir: string }[] };
    assert.deepEqual(
      listed.grants.map((g) => [g.user, g.dir]),
      [['bob', path.join(root, 'shared')]],
    );
    const token = (await cli(['auth', 'issue', 'bob'])).stdout.trim();
    assert.match(token, /^[0-9a-f]{64}$/);
    const bob = { CORRAL_TOKEN: token };

    const mine = await cli(['--json', 'tasks', 'ls', '--board', path.join(root, 'shared/docs/TASKS.md')], 0, bob);
    assert.equal((JSON.parse(mine.stdout) as { tasks: unknown[] }).tasks.length, 1);
    const before = fs.readFileSync(path.join(root, 'private/docs/TASKS.md'));
    const refused = await cli(['tasks', 'done', 'T-1', '--board', path.join(root, 'shared/../private/docs/TASKS.md')], 5, bob);
    assert.match(refused.stderr, /bob may not use the board/);
    assert.match(refused.stderr, /corral auth grant bob DIR/);
    assert.deepEqual(fs.readFileSync(path.join(root, 'private/docs/TASKS.md')), before, 'nothing changed');
    // Only the daemon's owner manages grants.
    assert.match((await cli(['auth', 'grant', 'bob', 'private'], 5, bob)).stderr, /daemon's owner only/);

    const revoked = await cli(['auth', 'revoke', 'bob']);
    assert.match(revoked.stdout, new RegExp(`revoked from bob:\\n  ${path.join(root, 'shared')}\\n`));
    await cli(['tasks', 'ls', '--board', path.join(root, 'shared/docs/TASKS.md')], 5, bob);
    await cli(['auth', 'revoke', 'bob', 'shared'], 4);
  });

  it('never starts a daemon for a user with an issued token', async () => {
    const other = tempHome('auth-none');
    try {
      const result = await cli(['session', 'ls'], 3, { CORRAL_HOME: other.home, CORRAL_TOKEN: 'f'.repeat(64) });
      assert.ok(!fs.existsSync(path.join(other.home, 'token')), 'no daemon was started there');
      assert.ok(result.stderr.length > 0);
    } finally {
      other.cleanup();
    }
  });
});
