import * as assert from 'node:assert/strict';
import { CorralError } from '../../server/errors';
import { AnthropicProvider } from '../../server/llm/anthropic';
import { OpenAiProvider } from '../../server/llm/openai';
import type { LlmPort, ModelRequest } from '../../server/llm/types';
import { ErrorCode } from '../../server/protocol';
import { FakeLlm } from '../support/fakeLlm';

const request: ModelRequest = {
  model: 'gpt-4o',
  system: 'You are a test.',
  messages: [
    { role: 'user', text: 'Fix the bug.' },
    { role: 'assistant', text: 'Looking.', toolCalls: [{ id: 'call_1', name: 'shell', arguments: '{"command":"ls"}' }] },
    { role: 'tool', results: [{ id: 'call_1', content: 'main.py', isError: false }] },
  ],
  tools: [{ name: 'shell', description: 'run a command', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
  maxTokens: 1000,
};

/**
 * The two provider adapters through the official SDKs, against a local server that speaks each
 * wire format: streaming text and tool calls, usage normalised (cache arithmetic), the SDKs'
 * retries on 429 with retry-after, and clear errors.
 */
describe('providers through the official SDKs (local fake server)', function () {
  this.timeout(30_000);
  let fake: FakeLlm;
  before(async () => (fake = await FakeLlm.start()));
  after(async () => fake.close());

  const providers: [string, () => LlmPort][] = [
    ['openai', () => new OpenAiProvider({ name: 'openai', apiKey: 'sk-test-openai', baseURL: fake.openaiBaseURL, keyVariable: 'OPENAI_API_KEY', maxRetries: 2 })],
    ['anthropic', () => new AnthropicProvider({ name: 'anthropic', apiKey: 'sk-ant-test', baseURL: fake.anthropicBaseURL, keyVariable: 'ANTHROPIC_API_KEY', maxRetries: 2 })],
  ];

  for (const [name, make] of providers) {
    describe(name, () => {
      it('streams text and tool calls and sends the conversation in its wire format', async () => {
        fake.play([
          {
            text: 'I will edit the file now, carefully.',
            toolCalls: [
              { name: 'write_file', arguments: { path: 'a.txt', content: 'x\n' } },
              { name: 'shell', arguments: { command: 'cat a.txt' } },
            ],
            usage: { input: 120, output: 30 },
          },
        ]);
        const streamed: string[] = [];
        const turn = await make().complete(request, { text: (d) => streamed.push(d) });
        assert.equal(turn.text, 'I will edit the file now, carefully.');
        assert.ok(streamed.length > 1, 'text arrived in pieces');
        assert.deepEqual(
          turn.toolCalls.map((c) => [c.name, JSON.parse(c.arguments)]),
          [
            ['write_file', { path: 'a.txt', content: 'x\n' }],
            ['shell', { command: 'cat a.txt' }],
          ],
        );
        assert.ok(turn.toolCalls.every((c) => c.id.length > 0));
        assert.equal(turn.stopReason, 'tool_use');
        const seen = fake.requests[0]!;
        assert.equal(seen.body.stream, true);
        if (name === 'openai') {
          assert.equal(seen.headers.authorization, 'Bearer sk-test-openai');
          assert.deepEqual(seen.body.stream_options, { include_usage: true });
          const messages = seen.body.messages as { role: string; tool_call_id?: string }[];
          assert.deepEqual(
            messages.map((m) => m.role),
            ['system', 'user', 'assistant', 'tool'],
          );
          assert.equal(messages[3]!.tool_call_id, 'call_1');
        } else {
          // This SDK version sends the key as a bearer token; older ones used x-api-key.
          assert.match(String(seen.headers['x-api-key'] ?? seen.headers.authorization), /sk-ant-test$/);
          const messages = seen.body.messages as { role: string; content: { type: string; cache_control?: unknown }[] }[];
          assert.deepEqual(
            messages.map((m) => [m.role, m.content.map((b) => b.type).join()]),
            [
              ['user', 'text'],
              ['assistant', 'text,tool_use'],
              ['user', 'tool_result'],
            ],
          );
          assert.deepEqual(messages[2]!.content[0]!.cache_control, { type: 'ephemeral' }, 'the conversation is a cache breakpoint');
          assert.deepEqual((seen.body.system as { cache_control: unknown }[])[0]!.cache_control, { type: 'ephemeral' });
        }
      });

      it('normalises usage: every prompt token in input, cache reads and writes as parts of it', async () => {
        // OpenAI counts cached tokens inside prompt_tokens; Anthropic reports them beside input_tokens.
        fake.play([{ text: 'done', usage: { input: 1000, output: 50, cacheRead: 600, cacheWrite: name === 'anthropic' ? 200 : 0, reasoning: name === 'openai' ? 20 : 0 } }]);
        const turn = await make().complete(request);
        assert.equal(turn.stopReason, 'end');
        assert.deepEqual(
          turn.usage,
          name === 'openai'
            ? { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 600, cacheWriteTokens: 0, reasoningTokens: 20 }
            : { inputTokens: 1800, outputTokens: 50, cacheReadTokens: 600, cacheWriteTokens: 200, reasoningTokens: 0 },
        );
      });

      it('reports no usage when the stream ends before it', async () => {
        fake.play([{ text: 'partial answer', cutBeforeUsage: true }]);
        const turn = await make().complete(request);
        assert.equal(turn.text, 'partial answer');
        assert.equal(turn.usage, null);
      });

      it('retries a 429 after its retry-after and says so', async () => {
        fake.play([{ error: { status: 429, type: 'rate_limit_error', message: 'slow down', retryAfter: '1' } }, { text: 'ok' }]);
        const retries: [number, number | null][] = [];
        const turn = await make().complete(request, { retry: (status, after) => retries.push([status, after]) });
        assert.equal(turn.text, 'ok');
        assert.deepEqual(retries, [[429, 1]]);
        assert.equal(fake.requests.length, 2);
        assert.ok(fake.requests[1]!.at - fake.requests[0]!.at >= 900, 'waited for retry-after');
      });

      it('says a bad key, an unknown model and a context overflow plainly', async () => {
        const cases: [Parameters<FakeLlm['play']>[0], RegExp, RegExp][] = [
          [
            [{ error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } }],
            /rejected the API key \(401\)/,
            name === 'openai' ? /OPENAI_API_KEY/ : /ANTHROPIC_API_KEY/,
          ],
          [[{ error: { status: 404, type: 'not_found_error', message: 'model: gpt-9 not found' } }], /does not serve the model gpt-4o/, /--model/],
          [
            [{ error: { status: 400, type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum', code: 'context_length_exceeded' } }],
            /no longer fits/,
            /longer context/,
          ],
        ];
        for (const [script, message, hint] of cases) {
          fake.play(script);
          const error = await make()
            .complete(request)
            .then(
              () => assert.fail('no error'),
              (e: unknown) => e,
            );
          assert.ok(error instanceof CorralError, String(error));
          assert.equal(error.code, ErrorCode.ProviderFailed);
          assert.match(error.message, message);
          assert.match(error.hint, hint);
          assert.equal(fake.requests.length, 1, 'a 4xx is not retried');
        }
      });

      it('says the server is unreachable', async () => {
        const port = make();
        await fake.close();
        try {
          const error = await port.complete(request).then(
            () => assert.fail('no error'),
            (e: unknown) => e,
          );
          assert.ok(error instanceof CorralError);
          assert.match(error.message, /cannot reach/);
        } finally {
          fake = await FakeLlm.start();
        }
      });
    });
  }
});
