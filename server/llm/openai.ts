import type { OpenAI } from './openaiSdk';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { providerError } from './errors';
import type { LlmPort, Message, ModelEvents, ModelRequest, ModelTurn, ProviderOptions, StopReason, ToolCall, Usage } from './types';
import { lazySdks, once, type SdkFactory } from './sdkClients';
import { withCallEvents } from './watchFetch';

/**
 * OpenAI Chat Completions through the official `openai` SDK — OpenAI itself and every compatible
 * server (Ollama, vLLM, LM Studio, OpenRouter) by `baseURL`. Streams, with
 * `stream_options.include_usage` so the last chunk carries the usage. Retries on 429 and 5xx are
 * the SDK's (exponential backoff, honouring retry-after).
 */
export class OpenAiProvider implements LlmPort {
  readonly replay = false;
  /** One SDK client for every call of this provider, made on the first (server/llm/providers.ts keeps the provider). */
  private readonly client: () => Promise<OpenAI>;

  constructor(
    private readonly options: ProviderOptions,
    sdks: SdkFactory = lazySdks,
  ) {
    this.client = once(() => sdks.openai(options));
  }

  get provider(): string {
    return this.options.name;
  }

  async complete(request: ModelRequest, events: ModelEvents = {}): Promise<ModelTurn> {
    const client = await this.client();
    return withCallEvents(events, () => this.stream(client, request, events));
  }

  private async stream(client: OpenAI, request: ModelRequest, events: ModelEvents): Promise<ModelTurn> {
    try {
      const stream = await client.chat.completions.create(
        {
          model: request.model,
          messages: toOpenAi(request.system, request.messages),
          ...(request.tools.length > 0 ? { tools: request.tools.map(toTool) } : {}),
          max_completion_tokens: request.maxTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        request.signal ? { signal: request.signal } : {},
      );
      return await collect(stream, request.model, events);
    } catch (error) {
      throw providerError(error, this.options, request.model);
    }
  }
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>, requested: string, events: ModelEvents): Promise<ModelTurn> {
  let text = '';
  let model = requested;
  let finish: string | null = null;
  let usage: Usage | null = null;
  const calls: { id: string; name: string; arguments: string }[] = [];
  for await (const chunk of stream) {
    if (chunk.model) model = chunk.model;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (delta.content) {
        text += delta.content;
        events.text?.(delta.content);
      }
      for (const call of delta.tool_calls ?? []) {
        const slot = (calls[call.index] ??= { id: '', name: '', arguments: '' });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name += call.function.name;
        if (call.function?.arguments) slot.arguments += call.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (chunk.usage) {
      // prompt_tokens already include the cached ones; completion_tokens include reasoning.
      usage = {
        inputTokens: chunk.usage.prompt_tokens,
        outputTokens: chunk.usage.completion_tokens,
        cacheReadTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
        cacheWriteTokens: 0,
        reasoningTokens: chunk.usage.completion_tokens_details?.reasoning_tokens ?? 0,
      };
    }
  }
  const toolCalls: ToolCall[] = calls.filter((c) => c.name !== '').map((c, i) => ({ id: c.id || `call_${i}`, name: c.name, arguments: c.arguments || '{}' }));
  return { text, toolCalls, stopReason: stopReason(finish, toolCalls.length), usage, model };
}

function stopReason(finish: string | null, calls: number): StopReason {
  if (finish === 'tool_calls' || (finish === null && calls > 0)) return 'tool_use';
  if (finish === 'length') return 'max_tokens';
  if (finish === 'stop') return calls > 0 ? 'tool_use' : 'end';
  return 'other';
}

function toTool(tool: ModelRequest['tools'][number]): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

function toOpenAi(system: string, messages: Message[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [{ role: 'system', content: system }];
  for (const message of messages) {
    if (message.role === 'user') out.push({ role: 'user', content: message.text });
    else if (message.role === 'assistant') {
      out.push({
        role: 'assistant',
        content: message.text === '' ? null : message.text,
        ...(message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      });
    } else for (const result of message.results) out.push({ role: 'tool', tool_call_id: result.id, content: result.isError ? `Error: ${result.content}` : result.content });
  }
  return out;
}
