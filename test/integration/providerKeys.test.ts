import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { AgentRun, AuthIssue, ErrorCode, ProviderKeys, ProviderSetKey, SessionList, SessionRemove, ShellExec, type RunSummary } from '../../server/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { FakeLlm } from '../support/fakeLlm';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache } from '../support/jail';

const HANDED_OPENAI = 'sk-handed-9d2f61c0a7e34b58-OPENAI-SECRET';
const HANDED_ANTHROPIC = 'sk-ant-handed-3b7e05d9c1f84a26-ANTHROPIC-SECRET';
const HANDED_ACME = 'sk-handed-acme-60e4b2d8a91f7c35';
const CONFIG_ACME = 'sk-config-acme-0123456789';
/** In the daemon's environment too: a handed key must win over it, and be what is left after a restart. */
const ENV_OPENAI = 'sk-env-51c8e2a07f6d4b93-OPENAI';

const FINISH = [{ toolCalls: [{ name: 'finish', arguments: { summary: 'nothing to do' } }], usage: { input: 100, output: 10 } }];

/** Files under `dir` whose bytes hold `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(needle)) found.push(file);
  }
  return found;
}

function gitRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-keys-'));
  fs.writeFileSync(path.join(dir, 'README.md'), '# keys\n');
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '--initial-branch=main');
  git('add', '-A');
  git('commit', '-qm', 'one');
  return dir;
}

/** The key a request carried: OpenAI's bearer token, Anthropic's x-api-key (or bearer, by SDK version). */
function keyOf(headers: Record<string, string | string[] | undefined>): string {
  return String(headers['x-api-key'] ?? headers.authorization ?? '').replace(/^Bearer /, '');
}

/**
 * "Corral: Set API Key" as the daemon sees it: `provider/setKey` against a real daemon, the agent
 * run against the local fake provider through the official SDKs. The key lives in the daemon's
 * memory only: no file of CORRAL_HOME (store, journal, debug log, worktrees) and no jail holds it,
 * and a restarted daemon has none until a client hands it again.
 */
