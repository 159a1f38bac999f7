import * as z from 'zod/mini';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './detectors';
import { DEFAULT_INFRA_RATES, type InfraRates } from './infra';

const positive = z.number().check(z.positive());
const share = z.number().check(z.minimum(0), z.maximum(1));

/** config.json `usage`: infrastructure rates, alert thresholds, the webhook. Every field optional. */
export const UsageConfigSchema = z.strictObject({
  infra: z.optional(
    z.strictObject({ cpuHourUsd: z.optional(z.number().check(z.nonnegative())), memoryGbHourUsd: z.optional(z.number().check(z.nonnegative())), maxGapS: z.optional(positive) }),
  ),
  alerts: z.optional(
    z.strictObject({
      spikeZ: z.optional(positive),
      spikeMinUsd: z.optional(z.number().check(z.nonnegative())),
      spikeMinRatio: z.optional(positive),
      baselineHours: z.optional(z.int().check(z.minimum(24), z.maximum(24 * 90))),
      minBaselineHours: z.optional(z.int().check(z.minimum(1))),
      switchShareNow: z.optional(share),
      switchShareBefore: z.optional(share),
      switchMinCalls: z.optional(z.int().check(z.minimum(1))),
      failMinCount: z.optional(z.int().check(z.minimum(1))),
      failZ: z.optional(positive),
      /** How often the daemon evaluates the detectors, in seconds (default 300). */
      everyS: z.optional(z.number().check(z.minimum(5))),
    }),
  ),
  /** Slack-compatible incoming webhook: `{ text, blocks }` is POSTed for each new alert. */
  webhook: z.optional(
    z.strictObject({
      url: z.string().check(z.url({ protocol: /^https?$/ })),
      retries: z.optional(z.int().check(z.minimum(0), z.maximum(10))),
      backoffMs: z.optional(z.int().check(z.minimum(1), z.maximum(60_000))),
      timeoutMs: z.optional(z.int().check(z.minimum(100), z.maximum(120_000))),
    }),
  ),
});
export type UsageConfig = z.infer<typeof UsageConfigSchema>;

export interface WebhookSettings {
  url: string;
  retries: number;
  backoffMs: number;
  timeoutMs: number;
}

/** The settings with defaults filled in. */
export function usageSettings(config: UsageConfig | undefined): { infra: InfraRates; alerts: AlertSettings; everyMs: number; webhook: WebhookSettings | null } {
  const { everyS, ...alerts } = config?.alerts ?? {};
  const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const hook = config?.webhook;
  return {
    infra: { ...DEFAULT_INFRA_RATES, ...defined(config?.infra ?? {}) },
    alerts: { ...DEFAULT_ALERT_SETTINGS, ...defined(alerts) },
    everyMs: (everyS ?? 300) * 1000,
    webhook: hook ? { url: hook.url, retries: hook.retries ?? 4, backoffMs: hook.backoffMs ?? 1000, timeoutMs: hook.timeoutMs ?? 10_000 } : null,
  };
}
