import * as assert from 'node:assert/strict';
import { SdkProviders } from '../../server/llm/providers';
import { lazySdks, type SdkFactory } from '../../server/llm/sdkClients';
import { AgentRun, ProviderSetKey, SessionStart } from '../../server/protocol';
import { FakeLlm, type FakeTurn } from '../support/fakeLlm';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

/** The real SDK factory, counting the clients it makes. */
function countingSdks(): SdkFactory & { made: { openai: number; anthropic: number } } {
  const made = { openai: 0, anthropic: 0 };
  return {
    made,
    openai: (options) => (made.openai++, lazySdks.openai(options)),
    anthropic: (options) => (made.anthropic++, lazySdks.anthropic(options)),
  };
}

/** A run of two model calls: one command, then finish. */
const TWO_STEPS: FakeTurn[] = [
  { toolCalls: [{ name: 'shell', arguments: { command: 'echo hi' } }], usage: { input: 100, output: 10 } },
  { toolCalls: [{ name: 'finish', arguments: { summary: 'said hi' } }], usage: { input: 120, output: 10 } },
];

/** The key a request carried: OpenAI's bearer token, Anthropic's x-api-key (or bearer, by SDK version). */
function keyOf(headers: Record<string, string | string[] | undefined>): string {
  return String(headers['x-api-key'] ?? headers.authorization ?? '').replace(/^Bearer /, '');
}

/**
 * The provider port as the daemon composes it: the official SDKs against the local fake of both
 * wire formats, inside the in-process daemon (real method table, AgentService, loop and ledger;
 * fake jail). One SDK client per provider for the daemon's life, shared by every call of every
 * run; a key handed over `provider/setKey` makes a new one, which the next calls use.
 */
describe('provider port: one SDK client per provider, made once', function () {
  this.timeout(60_000);
  let fake: FakeLlm;
  let h: Harness;
  let client: HarnessClient;
  let session: string;
  const sdks = countingSdks();

  before(async () => {
    fake = await FakeLlm.start();
    h = await startHarness({
      config: {
        providers: {
          local: { type: 'openai', baseURL: fake.openaiBaseURL, model: 'gpt-4o', maxRetries: 1 },
          claude: { type: 'anthropic', baseURL: fake.anthropicBaseURL, model: 'claude-fake-1', maxRetries: 0 },
        },
      },
      providers: (handedKey) => new SdkProviders({ env: {}, handedKey, sdks }),
    });
    client = await h.connect();
    session = (await client.rpc.sendRequest(SessionStart, { image: 'corral/fake:latest' })).id;
  });
  after(async () => {
    await h?.close();
    await fake?.close();
  });

  const run = async (provider: string): Promise<void> => {
    fake.play(TWO_STEPS);
    const summary = await client.rpc.sendRequest(AgentRun, { session, prompt: 'say hi', provider });
    assert.equal(summary.outcome, 'finished', JSON.stringify(summary.error));
    assert.equal(summary.steps, 2);
    assert.equal(fake.requests.length, 2);
  };

  it('two runs of four calls share one client; another provider has its own', async () => {
    await client.rpc.sendRequest(ProviderSetKey, { provider: 'local', key: 'sk-first-key' });
    await run('local');
    await run('local');
    assert.deepEqual(sdks.made, { openai: 1, anthropic: 0 }, 'one OpenAI client for four calls over two runs');
    assert.deepEqual(
      fake.requests.map((r) => keyOf(r.headers)),
      ['sk-first-key', 'sk-first-key'],
    );

    await client.rpc.sendRequest(ProviderSetKey, { provider: 'claude', key: 'sk-ant-first' });
    await run('claude');
    await run('claude');
    assert.deepEqual(sdks.made, { openai: 1, anthropic: 1 });
    assert.deepEqual(
      fake.requests.map((r) => keyOf(r.headers)),
      ['sk-ant-first', 'sk-ant-first'],
    );
  });

  it('a new key makes a new client, used from the next call on; forgetting it makes another', async () => {
    const before = sdks.made.openai;
    await client.rpc.sendRequest(ProviderSetKey, { provider: 'local', key: 'sk-second-key' });
    await run('local');
    assert.equal(sdks.made.openai, before + 1);
    assert.deepEqual(
      fake.requests.map((r) => keyOf(r.headers)),
      ['sk-second-key', 'sk-second-key'],
    );
    await run('local');
    assert.equal(sdks.made.openai, before + 1, 'the new client is kept for the next run');

    // No handed key, none in config or the environment: a local endpoint gets the placeholder key.
    await client.rpc.sendRequest(ProviderSetKey, { provider: 'local', key: null });
    await run('local');
    assert.equal(sdks.made.openai, before + 2);
    assert.deepEqual(
      fake.requests.map((r) => keyOf(r.headers)),
      ['none', 'none'],
    );
  });

  it('reports a retry to the call that met it, through the shared client', async () => {
    // Two runs on one client at once: the first meets a 429, the second does not. The retry
    // event is the first run's alone (each call's listeners travel with the call, not the client).
    const made = sdks.made.openai;
    await client.rpc.sendRequest(ProviderSetKey, { provider: 'local', key: 'sk-retry-key' });
    let limitMet = false;
    fake.play((request) => {
      if (!limitMet && JSON.stringify(request.body.messages).includes('meet a limit')) {
        limitMet = true;
        return { error: { status: 429, type: 'rate_limit_error', message: 'slow down', retryAfter: '0' } };
      }
      return { toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }], usage: { input: 10, output: 1 } };
    });
    const progress: { runId: string; kind: string }[] = [];
    client.rpc.onNotification('agent/progress', (params: { runId: string; event: { kind: string } }) => void progress.push({ runId: params.runId, kind: params.event.kind }));
    const [limited, plain] = await Promise.all([
      client.rpc.sendRequest(AgentRun, { session, prompt: 'meet a limit', provider: 'local', maxSteps: 2 }),
      client.rpc.sendRequest(AgentRun, { session, prompt: 'go straight', provider: 'local', maxSteps: 2 }),
    ]);
    assert.equal(limited.outcome, 'finished');
    assert.equal(plain.outcome, 'finished');
    assert.equal(sdks.made.openai, made + 1);
    const retries = progress.filter((p) => p.kind === 'retry');
    assert.deepEqual(
      retries.map((p) => p.runId),
      [limited.runId],
      'one retry, told to the run that met it',
    );
  });
});