describe('provider keys handed to the daemon over RPC (memory only)', function () {
  this.timeout(180_000);
  let home: ReturnType<typeof tempHome>;
  let fake: FakeLlm;
  let daemon: DaemonProcess;
  let owner: DaemonConnection;
  let bob: DaemonConnection;
  let repo: string;
  let session: string | undefined;
  const env = (): NodeJS.ProcessEnv => ({
    CORRAL_IMAGE_CACHE: imageCache,
    CORRAL_LOG_LEVEL: 'debug',
    OPENAI_API_KEY: ENV_OPENAI,
    OPENAI_BASE_URL: fake.openaiBaseURL,
    ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
  });

  before(async () => {
    home = tempHome('keys');
    fake = await FakeLlm.start();
    daemon = await startDaemon(home.home, env());
    owner = await connect(home.home);
    bob = await connectDaemon({ socketPath: homePaths(home.home).socket, token: (await owner.rpc.sendRequest(AuthIssue, { user: 'bob' })).token, client: { kind: 'test' } });
    await ensureImage(owner, 'debian');
    repo = gitRepo();
  });
  after(async () => {
    for (const s of owner ? await owner.rpc.sendRequest(SessionList, {}).catch(() => []) : []) {
      await owner.rpc.sendRequest(SessionRemove, { session: s.id, purge: true }).catch(() => undefined);
    }
    bob?.dispose();
    owner?.dispose();
    await daemon?.terminate();
    await fake?.close();
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
    home?.cleanup();
  });

  const run = async (provider: string): Promise<{ summary: RunSummary; key: string }> => {
    fake.play(FINISH);
    const where = session === undefined ? { repo, image: DEBIAN } : { session };
    const summary = await owner.rpc.sendRequest(AgentRun, { prompt: 'Say done.', provider, model: provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4o', ...where });
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary));
    session = summary.sessionId;
    assert.equal(fake.requests.length, 1);
    return { summary, key: keyOf(fake.requests[0]!.headers) };
  };

  it("refuses both methods to a user who is not the daemon's owner, and takes nothing", async () => {
    for (const call of [bob.rpc.sendRequest(ProviderSetKey, { provider: 'openai', key: 'sk-bob-0123456789' }), bob.rpc.sendRequest(ProviderKeys, {})]) {
      const error = await call.then(
        () => assert.fail('bob was allowed'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ResponseError);
      assert.equal(error.code, ErrorCode.Forbidden, error.message);
    }
    assert.deepEqual(await owner.rpc.sendRequest(ProviderKeys, {}), { providers: [] });
  });

  it('refuses a malformed key without echoing it', async () => {
    const error = await owner.rpc.sendRequest(ProviderSetKey, { provider: 'openai', key: 'sk with spaces inside' }).then(
      () => assert.fail('taken'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.ok(!JSON.stringify({ message: error.message, data: error.data as unknown }).includes('sk with spaces'), error.message);
    assert.deepEqual(await owner.rpc.sendRequest(ProviderKeys, {}), { providers: [] });
  });

  it('a handed key is what the provider receives, before the environment; it is in no file, log or jail', async () => {
    assert.equal((await run('openai')).key, ENV_OPENAI, "without a handed key the environment's is used");
    assert.deepEqual(await owner.rpc.sendRequest(ProviderSetKey, { provider: 'openai', key: HANDED_OPENAI }), { providers: ['openai'] });
    assert.deepEqual(await owner.rpc.sendRequest(ProviderSetKey, { provider: 'anthropic', key: HANDED_ANTHROPIC }), { providers: ['anthropic', 'openai'] });
    assert.deepEqual(await owner.rpc.sendRequest(ProviderKeys, {}), { providers: ['anthropic', 'openai'] });
    assert.equal((await run('openai')).key, HANDED_OPENAI);
    assert.equal((await run('anthropic')).key, HANDED_ANTHROPIC);
    // The jail: neither its environment nor its files.
    // The patterns are put together in the shell so that the command's own text (which the jail's
    // shell may keep in a file) does not match them.
    const inJail = await owner.rpc.sendRequest(ShellExec, {
      session: session!,
      command:
        'env; a=9d2f61c0a7e34b58; b=3b7e05d9c1f84a26; grep -rlI -e "handed-$a" -e "handed-$b" / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | sed "s/^/HOLDS-KEY: /"; true',
      timeoutMs: 90_000,
    });
    assert.ok(!inJail.stdout.includes(HANDED_OPENAI) && !inJail.stdout.includes(HANDED_ANTHROPIC), "a key in the jail's environment");
    assert.ok(!inJail.stdout.includes('HOLDS-KEY'), `files in the jail hold a key: ${inJail.stdout.slice(-2000)}`);
    // Config, store, journal, the debug log, worktrees; and what the daemon printed.
    for (const key of [HANDED_OPENAI, HANDED_ANTHROPIC]) {
      assert.deepEqual(filesHolding(home.home, key), [], `files of CORRAL_HOME holding ${key}`);
      assert.ok(!daemon.output().includes(key), 'the daemon printed a key');
    }
    assert.ok(fs.statSync(homePaths(home.home).daemonLog).size > 0, 'the debug log was written (and searched)');
  });

  it('a provider named in config.json: a handed key comes before its apiKey', async () => {
    const paths = homePaths(home.home);
    fs.writeFileSync(paths.config, JSON.stringify({ providers: { acme: { type: 'openai', baseURL: fake.openaiBaseURL, apiKey: CONFIG_ACME, model: 'gpt-4o' } } }));
    try {
      assert.equal((await run('acme')).key, CONFIG_ACME);
      await owner.rpc.sendRequest(ProviderSetKey, { provider: 'acme', key: HANDED_ACME });
      assert.equal((await run('acme')).key, HANDED_ACME);
      assert.deepEqual(filesHolding(home.home, HANDED_ACME), []);
      assert.deepEqual(await owner.rpc.sendRequest(ProviderSetKey, { provider: 'acme', key: null }), { providers: ['anthropic', 'openai'] });
      assert.equal((await run('acme')).key, CONFIG_ACME, "forgotten: config.json's key again");
    } finally {
      fs.rmSync(paths.config, { force: true });
    }
  });

  it('forgets a key handed with null', async () => {
    assert.deepEqual(await owner.rpc.sendRequest(ProviderSetKey, { provider: 'anthropic', key: null }), { providers: ['openai'] });
  });

  it('after a daemon restart the handed keys are gone until handed again', async () => {
    owner.dispose();
    bob.dispose();
    await daemon.terminate();
    daemon = await startDaemon(home.home, env());
    owner = await connect(home.home);
    assert.deepEqual(await owner.rpc.sendRequest(ProviderKeys, {}), { providers: [] });
    assert.equal((await run('openai')).key, ENV_OPENAI, "the restarted daemon has only its environment's key");
    await owner.rpc.sendRequest(ProviderSetKey, { provider: 'openai', key: HANDED_OPENAI });
    assert.equal((await run('openai')).key, HANDED_OPENAI);
    assert.deepEqual(filesHolding(home.home, HANDED_OPENAI), []);
  });
});
