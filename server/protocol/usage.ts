import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

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

// ── Analytics, alerts, reports, import and export (issue 15) ─────────────────────────────────

export const ALERT_KIND_NAMES = ['spend-spike', 'budget-course', 'model-switch', 'failing-commands'] as const;

/** An anomaly Corral noticed, kept with the numbers behind it until acknowledged. */
export interface UsageAlert {
  id: number;
  kind: (typeof ALERT_KIND_NAMES)[number];
  /** Whose usage it is about. */
  user: string;
  /** When it was noticed. */
  at: string;
  severity: 'warning' | 'critical';
  message: string;
  evidence: Record<string, string | number | boolean | null | string[]>;
  ackedAt: string | null;
  ackedBy: string | null;
}

export const UsageAlertsParams = z.strictObject({
  /** Acknowledge this alert first (it is then not raised again). */
  ack: z.optional(z.int().check(z.positive())),
  /** Acknowledged alerts too. */
  includeAcked: z.optional(z.boolean()),
  /** Everyone's alerts (the daemon's owner only); default: your own. */
  allUsers: z.optional(z.boolean()),
});

/** `usage/alerts`: evaluates the detectors now, then lists the open alerts (optionally acknowledging one). */
export const UsageAlerts = new CorralRequest<typeof UsageAlertsParams, { alerts: UsageAlert[]; acked: UsageAlert | null }>('usage/alerts', UsageAlertsParams);

export const UsageForecastParams = z.strictObject({
  allUsers: z.optional(z.boolean()),
});

export interface UsageForecastResult {
  month: string;
  /** When the forecast was made. */
  at: string;
  /** `least-squares`, `damped-trend` (whichever backtested better) or `run-rate` (under 4 days of history). */
  method: 'least-squares' | 'damped-trend' | 'run-rate';
  spentUsd: number;
  projectedUsd: number;
  /** 90% interval, widened to hold the other method's projection. */
  lowUsd: number;
  highUsd: number;
  other: { method: 'least-squares' | 'damped-trend' | 'run-rate'; projectedUsd: number } | null;
  historyDays: number;
  backtestMaeUsd: number | null;
  /** Spend per hour over the last `windowHours`, and the month's total if it held. */
  burn: { windowHours: number; usdPerHour: number; windowUsd: number; projectedMonthUsd: number };
  budgets: { dayUsd: number | null; monthUsd: number | null };
  /** Every day of the month: spent so far, or expected (`forecast: true`). */
  days: { day: string; usd: number; forecast: boolean }[];
}

/** `usage/forecast`: the month's spend so far, its forecast with an interval, and the burn rate. */
export const UsageForecast = new CorralRequest<typeof UsageForecastParams, UsageForecastResult>('usage/forecast', UsageForecastParams);

export const UsageMonthParams = z.strictObject({
  month: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
  allUsers: z.optional(z.boolean()),
});

/** Sums of one bucket or group. Tokens by kind: input counts cached and cache-write tokens too. */
export interface UsageSums {
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

/** The totals of one named group (a model, a source, a user, a task, a session). */
export interface UsageGroupTotals extends UsageSums {
  key: string;
}

/** The monthly review. */
export interface UsageMonthReport {
  month: string;
  users: string[];
  total: UsageSums;
  /** Tokens by kind: uncached input, cache reads, cache writes, output (reasoning is part of output). */
  tokens: { input: number; cached: number; cacheWrite: number; output: number; reasoning: number };
  weeks: (UsageSums & { period: string })[];
  byModel: UsageGroupTotals[];
  bySource: UsageGroupTotals[];
  byUser: UsageGroupTotals[];
  topTasks: UsageGroupTotals[];
  topSessions: UsageGroupTotals[];
  infrastructure: { cpuSeconds: number; memoryGbHours: number; costUsd: number; rates: { cpuHourUsd: number; memoryGbHourUsd: number } };
  alerts: UsageAlert[];
  /** The month's forecast as made mid-month (the latest on or before the 15th) against what was spent. */
  forecastVsActual: { madeOn: string; method: string; projectedUsd: number; lowUsd: number; highUsd: number; actualUsd: number; errorPct: number | null; withinInterval: boolean } | null;
}

/** `usage/report`: the monthly review of spend, tokens, infrastructure, alerts and forecast accuracy. */
export const UsageMonthReportRequest = new CorralRequest<typeof UsageMonthParams, UsageMonthReport>('usage/report', UsageMonthParams);

export const IMPORT_SOURCES = ['claude-code', 'codex'] as const;

const count = z.int().check(z.nonnegative());
export const ImportRowSchema = z.strictObject({
  /** Unique within the source (message id + request id; session file + line): a second import skips it. */
  externalId: z.string().check(z.minLength(1), z.maxLength(300)),
  at: z.iso.datetime(),
  /** The price table's provider id: `anthropic`, `openai`. */
  provider: z.string().check(z.minLength(1), z.maxLength(100)),
  model: z.string().check(z.minLength(1), z.maxLength(200)),
  /** The tool's own session id, kept as the ledger row's session. */
  session: z.nullable(z.string().check(z.maxLength(300))),
  /** Every prompt token, cached or not, as Corral counts them. */
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  reasoningTokens: count,
});
export type ImportRow = z.infer<typeof ImportRowSchema>;

export const UsageImportParams = z.strictObject({
  source: z.enum(IMPORT_SOURCES),
  rows: z.array(ImportRowSchema).check(z.maxLength(5000)),
});

/** `usage/import`: rows read from another agent's logs by the client, priced and added to your ledger. */
export const UsageImport = new CorralRequest<typeof UsageImportParams, { added: number; duplicates: number; unpriced: number; costUsd: number }>('usage/import', UsageImportParams);

export const UsageExportParams = z.strictObject({
  /** Rows after this ledger id (paging); default from the start. */
  afterId: z.optional(z.int().check(z.nonnegative())),
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
  allUsers: z.optional(z.boolean()),
});

/** One ledger row as exported. */
export interface LedgerExportRow {
  id: number;
  at: string;
  user: string;
  /** `corral`, or the tool the row was imported from. */
  source: string;
  provider: string;
  model: string;
  sessionId: string | null;
  task: string | null;
  persona: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number | null;
  priceVersion: string | null;
  outcome: string;
  estimated: boolean;
  replay: boolean;
}

/** `usage/export`: ledger rows in id order, a page at a time. */
export const UsageExport = new CorralRequest<typeof UsageExportParams, { rows: LedgerExportRow[]; nextAfterId: number | null }>('usage/export', UsageExportParams);

/** `usage/changed`: your ledger or alerts changed (new model calls, an import, an alert); clients refresh. */
export const UsageChanged = new CorralNotification<{ reason: 'ledger' | 'import' | 'alert' }>('usage/changed');

/** `usage/alert`: a new alert about your usage (VS Code shows it as a notification). */
export const UsageAlertRaised = new CorralNotification<UsageAlert>('usage/alert');
