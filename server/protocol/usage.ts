import * as z from 'zod/mini';
import { CorralRequest } from './base';

export const USAGE_GROUPS = ['day', 'model', 'provider', 'user', 'session', 'persona', 'task'] as const;

export const UsageQueryParams = z.strictObject({
  /** `7d`, `24h`, `30m`, or an ISO date or time. Default `30d`. */
  since: z.optional(z.string().check(z.minLength(2), z.maxLength(40))),
  by: z.optional(z.enum(USAGE_GROUPS)),
  /** Everyone's usage (the daemon's owner only); default: your own. */
  allUsers: z.optional(z.boolean()),
});

export interface UsageTotals {
  calls: number;
  /** Calls whose tokens were counted by Corral because the provider reported none. */
  estimatedCalls: number;
  /** Calls played back from a transcript: nothing was spent on them. */
  replayCalls: number;
  /** Every prompt token, cached or not; cacheRead and cacheWrite are parts of it. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Part of outputTokens. */
  reasoningTokens: number;
  /** Cost of the priced calls in USD. */
  costUsd: number;
  /** Calls of a model with no known price: their cost is unknown, not 0. */
  unpricedCalls: number;
}

export interface UsageReport {
  since: string;
  until: string;
  by: (typeof USAGE_GROUPS)[number];
  rows: (UsageTotals & { key: string })[];
  total: UsageTotals;
}

/** `usage/query`: token and cost totals from the ledger, broken down by one dimension. */
export const UsageQuery = new CorralRequest<typeof UsageQueryParams, UsageReport>('usage/query', UsageQueryParams);
