import type { MonthForecast } from './forecast';
import { robustZ } from './robust';
import { DAY_MS, HOUR_MS, hourOf, type CallFact, type CommandFact } from './rows';

export const ALERT_KINDS = ['spend-spike', 'budget-course', 'model-switch', 'failing-commands'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** An anomaly as a detector reports it; the store keeps one row per `key`. */
export interface Finding {
  kind: AlertKind;
  user: string;
  /** The same finding (kind, subject, window) always has the same key: re-evaluation adds nothing. */
  key: string;
  severity: 'warning' | 'critical';
  message: string;
  /** The numbers behind it, kept with the alert. */
  evidence: Record<string, string | number | boolean | null | string[]>;
}

/** Thresholds (config.json `usage.alerts`); every one has a default. */
export interface AlertSettings {
  /** Modified z-score above which an hour's spend is a spike (3.5: Iglewicz and Hoaglin). */
  spikeZ: number;
  /** A spike must also exceed the baseline median by this many dollars… */
  spikeMinUsd: number;
  /** …and be at least this many times the median. */
  spikeMinRatio: number;
  /** Trailing window the hour is compared with. */
  baselineHours: number;
  /** Active hours the baseline needs before spikes are judged at all. */
  minBaselineHours: number;
  /** A new model must carry this share of the last day's calls… */
  switchShareNow: number;
  /** …after at most this share of the baseline's. */
  switchShareBefore: number;
  switchMinCalls: number;
  failMinCount: number;
  failZ: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  spikeZ: 3.5,
  spikeMinUsd: 1,
  spikeMinRatio: 2,
  baselineHours: 168,
  minBaselineHours: 6,
  switchShareNow: 0.5,
  switchShareBefore: 0.1,
  switchMinCalls: 10,
  failMinCount: 5,
  failZ: 3.5,
};

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;

function byUser<T extends { user: string }>(rows: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.user);
    if (list) list.push(row);
    else map.set(row.user, [row]);
  }
  return map;
}

/** The hours `[now − hours, now]` as `YYYY-MM-DDTHH`, oldest first. */
function hoursBack(now: Date, hours: number): string[] {
  const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return Array.from({ length: hours }, (_, i) => new Date(end - (hours - 1 - i) * HOUR_MS).toISOString().slice(0, 13));
}

/**
 * Hours of the last `evaluateHours` whose spend stands out against the user's trailing baseline
 * (the hours with any spend in the `baselineHours` before it: idle hours would make every working
 * hour look like a spike).
 */
export function detectSpendSpikes(calls: readonly CallFact[], now: Date, s: AlertSettings, evaluateHours = 24): Finding[] {
  const findings: Finding[] = [];
  // The evaluated hours after their baseline, named once (looked up, not scanned: a year of history costs the same).
  const keys = hoursBack(now, s.baselineHours + evaluateHours);
  for (const [user, rows] of byUser(calls)) {
    const hourly = new Map<string, number>();
    for (const c of rows) if (c.costUsd !== null) hourly.set(hourOf(c.at), (hourly.get(hourOf(c.at)) ?? 0) + c.costUsd);
    for (let i = s.baselineHours; i < keys.length; i++) {
      const hour = keys[i]!;
      const x = hourly.get(hour);
      if (x === undefined) continue;
      const baseline = keys
        .slice(i - s.baselineHours, i)
        .map((h) => hourly.get(h) ?? 0)
        .filter((v) => v > 0);
      if (baseline.length < s.minBaselineHours) continue;
      const { z, median, mad } = robustZ(x, baseline);
      if (z < s.spikeZ || x - median < s.spikeMinUsd || x < s.spikeMinRatio * median) continue;
      findings.push({
        kind: 'spend-spike',
        user,
        key: `spend-spike:${user}:${hour}`,
        severity: x >= 10 * Math.max(median, s.spikeMinUsd) ? 'critical' : 'warning',
        message: `${user} spent $${x.toFixed(2)} in the hour from ${hour}:00 UTC, against a typical $${median.toFixed(2)}`,
        evidence: {
          hour: `${hour}:00:00Z`,
          spentUsd: round(x),
          baselineMedianUsd: round(median),
          baselineMadUsd: round(mad),
          z: Number.isFinite(z) ? round(z, 2) : null,
          baselineHours: baseline.length,
        },
      });
    }
  }
  return findings;
}

