import * as path from 'node:path';
import * as z from 'zod/mini';
import type { ImportRow } from '../../server/protocol/usage';
import { jsonLines } from './usageLogFiles';

// Token counts are integers in every log seen; `int` makes a stray float skip the line instead of failing the batch at the daemon.
const tokens = z.optional(z.nullable(z.int().check(z.nonnegative())));

/**
 * An assistant message line of a Claude Code transcript (`~/.claude/projects/<project>/<session>.jsonl`):
 * the API's usage as Anthropic reports it, where input_tokens excludes the cache reads and writes.
 */
const AssistantLine = z.object({
  timestamp: z.string(),
  sessionId: z.optional(z.string()),
  requestId: z.optional(z.string()),
  uuid: z.optional(z.string()),
  message: z.object({
    id: z.optional(z.string()),
    model: z.optional(z.string()),
    usage: z.object({
      input_tokens: z.int().check(z.nonnegative()),
      output_tokens: z.int().check(z.nonnegative()),
      cache_creation_input_tokens: tokens,
      cache_read_input_tokens: tokens,
    }),
  }),
});

/**
 * The model calls of one transcript file. Claude Code writes one line per content block of a
 * streamed answer, each repeating the message's usage: a call is its message id and request id
 * (as ccusage counts them), and later lines of the same call are skipped by the ledger's
 * deduplication. Lines without those ids fall back to the line's own uuid.
 */
export async function* readClaudeCode(file: string): AsyncGenerator<ImportRow> {
  const fallbackSession = path.basename(file, '.jsonl');
  for await (const { line, value } of jsonLines(file)) {
    const parsed = AssistantLine.safeParse(value);
    if (!parsed.success) continue;
    const { message, timestamp } = parsed.data;
    const at = new Date(timestamp);
    // `<synthetic>` marks messages Claude Code made up itself (errors, interruptions): no model call.
    if (Number.isNaN(at.getTime()) || message.model === undefined || message.model === '<synthetic>') continue;
    const session = parsed.data.sessionId ?? fallbackSession;
    const externalId =
      message.id !== undefined && parsed.data.requestId !== undefined ? `${message.id}:${parsed.data.requestId}` : `${session}:${parsed.data.uuid ?? `line-${line}`}`;
    const u = message.usage;
    const cacheWrite = u.cache_creation_input_tokens ?? 0;
    const cacheRead = u.cache_read_input_tokens ?? 0;
    yield {
      externalId,
      at: at.toISOString(),
      provider: 'anthropic',
      model: message.model,
      session,
      inputTokens: u.input_tokens + cacheWrite + cacheRead,
      outputTokens: u.output_tokens,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      reasoningTokens: 0,
    };
  }
}
