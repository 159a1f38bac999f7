import { AnthropicProvider } from '../../server/llm/anthropic';
import { OpenAiProvider } from '../../server/llm/openai';
import type { LlmPort, ModelRequest, ProviderOptions } from '../../server/llm/types';
import { FakeLlm } from '../support/fakeLlm';
import { percentile, report, timeCalls, type BenchRow } from './support/report';

const CALLS = 200;

const request: ModelRequest = {
  model: 'bench-1',
  system: 'You are a benchmark.',
  messages: [{ role: 'user', text: 'Say ok.' }],
  tools: [{ name: 'shell', description: 'run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } } }],
  maxTokens: 100,
};

/**
 * A model call through the provider port against the local fake of both wire formats (one short
 * streamed answer): the daemon's way, one SDK client made once and used for every call, against
 * the same calls each through a client of its own (what every step paid before the port). The
 * fake answers at once, so the difference is the client's making and its first request.
 */
describe('benchmark: model calls through the provider port', function () {
  this.timeout(120_000);
  let fake: FakeLlm;
  before(async () => (fake = await FakeLlm.start(() => ({ text: 'ok', usage: { input: 20, output: 1 } }))));
  after(async () => fake?.close());

  it('measures a call on one shared SDK client against a new client per call', async () => {
    const rows: BenchRow[] = [];
    const kinds: [string, (options: ProviderOptions) => LlmPort, string][] = [
      ['OpenAI', (options) => new OpenAiProvider(options), fake.openaiBaseURL],
      ['Anthropic', (options) => new AnthropicProvider(options), fake.anthropicBaseURL],
    ];
    for (const [name, make, baseURL] of kinds) {
      const options: ProviderOptions = { name, apiKey: 'sk-bench', baseURL, keyVariable: 'BENCH_API_KEY', maxRetries: 0 };
      const shared = make(options);
      await shared.complete(request); // loads the SDK bundle and warms the connection
      // Interleaved, so a change of load on the machine falls on both alike.
      const one: number[] = [];
      const each: number[] = [];
      for (let i = 0; i < CALLS / 20; i++) {
        one.push(...(await timeCalls(20, () => shared.complete(request))));
        each.push(...(await timeCalls(20, () => make(options).complete(request))));
      }
      rows.push({
        metric: `${name} call, one SDK client for every call (p50 of ${CALLS})`,
        value: percentile(one, 50),
        unit: 'ms',
        floor: { name: 'a new client per call (p50)', value: percentile(each, 50) },
      });
    }
    report('provider-calls', rows);
  });
});