/**
 * A budget on course to be exceeded before its period ends: the month by the forecast, the day
 * by the current burn rate. Only while it is not yet spent — the agent refuses then anyway.
 */
export function detectBudgetCourse(
  user: string,
  now: Date,
  budgets: { dayUsd?: number | undefined; monthUsd?: number | undefined },
  facts: { forecast: MonthForecast; spentTodayUsd: number; burnUsdPerHour: number },
): Finding[] {
  const findings: Finding[] = [];
  const { forecast } = facts;
  if (budgets.monthUsd !== undefined && forecast.spentUsd < budgets.monthUsd && forecast.projectedUsd > budgets.monthUsd) {
    let cumulative = forecast.spentUsd;
    const crossing = forecast.remaining.find((r) => (cumulative += r.usd) > budgets.monthUsd!)?.day ?? null;
    findings.push({
      kind: 'budget-course',
      user,
      key: `budget-course:${user}:month:${forecast.month}`,
      severity: forecast.lowUsd > budgets.monthUsd ? 'critical' : 'warning',
      message: `${user} is on course to spend $${forecast.projectedUsd.toFixed(2)} in ${forecast.month}, over the $${budgets.monthUsd.toFixed(2)} monthly budget${crossing ? ` (reached about ${crossing})` : ''}`,
      evidence: {
        period: 'month',
        budgetUsd: budgets.monthUsd,
        spentUsd: round(forecast.spentUsd),
        projectedUsd: round(forecast.projectedUsd),
        lowUsd: round(forecast.lowUsd),
        highUsd: round(forecast.highUsd),
        method: forecast.method,
        reachedOn: crossing,
      },
    });
  }
  const day = now.toISOString().slice(0, 10);
  const hoursLeft = (Date.parse(`${day}T00:00:00Z`) + DAY_MS - now.getTime()) / HOUR_MS;
  const projectedDay = facts.spentTodayUsd + facts.burnUsdPerHour * hoursLeft;
  if (budgets.dayUsd !== undefined && facts.spentTodayUsd < budgets.dayUsd && projectedDay > budgets.dayUsd) {
    const hoursToBudget = facts.burnUsdPerHour > 0 ? (budgets.dayUsd - facts.spentTodayUsd) / facts.burnUsdPerHour : null;
    findings.push({
      kind: 'budget-course',
      user,
      key: `budget-course:${user}:day:${day}`,
      severity: 'warning',
      message: `${user} is burning $${facts.burnUsdPerHour.toFixed(2)}/h: the $${budgets.dayUsd.toFixed(2)} daily budget runs out in about ${hoursToBudget === null ? '?' : hoursToBudget.toFixed(1)} h`,
      evidence: {
        period: 'day',
        budgetUsd: budgets.dayUsd,
        spentUsd: round(facts.spentTodayUsd),
        burnUsdPerHour: round(facts.burnUsdPerHour),
        projectedUsd: round(projectedDay),
        hoursToBudget: hoursToBudget === null ? null : round(hoursToBudget, 2),
      },
    });
  }
  return findings;
}

function shares(rows: readonly CallFact[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of rows) counts.set(`${c.provider}/${c.model}`, (counts.get(`${c.provider}/${c.model}`) ?? 0) + 1);
  return new Map([...counts].map(([m, n]) => [m, n / rows.length]));
}

