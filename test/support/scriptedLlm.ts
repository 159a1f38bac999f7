import type { LlmPort, ModelRequest, ModelTurn, StopReason, Usage } from '../../server/llm/types';
import type { LlmProviders } from '../../server/ports/llm';

/**
 * A model that answers from a script, for the in-process harness: the agent loop, budgets and the
 * ledger run for real; only the model is replaced (no SDK, no HTTP). Tests that need the official
 * SDKs' wire behaviour use test/support/fakeLlm.ts instead.
 */

export interface ScriptedTurn {
  text?: string;
  toolCalls?: { name: string; arguments: unknown }[];
  /** Null: the provider reported no usage (the ledger then estimates). */
  usage?: Partial<Usage> | null;
  stop?: StopReason;
}

export class ScriptedLlm implements LlmPort {
  readonly provider = 'scripted';
  readonly replay = false;
  /** Every request the loop sent, in order. */
  readonly requests: ModelRequest[] = [];

  constructor(private turns: ScriptedTurn[] = []) {}

  /** Replaces the script and forgets the requests seen. */
  play(turns: ScriptedTurn[]): void {
    this.turns = turns;
    this.requests.length = 0;
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const index = this.requests.length;
    this.requests.push(request);
    const turn = this.turns[index];
    if (turn === undefined) throw new Error(`the scripted model has no turn ${index + 1} (it has ${this.turns.length})`);
    const toolCalls = (turn.toolCalls ?? []).map((call, i) => ({ id: `call_${index + 1}_${i + 1}`, name: call.name, arguments: JSON.stringify(call.arguments) }));
    const usage = turn.usage === null ? null : { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, ...turn.usage };
    return { text: turn.text ?? '', toolCalls, stopReason: turn.stop ?? (toolCalls.length > 0 ? 'tool_use' : 'end'), usage, model: request.model };
  }
}

/** A provider port (compose.ts's) that hands every run `llm` under the name `scripted`. */
export function scriptedProviders(llm: LlmPort, defaultModel = 'scripted-1'): LlmProviders {
  return { resolve: (_config, wanted) => ({ llm, name: 'scripted', model: wanted.model ?? defaultModel, priceProvider: 'scripted', close: () => undefined }) };
}
