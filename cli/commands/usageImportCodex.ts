import * as path from 'node:path';
import * as z from 'zod/mini';
import type { ImportRow } from '../../server/protocol/usage';
import { jsonLines } from './usageLogFiles';

const count = z.optional(z.nullable(z.number()));
const RawUsage = z.object({ input_tokens: count, cached_input_tokens: count, cache_read_input_tokens: count, output_tokens: count, reasoning_output_tokens: count });
type RawUsage = z.infer<typeof RawUsage>;
const Line = z.object({ type: z.string(), timestamp: z.optional(z.string()), payload: z.optional(z.unknown()) });
const TokenCount = z.object({
  type: z.literal('token_count'),
  info: z.optional(
    z.nullable(
      z.object({
        last_token_usage: z.optional(z.nullable(RawUsage)),
        total_token_usage: z.optional(z.nullable(RawUsage)),
        model: z.optional(z.string()),
        model_name: z.optional(z.string()),
      }),
    ),
  ),
  model: z.optional(z.string()),
});
const TurnContext = z.object({ model: z.optional(z.string()) });

interface Counts {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

const num = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);
const counts = (u: RawUsage): Counts => ({
  input: num(u.input_tokens),
  cached: num(u.cached_input_tokens ?? u.cache_read_input_tokens),
  output: num(u.output_tokens),
  reasoning: num(u.reasoning_output_tokens),
});
const minus = (a: Counts, b: Counts | null): Counts => ({
  input: Math.max(0, a.input - (b?.input ?? 0)),
  cached: Math.max(0, a.cached - (b?.cached ?? 0)),
  output: Math.max(0, a.output - (b?.output ?? 0)),
  reasoning: Math.max(0, a.reasoning - (b?.reasoning ?? 0)),
});

/** Sessions from before Codex logged the model were all this one (as ccusage assumes). */
const LEGACY_MODEL = 'gpt-5';

/**
 * The model calls of one Codex CLI session (`~/.codex/sessions/YYYY/MM/DD/rollout-….jsonl`):
 * `event_msg` lines whose payload is a `token_count` event. Each call's usage is its
 * `last_token_usage`, or — in older logs — the growth of the running `total_token_usage`.
 * OpenAI's counts include the cached input in input and the reasoning in output, as Corral's do.
 * The model comes from the event or the latest `turn_context`. A call is the session file and its
 * line number (the log is only appended to), so a second import finds the same ids.
 */
export async function* readCodex(file: string): AsyncGenerator<ImportRow> {
  const session = path.basename(file, '.jsonl');
  let previousTotal: Counts | null = null;
  let model: string | undefined;
  for await (const { line, value } of jsonLines(file)) {
    const entry = Line.safeParse(value);
    if (!entry.success) continue;
    if (entry.data.type === 'turn_context') {
      const context = TurnContext.safeParse(entry.data.payload);
      if (context.success && context.data.model) model = context.data.model;
      continue;
    }
    if (entry.data.type !== 'event_msg' || entry.data.timestamp === undefined) continue;
    const event = TokenCount.safeParse(entry.data.payload);
    if (!event.success) continue;
    const info = event.data.info;
    const total = info?.total_token_usage ? counts(info.total_token_usage) : null;
    // Codex repeats a token_count event when only its rate limits changed: a running total that did not grow is no new call.
    const repeated = total !== null && previousTotal !== null && Object.values(minus(total, previousTotal)).every((v) => v === 0);
    const delta = repeated ? null : info?.last_token_usage ? counts(info.last_token_usage) : total ? minus(total, previousTotal) : null;
    if (total) previousTotal = total;
    const at = new Date(entry.data.timestamp);
    if (!delta || Number.isNaN(at.getTime()) || delta.input + delta.output + delta.cached + delta.reasoning === 0) continue;
    model = info?.model ?? info?.model_name ?? event.data.model ?? model;
    yield {
      externalId: `${session}:${line}`,
      at: at.toISOString(),
      provider: 'openai',
      model: model ?? LEGACY_MODEL,
      session,
      inputTokens: delta.input,
      outputTokens: delta.output,
      cacheReadTokens: Math.min(delta.cached, delta.input),
      cacheWriteTokens: 0,
      reasoningTokens: Math.min(delta.reasoning, delta.output),
    };
  }
}