/** A model that carried almost none of the baseline's calls carrying most of the last day's. */
export function detectModelSwitch(calls: readonly CallFact[], now: Date, s: AlertSettings, recentHours = 24): Finding[] {
  const findings: Finding[] = [];
  const split = new Date(now.getTime() - recentHours * HOUR_MS).toISOString();
  const from = new Date(now.getTime() - recentHours * HOUR_MS - s.baselineHours * HOUR_MS).toISOString();
  for (const [user, rows] of byUser(calls)) {
    const before = rows.filter((c) => c.at >= from && c.at < split);
    const recent = rows.filter((c) => c.at >= split && c.at <= now.toISOString());
    if (before.length < s.switchMinCalls || recent.length < s.switchMinCalls) continue;
    const sharesBefore = shares(before);
    const [to, shareNow] = [...shares(recent)].sort((a, b) => b[1] - a[1])[0]!;
    const shareBefore = sharesBefore.get(to) ?? 0;
    if (shareNow < s.switchShareNow || shareBefore > s.switchShareBefore) continue;
    const [fromModel, fromShare] = [...sharesBefore].sort((a, b) => b[1] - a[1])[0]!;
    const perCall = (list: readonly CallFact[]): number => list.reduce((sum, c) => sum + (c.costUsd ?? 0), 0) / list.length;
    const firstUse = recent
      .filter((c) => `${c.provider}/${c.model}` === to)
      .map((c) => c.at)
      .sort()[0]!;
    findings.push({
      kind: 'model-switch',
      user,
      key: `model-switch:${user}:${fromModel}->${to}:${firstUse.slice(0, 10)}`,
      severity: perCall(recent) > 2 * perCall(before) ? 'critical' : 'warning',
      message: `${user} switched from ${fromModel} to ${to}: ${Math.round(shareNow * 100)}% of the last ${recentHours} h's calls (was ${Math.round(shareBefore * 100)}%)`,
      evidence: {
        from: fromModel,
        to,
        shareBefore: round(shareBefore),
        shareFromBefore: round(fromShare),
        shareNow: round(shareNow),
        callsBefore: before.length,
        callsNow: recent.length,
        costPerCallBeforeUsd: round(perCall(before), 6),
        costPerCallNowUsd: round(perCall(recent), 6),
        firstUse,
      },
    });
  }
  return findings;
}

/** Hours in which a user's commands failed far more often than in their trailing baseline. */
export function detectFailingCommands(commands: readonly CommandFact[], now: Date, s: AlertSettings, evaluateHours = 24): Finding[] {
  const findings: Finding[] = [];
  const keys = hoursBack(now, s.baselineHours + evaluateHours);
  for (const [user, rows] of byUser(commands)) {
    const hourly = new Map<string, CommandFact[]>();
    for (const c of rows) {
      const list = hourly.get(hourOf(c.at));
      if (list) list.push(c);
      else hourly.set(hourOf(c.at), [c]);
    }
    for (let i = s.baselineHours; i < keys.length; i++) {
      const hour = keys[i]!;
      const ran = hourly.get(hour);
      const failed = ran?.filter((c) => c.failed) ?? [];
      if (!ran || failed.length < s.failMinCount) continue;
      const baseline = keys.slice(i - s.baselineHours, i).flatMap((h) => {
        const list = hourly.get(h);
        return list ? [list.filter((c) => c.failed).length] : [];
      });
      // Without a baseline, most of an hour's commands failing is the spike.
      const { z, median } = baseline.length >= s.minBaselineHours ? robustZ(failed.length, baseline) : { z: failed.length / ran.length >= 0.5 ? Infinity : 0, median: 0 };
      if (z < s.failZ) continue;
      const counts = new Map<string, number>();
      for (const c of failed) counts.set(c.command, (counts.get(c.command) ?? 0) + 1);
      findings.push({
        kind: 'failing-commands',
        user,
        key: `failing-commands:${user}:${hour}`,
        severity: failed.length === ran.length ? 'critical' : 'warning',
        message: `${failed.length} of ${user}'s ${ran.length} commands failed in the hour from ${hour}:00 UTC (typically ${median})`,
        evidence: {
          hour: `${hour}:00:00Z`,
          failed: failed.length,
          commands: ran.length,
          baselineMedian: median,
          z: Number.isFinite(z) ? round(z, 2) : null,
          sessions: [...new Set(failed.map((c) => c.sessionId))],
          topCommands: [...counts]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
            .map(([c, n]) => `${n}× ${c.slice(0, 200)}`),
        },
      });
    }
  }
  return findings;
}
