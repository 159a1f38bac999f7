import type { ModelRequest, ModelTurn, Usage } from '../llm/types';

let counter: Promise<(text: string) => number> | undefined;
function load(): Promise<(text: string) => number> {
  return (counter ??= import('./tokenizer').then((m) => m.countTokens));
}

/** Every token the model was sent: the system prompt, the conversation and the tool schemas. */
export async function countRequestTokens(request: Pick<ModelRequest, 'system' | 'messages' | 'tools'>): Promise<number> {
  const count = await load();
  return count(request.system) + count(JSON.stringify(request.messages)) + count(JSON.stringify(request.tools));
}

/**
 * Usage counted here when the provider reported none (a stream cut short): the request as sent
 * and the answer as received, with a tokenizer. Such rows are marked `estimated` everywhere.
 */
export async function estimateUsage(request: Pick<ModelRequest, 'system' | 'messages' | 'tools'>, turn: Pick<ModelTurn, 'text' | 'toolCalls'>): Promise<Usage> {
  const count = await load();
  const output = count(turn.text) + turn.toolCalls.reduce((sum, c) => sum + count(c.name) + count(c.arguments), 0);
  return { inputTokens: await countRequestTokens(request), outputTokens: output, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}
