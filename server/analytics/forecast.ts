import { DAY_MS, daysInMonth } from './rows';

export type ForecastMethod = 'least-squares' | 'damped-trend' | 'run-rate';

export interface MonthForecast {
  month: string;
  /** The method the point forecast comes from: the one with the smaller backtest error. */
  method: ForecastMethod;
  spentUsd: number;
  projectedUsd: number;
  /** A 90% interval for the month's total, widened to take in the other method's projection. */
  lowUsd: number;
  highUsd: number;
  other: { method: ForecastMethod; projectedUsd: number } | null;
  /** Complete days of history the methods were fitted on. */
  historyDays: number;
  /** Mean absolute one-day-ahead error of the chosen method on the history (rolling origin). */
  backtestMaeUsd: number | null;
  /** Expected spend for each remaining day (today's remaining part first). */
  remaining: { day: string; usd: number }[];
}

/** Ordinary least squares line through (0, y0), (1, y1), …: y = intercept + slope·t. */
export function leastSquares(ys: readonly number[]): { intercept: number; slope: number } {
  const n = ys.length;
  if (n === 1) return { intercept: ys[0]!, slope: 0 };
  const meanT = (n - 1) / 2;
  const meanY = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, t) => {
    sxy += (t - meanT) * (y - meanY);
    sxx += (t - meanT) ** 2;
  });
  const slope = sxy / sxx;
  return { intercept: meanY - slope * meanT, slope };
}

interface Damped {
  alpha: number;
  beta: number;
  phi: number;
}

/** Holt's linear method with a damped trend (Gardner and McKenzie): final level and trend after the series. */
function dampedState(ys: readonly number[], p: Damped): { level: number; trend: number; sse: number; oneStep: number[] } {
  let level = ys[0]!;
  let trend = ys.length > 1 ? ys[1]! - ys[0]! : 0;
  let sse = 0;
  const oneStep: number[] = [];
  for (let t = 1; t < ys.length; t++) {
    const predicted = level + p.phi * trend;
    const y = ys[t]!;
    oneStep.push(y - predicted);
    sse += (y - predicted) ** 2;
    const next = p.alpha * y + (1 - p.alpha) * predicted;
    trend = p.beta * (next - level) + (1 - p.beta) * p.phi * trend;
    level = next;
  }
  return { level, trend, sse, oneStep };
}

const GRID: Damped[] = [0.2, 0.4, 0.6, 0.8].flatMap((alpha) => [0.05, 0.1, 0.2].flatMap((beta) => [0.8, 0.9, 0.98].map((phi) => ({ alpha, beta, phi }))));

/** The damped-trend parameters with the smallest one-step squared error on the series. */
function fitDamped(ys: readonly number[]): Damped {
  let best = GRID[0]!;
  let bestSse = Infinity;
  for (const p of GRID) {
    const { sse } = dampedState(ys, p);
    if (sse < bestSse) [best, bestSse] = [p, sse];
  }
  return best;
}

/** Forecasts h = 1, 2, … steps after the series ends. */
function predictor(method: 'least-squares' | 'damped-trend', ys: readonly number[]): (h: number) => number {
  if (method === 'least-squares') {
    const { intercept, slope } = leastSquares(ys);
    return (h) => Math.max(0, intercept + slope * (ys.length - 1 + h));
  }
  const p = fitDamped(ys);
  const { level, trend } = dampedState(ys, p);
  return (h) => {
    let damp = 0;
    for (let i = 1; i <= h; i++) damp += p.phi ** i;
    return Math.max(0, level + damp * trend);
  };
}

/** Rolling-origin one-day-ahead errors: fit on days [0, t), predict day t, for the second half. */
function backtest(method: 'least-squares' | 'damped-trend', ys: readonly number[]): number[] {
  const errors: number[] = [];
  for (let t = Math.max(3, Math.floor(ys.length / 2)); t < ys.length; t++) errors.push(ys[t]! - predictor(method, ys.slice(0, t))(1));
  return errors;
}

const Z90 = 1.645;

