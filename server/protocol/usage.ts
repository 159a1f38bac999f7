import * as z from 'zod/mini';
import { CorralNotification, CorralRequest, IsoTime } from './base';

export const USAGE_GROUPS = ['day', 'model', 'provider', 'user', 'session', 'persona', 'task'] as const;

export const UsageQueryParams = z.strictObject({
  /** `7d`, `24h`, `30m`, or an ISO date or time. Default `30d`. */
  since: z.optional(z.string().check(z.minLength(2), z.maxLength(40))),
  by: z.optional(z.enum(USAGE_GROUPS)),
  /** Everyone's usage (the daemon's owner only); default: your own. */
  allUsers: z.optional(z.boolean()),
});

const count = z.int().check(z.nonnegative());

export const UsageTotals = z.strictObject({
  calls: count,
  /** Calls whose tokens were counted by Corral because the provider reported none. */
  estimatedCalls: count,
  /** Calls played back from a transcript: nothing was spent on them. */
  replayCalls: count,
  /** Every prompt token, cached or not; cacheRead and cacheWrite are parts of it. */
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  /** Part of outputTokens. */
  reasoningTokens: count,
  /** Cost of the priced calls in USD. */
  costUsd: z.number(),
  /** Calls of a model with no known price: their cost is unknown, not 0. */
  unpricedCalls: count,
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const UsageReport = z.strictObject({
  since: IsoTime,
  until: IsoTime,
  by: z.enum(USAGE_GROUPS),
  rows: z.array(z.extend(UsageTotals, { key: z.string() })),
  total: UsageTotals,
});
export type UsageReport = z.infer<typeof UsageReport>;

/** `usage/query`: token and cost totals from the ledger, broken down by one dimension. */
export const UsageQuery = new CorralRequest('usage/query', UsageQueryParams, UsageReport);

// ── Analytics, alerts, reports, import and export (issue 15) ─────────────────────────────────

export const ALERT_KIND_NAMES = ['spend-spike', 'budget-course', 'model-switch', 'failing-commands'] as const;

/** An anomaly Corral noticed, kept with the numbers behind it until acknowledged. */
export const UsageAlert = z.strictObject({
  id: z.int(),
  kind: z.enum(ALERT_KIND_NAMES),
  /** Whose usage it is about. */
  user: z.string(),
  /** When it was noticed. */
  at: IsoTime,
  severity: z.enum(['warning', 'critical']),
  message: z.string(),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])),
  ackedAt: z.nullable(IsoTime),
  ackedBy: z.nullable(z.string()),
});
export type UsageAlert = z.infer<typeof UsageAlert>;

export const UsageAlertsParams = z.strictObject({
  /** Acknowledge this alert first (it is then not raised again). */
  ack: z.optional(z.int().check(z.positive())),
  /** Acknowledged alerts too. */
  includeAcked: z.optional(z.boolean()),
  /** Everyone's alerts (the daemon's owner only); default: your own. */
  allUsers: z.optional(z.boolean()),
});

/** `usage/alerts`: evaluates the detectors now, then lists the open alerts (optionally acknowledging one). */
export const UsageAlerts = new CorralRequest('usage/alerts', UsageAlertsParams, z.strictObject({ alerts: z.array(UsageAlert), acked: z.nullable(UsageAlert) }));

export const UsageForecastParams = z.strictObject({
  allUsers: z.optional(z.boolean()),
});

const ForecastMethod = z.enum(['least-squares', 'damped-trend', 'run-rate']);

export const UsageForecastResult = z.strictObject({
  month: z.string(),
  /** When the forecast was made. */
  at: IsoTime,
  /** `least-squares`, `damped-trend` (whichever backtested better) or `run-rate` (under 4 days of history). */
  method: ForecastMethod,
  spentUsd: z.number(),
  projectedUsd: z.number(),
  /** 90% interval, widened to hold the other method's projection. */
  lowUsd: z.number(),
  highUsd: z.number(),
  other: z.nullable(z.strictObject({ method: ForecastMethod, projectedUsd: z.number() })),
  historyDays: z.number(),
  backtestMaeUsd: z.nullable(z.number()),
  /** Spend per hour over the last `windowHours`, and the month's total if it held. */
  burn: z.strictObject({ windowHours: z.number(), usdPerHour: z.number(), windowUsd: z.number(), projectedMonthUsd: z.number() }),
  budgets: z.strictObject({ dayUsd: z.nullable(z.number()), monthUsd: z.nullable(z.number()) }),
  /** Every day of the month: spent so far, or expected (`forecast: true`). */
  days: z.array(z.strictObject({ day: z.string(), usd: z.number(), forecast: z.boolean() })),
});
export type UsageForecastResult = z.infer<typeof UsageForecastResult>;

