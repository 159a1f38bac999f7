import * as fs from 'node:fs';
import * as z from 'zod/mini';
import { CorralError } from './errors';
import { ErrorCode, TaskStatusName } from './protocol';
import { UsageConfigSchema } from './analytics/settings';

const Price = z.strictObject({
  inputPerMTok: z.number().check(z.nonnegative()),
  outputPerMTok: z.number().check(z.nonnegative()),
  cacheReadPerMTok: z.optional(z.number().check(z.nonnegative())),
  cacheWritePerMTok: z.optional(z.number().check(z.nonnegative())),
});

const Provider = z.strictObject({
  /** Which SDK speaks to it: `openai` (any OpenAI-compatible server) or `anthropic`. */
  type: z.enum(['openai', 'anthropic']),
  baseURL: z.optional(z.string().check(z.url())),
  /** The key itself; better: `apiKeyEnv`, the daemon's environment variable holding it. */
  apiKey: z.optional(z.string()),
  apiKeyEnv: z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/))),
  model: z.optional(z.string()),
  /** The price table's provider id (default: the provider's name). */
  priceProvider: z.optional(z.string()),
  maxRetries: z.optional(z.int().check(z.minimum(0), z.maximum(10))),
});

/** A board's word for a status: a few words, no line break or table pipe. */
const StatusWord = z.string().check(z.minLength(1), z.maxLength(60), z.regex(/^[^\n|]+$/, 'one line without a |'));

/** `$CORRAL_HOME/config.json`: everything optional; documented in the README. */
export const ConfigSchema = z.strictObject({
  defaultProvider: z.optional(z.string()),
  providers: z.optional(z.record(z.string(), Provider)),
  budgets: z.optional(
    z.strictObject({
      runUsd: z.optional(z.number().check(z.positive())),
      dayUsd: z.optional(z.number().check(z.positive())),
      monthUsd: z.optional(z.number().check(z.positive())),
    }),
  ),
  prices: z.optional(z.record(z.string(), Price)),
  /**
   * Task boards: extra section names and the status they mean, e.g. { "Icebox": "todo", "QA": "review" };
   * `words`: what a status edit writes into a status cell or field, e.g. { "done": "Erledigt" } (else the board's legend, or the words its tasks use).
   */
  tasks: z.optional(
    z.strictObject({
      headingStatus: z.optional(z.record(z.string(), TaskStatusName)),
      words: z.optional(z.partialRecord(TaskStatusName, StatusWord)),
    }),
  ),
  /** Usage analytics: infrastructure rates, alert thresholds, the alert webhook (docs/DESIGN.md). */
  usage: z.optional(UsageConfigSchema),
  agent: z.optional(
    z.strictObject({
      maxSteps: z.optional(z.int().check(z.minimum(1))),
      timeoutS: z.optional(z.number().check(z.positive())),
      maxTokensPerCall: z.optional(z.int().check(z.minimum(16))),
      /** What a task becomes when a run on it finishes: done, or review for a person to look first. */
      taskDoneStatus: z.optional(z.enum(['done', 'review'])),
    }),
  ),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ProviderConfig = z.infer<typeof Provider>;

/**
 * Read at each use, so an edit applies to the next run without restarting the daemon. A file that
 * cannot be read or is not a valid config is `ConfigInvalid`, naming the file and the bad key: the
 * caller's request fails with it, nothing else is changed.
 */
export function readConfig(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CorralError(ErrorCode.ConfigInvalid, `cannot read ${file}: ${(error as Error).message}`, `check the permissions of ${file} (the daemon's user must read it)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CorralError(ErrorCode.ConfigInvalid, `${file} is not valid JSON: ${(error as Error).message}`, `fix ${file} (or move it away to use the defaults)`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const keys = parsed.error.issues.map((i) => keyOf(i.path, 'keys' in i ? i.keys : undefined));
    const issues = parsed.error.issues.map((i, n) => `${keys[n]}: ${i.message}`).join('; ');
    throw new CorralError(
      ErrorCode.ConfigInvalid,
      `${file} is not a valid Corral config: ${issues}`,
      `fix ${keys[0] ?? 'those fields'} in ${file}; the README lists every setting`,
    );
  }
  return parsed.data;
}

/** The dotted key a config issue is about (`providers.local.baseURL`); an unknown key is named itself. */
function keyOf(path: readonly PropertyKey[], unknownKeys: unknown): string {
  const at = path.map(String);
  if (Array.isArray(unknownKeys) && unknownKeys.length > 0) at.push(String(unknownKeys[0]));
  return at.length > 0 ? at.join('.') : '(top level)';
}
