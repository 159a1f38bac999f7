import type { ContentBlockParam, MessageParam, RawMessageStreamEvent, Tool } from '@anthropic-ai/sdk/resources/messages';
import type { Anthropic } from './anthropicSdk';
import { providerError } from './errors';
import type { LlmPort, Message, ModelEvents, ModelRequest, ModelTurn, ProviderOptions, StopReason, ToolCall, Usage } from './types';
import { lazySdks, once, type SdkFactory } from './sdkClients';
import { withCallEvents } from './watchFetch';

/**
 * Anthropic Messages through the official `@anthropic-ai/sdk`, streaming, with tool use and
 * prompt caching: the system prompt, the tools and the conversation so far are cache
 * breakpoints, so each step reads the previous steps from the cache instead of paying for them
 * again. Retries on 429 and 5xx are the SDK's.
 */
export class AnthropicProvider implements LlmPort {
  readonly replay = false;
  /** One SDK client for every call of this provider, made on the first (server/llm/providers.ts keeps the provider). */
  private readonly client: () => Promise<Anthropic>;

  constructor(
    private readonly options: ProviderOptions,
    sdks: SdkFactory = lazySdks,
  ) {
    this.client = once(() => sdks.anthropic(options));
  }

  get provider(): string {
    return this.options.name;
  }

  async complete(request: ModelRequest, events: ModelEvents = {}): Promise<ModelTurn> {
    const client = await this.client();
    return withCallEvents(events, () => this.stream(client, request, events));
  }

  private async stream(client: Anthropic, request: ModelRequest, events: ModelEvents): Promise<ModelTurn> {
    try {
      const tools = request.tools.map((t): Tool => ({ name: t.name, description: t.description, input_schema: t.parameters as Tool['input_schema'] }));
      const last = tools.at(-1);
      if (last) last.cache_control = { type: 'ephemeral' };
      const stream = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxTokens,
          system: [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }],
          messages: toAnthropic(request.messages),
          ...(tools.length > 0 ? { tools } : {}),
          stream: true,
        },
        request.signal ? { signal: request.signal } : {},
      );
      return await collect(stream, request.model, events);
    } catch (error) {
      throw providerError(error, this.options, request.model);
    }
  }
}

async function collect(stream: AsyncIterable<RawMessageStreamEvent>, requested: string, events: ModelEvents): Promise<ModelTurn> {
  let model = requested;
  let text = '';
  let stop: string | null = null;
  let input: { input: number; cacheRead: number; cacheWrite: number } | undefined;
  let output: number | undefined;
  const blocks: ({ kind: 'text' } | { kind: 'tool'; id: string; name: string; json: string })[] = [];
  for await (const event of stream) {
    switch (event.type) {
      case 'message_start':
        model = event.message.model || model;
        input = {
          input: event.message.usage.input_tokens,
          cacheRead: event.message.usage.cache_read_input_tokens ?? 0,
          cacheWrite: event.message.usage.cache_creation_input_tokens ?? 0,
        };
        break;
      case 'content_block_start':
        blocks[event.index] = event.content_block.type === 'tool_use' ? { kind: 'tool', id: event.content_block.id, name: event.content_block.name, json: '' } : { kind: 'text' };
        break;
      case 'content_block_delta': {
        const block = blocks[event.index];
        if (event.delta.type === 'text_delta') {
          text += event.delta.text;
          events.text?.(event.delta.text);
        } else if (event.delta.type === 'input_json_delta' && block?.kind === 'tool') block.json += event.delta.partial_json;
        break;
      }
      case 'message_delta':
        stop = event.delta.stop_reason ?? stop;
        output = event.usage.output_tokens;
        break;
      default:
        break;
    }
  }
  const toolCalls: ToolCall[] = blocks.flatMap((b) => (b?.kind === 'tool' ? [{ id: b.id, name: b.name, arguments: b.json || '{}' }] : []));
  // Anthropic's input_tokens leave out the cached ones; ours count every prompt token.
  const usage: Usage | null =
    input && output !== undefined
      ? {
          inputTokens: input.input + input.cacheRead + input.cacheWrite,
          outputTokens: output,
          cacheReadTokens: input.cacheRead,
          cacheWriteTokens: input.cacheWrite,
          reasoningTokens: 0,
        }
      : null;
  return { text, toolCalls, stopReason: stopReason(stop, toolCalls.length), usage, model };
}

function stopReason(stop: string | null, calls: number): StopReason {
  if (stop === 'tool_use' || (stop === null && calls > 0)) return 'tool_use';
  if (stop === 'max_tokens') return 'max_tokens';
  if (stop === 'end_turn' || stop === 'stop_sequence') return 'end';
  return 'other';
}

function toAnthropic(messages: Message[]): MessageParam[] {
  const out: MessageParam[] = messages.map((message): MessageParam => {
    if (message.role === 'user') return { role: 'user', content: [{ type: 'text', text: message.text }] };
    if (message.role === 'assistant') {
      const content: ContentBlockParam[] = [];
      if (message.text !== '') content.push({ type: 'text', text: message.text });
      for (const call of message.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseObject(call.arguments) });
      return { role: 'assistant', content };
    }
    return { role: 'user', content: message.results.map((r) => ({ type: 'tool_result' as const, tool_use_id: r.id, content: r.content, is_error: r.isError })) };
  });
  // The conversation so far is a cache breakpoint: the next step reads it from the cache.
  const lastContent = out.at(-1)?.content;
  const lastBlock = Array.isArray(lastContent) ? lastContent.at(-1) : undefined;
  if (lastBlock) Object.assign(lastBlock, { cache_control: { type: 'ephemeral' } });
  return out;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { invalid_json: text };
  }
}