/**
 * The month's spend: what is spent so far plus the expected spend of the remaining days. Two
 * methods are fitted to the daily series of the last `historyDays` complete days — least squares
 * (a straight line: exact on a steady trend, easy to explain) and Holt's damped trend (follows a
 * recent change of pace without extrapolating it for ever) — and the one with the smaller
 * rolling backtest error gives the point forecast; ties go to least squares. The interval is
 * ±1.645 σ√h around the remaining spend (σ: the chosen method's one-day error, h: days left) and
 * always contains the other method's projection: when the methods disagree the band says so.
 * With fewer than 4 days of history, the average day so far is carried forward (run rate).
 */
export function forecastMonth(daily: ReadonlyMap<string, number>, now: Date, historyDays = 28): MonthForecast {
  const month = now.toISOString().slice(0, 7);
  const todayStart = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const elapsedToday = (now.getTime() - todayStart) / DAY_MS;
  const dayKey = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  let spentUsd = 0;
  for (const [day, usd] of daily) if (day.startsWith(month) && day <= dayKey(todayStart)) spentUsd += usd;

  const history: number[] = [];
  for (let i = historyDays; i >= 1; i--) history.push(daily.get(dayKey(todayStart - i * DAY_MS)) ?? 0);
  const firstSpend = history.findIndex((v) => v !== 0);
  const ys = firstSpend < 0 ? [] : history.slice(firstSpend);

  const lastDay = daysInMonth(month);
  const todayNumber = Number(dayKey(todayStart).slice(8, 10));
  const horizon = lastDay - todayNumber + 1;
  const weights = Array.from({ length: horizon }, (_, i) => (i === 0 ? 1 - elapsedToday : 1));
  const days = Array.from({ length: horizon }, (_, i) => dayKey(todayStart + i * DAY_MS));
  const remainingDays = weights.reduce((s, w) => s + w, 0);

  if (ys.length < 4) {
    const pastDays = todayNumber - 1 + elapsedToday;
    const perDay = pastDays > 0 ? spentUsd / pastDays : 0;
    const remaining = days.map((day, i) => ({ day, usd: perDay * weights[i]! }));
    const projectedUsd = spentUsd + perDay * remainingDays;
    return {
      month,
      method: 'run-rate',
      spentUsd,
      projectedUsd,
      lowUsd: spentUsd + perDay * remainingDays * 0.5,
      highUsd: spentUsd + perDay * remainingDays * 1.5,
      other: null,
      historyDays: ys.length,
      backtestMaeUsd: null,
      remaining,
    };
  }

  const candidates = (['least-squares', 'damped-trend'] as const).map((method) => {
    const errors = backtest(method, ys);
    const predict = predictor(method, ys);
    const remaining = days.map((day, i) => ({ day, usd: predict(i + 1) * weights[i]! }));
    return {
      method,
      mae: errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length,
      sigma: Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length),
      remaining,
      projectedUsd: spentUsd + remaining.reduce((s, r) => s + r.usd, 0),
    };
  });
  const [ls, damped] = candidates as [(typeof candidates)[number], (typeof candidates)[number]];
  const chosen = ls.mae <= damped.mae + 1e-9 ? ls : damped;
  const other = chosen === ls ? damped : ls;
  const half = Z90 * chosen.sigma * Math.sqrt(remainingDays);
  return {
    month,
    method: chosen.method,
    spentUsd,
    projectedUsd: chosen.projectedUsd,
    lowUsd: Math.max(spentUsd, Math.min(chosen.projectedUsd - half, other.projectedUsd)),
    highUsd: Math.max(chosen.projectedUsd + half, other.projectedUsd),
    other: { method: other.method, projectedUsd: other.projectedUsd },
    historyDays: ys.length,
    backtestMaeUsd: chosen.mae,
    remaining: chosen.remaining,
  };
}

/** Spend per hour over the last `windowHours` (the current window), from hourly spend. */
export function burnRate(hourly: ReadonlyMap<string, number>, now: Date, windowHours = 6): { windowHours: number; usdPerHour: number; windowUsd: number } {
  const start = now.getTime() - windowHours * 3_600_000;
  let windowUsd = 0;
  for (const [hour, usd] of hourly) {
    const t = Date.parse(`${hour}:00:00Z`);
    // The hour the window starts in counts for the part of it inside the window.
    if (t >= start) windowUsd += usd;
    else if (t + 3_600_000 > start) windowUsd += (usd * (t + 3_600_000 - start)) / 3_600_000;
  }
  return { windowHours, usdPerHour: windowUsd / windowHours, windowUsd };
}