/** `usage/forecast`: the month's spend so far, its forecast with an interval, and the burn rate. */
export const UsageForecast = new CorralRequest('usage/forecast', UsageForecastParams, UsageForecastResult);

export const UsageMonthParams = z.strictObject({
  month: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
  allUsers: z.optional(z.boolean()),
});

/** Sums of one bucket or group. Tokens by kind: input counts cached and cache-write tokens too. */
export const UsageSums = z.strictObject({
  calls: count,
  inputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  outputTokens: count,
  reasoningTokens: count,
  costUsd: z.number(),
  unpricedCalls: count,
});
export type UsageSums = z.infer<typeof UsageSums>;

/** The totals of one named group (a model, a source, a user, a task, a session). */
export const UsageGroupTotals = z.extend(UsageSums, { key: z.string() });
export type UsageGroupTotals = z.infer<typeof UsageGroupTotals>;

/** The monthly review. */
export const UsageMonthReport = z.strictObject({
  month: z.string(),
  users: z.array(z.string()),
  total: UsageSums,
  /** Tokens by kind: uncached input, cache reads, cache writes, output (reasoning is part of output). */
  tokens: z.strictObject({ input: count, cached: count, cacheWrite: count, output: count, reasoning: count }),
  weeks: z.array(z.extend(UsageSums, { period: z.string() })),
  byModel: z.array(UsageGroupTotals),
  bySource: z.array(UsageGroupTotals),
  byUser: z.array(UsageGroupTotals),
  topTasks: z.array(UsageGroupTotals),
  topSessions: z.array(UsageGroupTotals),
  infrastructure: z.strictObject({
    cpuSeconds: z.number(),
    memoryGbHours: z.number(),
    costUsd: z.number(),
    rates: z.strictObject({ cpuHourUsd: z.number(), memoryGbHourUsd: z.number() }),
  }),
  alerts: z.array(UsageAlert),
  /** The month's forecast as made mid-month (the latest on or before the 15th) against what was spent. */
  forecastVsActual: z.nullable(
    z.strictObject({
      madeOn: z.string(),
      method: z.string(),
      projectedUsd: z.number(),
      lowUsd: z.number(),
      highUsd: z.number(),
      actualUsd: z.number(),
      errorPct: z.nullable(z.number()),
      withinInterval: z.boolean(),
    }),
  ),
});
export type UsageMonthReport = z.infer<typeof UsageMonthReport>;

/** `usage/report`: the monthly review of spend, tokens, infrastructure, alerts and forecast accuracy. */
export const UsageMonthReportRequest = new CorralRequest('usage/report', UsageMonthParams, UsageMonthReport);

export const IMPORT_SOURCES = ['claude-code', 'codex'] as const;

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

/** What one `usage/import` added: new rows, rows already in the ledger, rows of a model with no known price, and their cost. */
export const UsageImportResult = z.strictObject({ added: count, duplicates: count, unpriced: count, costUsd: z.number() });
/** `usage/import`: rows read from another agent's logs by the client, priced and added to your ledger. */
export const UsageImport = new CorralRequest('usage/import', UsageImportParams, UsageImportResult);

export const UsageExportParams = z.strictObject({
  /** Rows after this ledger id (paging); default from the start. */
  afterId: z.optional(z.int().check(z.nonnegative())),
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
  allUsers: z.optional(z.boolean()),
});

/** One ledger row as exported. */
export const LedgerExportRow = z.strictObject({
  id: z.int(),
  at: IsoTime,
  user: z.string(),
  /** `corral`, or the tool the row was imported from. */
  source: z.string(),
  provider: z.string(),
  model: z.string(),
  sessionId: z.nullable(z.string()),
  task: z.nullable(z.string()),
  persona: z.nullable(z.string()),
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  reasoningTokens: count,
  costUsd: z.nullable(z.number()),
  priceVersion: z.nullable(z.string()),
  outcome: z.string(),
  estimated: z.boolean(),
  replay: z.boolean(),
});
export type LedgerExportRow = z.infer<typeof LedgerExportRow>;

/** `usage/export`: ledger rows in id order, a page at a time. */
export const UsageExport = new CorralRequest('usage/export', UsageExportParams, z.strictObject({ rows: z.array(LedgerExportRow), nextAfterId: z.nullable(z.int()) }));

/** `usage/changed`: your ledger or alerts changed (new model calls, an import, an alert); clients refresh. */
export const UsageChanged = new CorralNotification('usage/changed', z.strictObject({ reason: z.enum(['ledger', 'import', 'alert']) }));

/** `usage/alert`: a new alert about your usage (VS Code shows it as a notification). */
export const UsageAlertRaised = new CorralNotification('usage/alert', UsageAlert);
