/** The median of the values (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Iglewicz and Hoaglin's modified z-score: 0.6745 (x − median) / MAD. Median and MAD ignore the
 * outliers a mean and standard deviation would be dragged by, so one past spike does not hide the
 * next. When more than half the baseline is one value (MAD = 0) the mean absolute deviation
 * (scaled to match a normal's σ) stands in; when the baseline is perfectly flat, any departure
 * is infinitely unusual and the caller's minimum effect size decides.
 */
export function robustZ(x: number, baseline: readonly number[]): { z: number; median: number; mad: number } {
  const med = median(baseline);
  const mad = median(baseline.map((v) => Math.abs(v - med)));
  if (mad > 0) return { z: (0.6745 * (x - med)) / mad, median: med, mad };
  const meanAbs = baseline.reduce((s, v) => s + Math.abs(v - med), 0) / baseline.length;
  if (meanAbs > 0) return { z: (x - med) / (1.2533 * meanAbs), median: med, mad };
  return { z: x === med ? 0 : x > med ? Infinity : -Infinity, median: med, mad };
}
