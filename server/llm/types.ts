/**
 * The one vocabulary the agent loop speaks with every model: providers translate to and from
 * their wire formats (server/llm/openai.ts, anthropic.ts), replay plays recorded turns.
 */

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model sent them (a JSON text; tools parse and report bad JSON). */
  arguments: string;
}

export interface ToolResult {
  id: string;
  content: string;
  isError: boolean;
}

export type Message = { role: 'user'; text: string } | { role: 'assistant'; text: string; toolCalls: ToolCall[] } | { role: 'tool'; results: ToolResult[] };

export interface ModelRequest {
  model: string;
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  maxTokens: number;
  signal?: AbortSignal;
}

/**
 * Tokens of one call, normalised across providers. `inputTokens` counts every prompt token,
 * cached or not (OpenAI's prompt_tokens already include its cached tokens; for Anthropic it is
 * input + cache-read + cache-write, which it reports separately); `cacheReadTokens` and
 * `cacheWriteTokens` are the parts of it read from or written to the prompt cache.
 * `reasoningTokens` are the part of `outputTokens` spent reasoning.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export type StopReason = 'end' | 'tool_use' | 'max_tokens' | 'other';

export interface ModelTurn {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  /** Null when the provider reported none (a stream cut short): the ledger then estimates. */
  usage: Usage | null;
  /** The model that answered, as the provider named it. */
  model: string;
}

/** Things a provider may say while a call runs (text as it streams, a retry after 429/5xx). */
export interface ModelEvents {
  text?(delta: string): void;
  retry?(status: number, retryAfterS: number | null): void;
}

/** How to reach one provider through its SDK; `name` is its name in config and the ledger. */
export interface ProviderOptions {
  name: string;
  apiKey: string;
  baseURL: string;
  /** The environment variable the key comes from, for error hints. */
  keyVariable: string;
  maxRetries: number;
}

/** A model behind one provider: the port the agent loop calls. */
export interface LlmPort {
  readonly provider: string;
  /** True for recorded turns played back: labelled as such in the ledger and every report. */
  readonly replay: boolean;
  complete(request: ModelRequest, events?: ModelEvents): Promise<ModelTurn>;
}
