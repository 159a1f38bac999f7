import uPlot from 'uplot';
import type { UsageAlert, UsageForecastResult, UsageReport } from '../../server/protocol';
import { h, money } from '../dom';

/** A theme colour by its `--vscode-charts-*` name (the editor's theme in VS Code, app.css in a browser). */
function color(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`).trim() || fallback;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

const day = (iso: string): number => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / 1000;

function axes(): uPlot.Axis[] {
  const stroke = color('descriptionForeground', '#888');
  const grid = { stroke: color('panel-border', '#ccc'), width: 1 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, size: 60 },
  ];
}

/** A chart in a figure: the canvas is drawn for sighted users, the caption and the tables below say the same in words. */
function figure(caption: string, summary: string): { element: HTMLElement; plot: HTMLElement } {
  const plot = h('div', { class: 'chart-plot', role: 'img', 'aria-label': summary });
  return { element: h('figure', { class: 'chart' }, h('figcaption', {}, caption), plot), plot };
}

/**
 * The month so far and its forecast: cumulative spend, the forecast after today with its 90%
 * interval as a band (the interval at the month's end, opened linearly from today), and the
 * monthly budget as a line.
 */
export function monthChart(forecast: UsageForecastResult, width: number, alerts: readonly UsageAlert[] = []): HTMLElement {
  const x: number[] = [];
  const spent: (number | null)[] = [];
  const projected: (number | null)[] = [];
  const low: (number | null)[] = [];
  const high: (number | null)[] = [];
  const budget: (number | null)[] = [];
  const remaining = forecast.days.filter((d) => d.forecast).length;
  let total = 0;
  let seen = 0;
  for (const d of forecast.days) {
    total += d.usd;
    x.push(day(d.day));
    spent.push(d.forecast ? null : total);
    if (d.forecast) seen++;
    const share = remaining === 0 ? 1 : seen / remaining;
    projected.push(d.forecast || seen === 0 ? total : null);
    low.push(d.forecast ? forecast.spentUsd + (forecast.lowUsd - forecast.spentUsd) * share : null);
    high.push(d.forecast ? forecast.spentUsd + (forecast.highUsd - forecast.spentUsd) * share : null);
    budget.push(forecast.budgets.monthUsd);
  }
  const band = color('charts-purple', '#652d90');
  const marked = alerts.filter((alert) => alert.at.slice(0, 7) === forecast.month);
  const { element, plot } = figure(
    `${forecast.month}: ${money(forecast.spentUsd)} spent, ${money(forecast.projectedUsd)} forecast (90%: ${money(forecast.lowUsd)}–${money(forecast.highUsd)}, ${forecast.method})${marked.length === 0 ? '' : `; ${marked.length} alert${marked.length === 1 ? '' : 's'} marked`}`,
    `Cumulative spend of ${forecast.month}: ${money(forecast.spentUsd)} so far, forecast ${money(forecast.projectedUsd)} by the month's end${forecast.budgets.monthUsd === null ? '' : `, budget ${money(forecast.budgets.monthUsd)}`}${marked.length === 0 ? '' : `; ${marked.length} alert${marked.length === 1 ? '' : 's'} (listed under Alerts)`}`,
  );
  const usd = (_u: uPlot, v: number | null): string => (v === null ? '–' : money(v));
  const points = { show: false };
  new uPlot(
    {
      width,
      height: 220,
      axes: axes(),
      scales: { x: { time: true } },
      series: [
        {},
        { label: 'Spent', stroke: color('charts-blue', '#1a85ff'), width: 2, value: usd, points },
        { label: 'Forecast', stroke: band, width: 2, dash: [6, 4], value: usd, points },
        { label: '90% low', stroke: band, width: 1, value: usd, points },
        { label: '90% high', stroke: band, width: 1, value: usd, points },
        ...(forecast.budgets.monthUsd === null ? [] : [{ label: 'Budget', stroke: color('charts-red', '#e51400'), width: 1, value: usd, points }]),
      ],
      bands: [{ series: [4, 3], fill: `${band}33` }],
      plugins: marked.length === 0 ? [] : [alertMarkers(marked)],
    },
    forecast.budgets.monthUsd === null ? [x, spent, projected, low, high] : [x, spent, projected, low, high, budget],
    plot,
  );
  return element;
}

/** Tokens by kind per day, stacked: uncached input, cached input, cache writes, output, reasoning. */
export function tokensChart(byDay: UsageReport, width: number): HTMLElement {
  const rows = [...byDay.rows].sort((a, b) => a.key.localeCompare(b.key));
  const kinds = [
    { label: 'Input', color: color('charts-blue', '#1a85ff'), of: (r: (typeof rows)[number]) => r.inputTokens - r.cacheReadTokens - r.cacheWriteTokens },
    { label: 'Cached input', color: color('charts-green', '#388a34'), of: (r: (typeof rows)[number]) => r.cacheReadTokens },
    { label: 'Cache writes', color: color('charts-yellow', '#bf8803'), of: (r: (typeof rows)[number]) => r.cacheWriteTokens },
    { label: 'Output', color: color('charts-orange', '#d18616'), of: (r: (typeof rows)[number]) => r.outputTokens - r.reasoningTokens },
    { label: 'Reasoning', color: color('charts-purple', '#652d90'), of: (r: (typeof rows)[number]) => r.reasoningTokens },
  ];
  const raw = kinds.map((k) => rows.map((r) => Math.max(0, k.of(r))));
  // Stacked by hand: series i is the sum of kinds i..end, drawn first to last so each fill sits on the next.
  const stacked = raw.map((_, i) => rows.map((_, j) => raw.slice(i).reduce((sum, series) => sum + series[j]!, 0)));
  const { element, plot } = figure('Tokens by kind per day', `Tokens per day over ${rows.length} days, stacked by kind; the By day table below has the numbers`);
  const bars = uPlot.paths.bars!({ size: [0.7, 40] });
  new uPlot(
    {
      width,
      height: 220,
      // Whole days: half a day of room each side, ticks on days (a few days would get hour ticks).
      axes: [
        { ...axes()[0], incrs: [86400, 2 * 86400, 7 * 86400], values: (_u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(5, 10)) },
        // Token counts reach millions: "1.2M" fits the axis where "1,210,222" was cut at its left edge.
        { ...axes()[1], values: (_u, splits) => splits.map((s) => compact.format(s)) },
      ],
      scales: { x: { time: true, range: (_u, min, max) => [min - 43200, max + 43200] } },
      series: [
        {},
        ...kinds.map((k, i) => ({
          label: k.label,
          stroke: k.color,
          fill: k.color,
          paths: bars,
          value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) => (idx === null ? '–' : (raw[i]![idx] ?? 0).toLocaleString('en-US')),
        })),
      ],
    },
    [rows.map((r) => day(r.key)), ...stacked],
    plot,
  );
  return element;
}

/**
 * Alerts as markers on a time chart: a dashed line at each alert's time, with a triangle on top,
 * in the theme's red (critical) or yellow (warning). The Alerts list says the same in words.
 */
function alertMarkers(alerts: readonly UsageAlert[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        const pixel = devicePixelRatio;
        ctx.save();
        for (const alert of alerts) {
          const x = u.valToPos(Date.parse(alert.at) / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = ctx.fillStyle = alert.severity === 'critical' ? color('charts-red', '#e51400') : color('charts-yellow', '#bf8803');
          ctx.lineWidth = pixel;
          ctx.setLineDash([4 * pixel, 3 * pixel]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.beginPath();
          ctx.moveTo(x - 5 * pixel, u.bbox.top);
          ctx.lineTo(x + 5 * pixel, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + 8 * pixel);
          ctx.closePath();
          ctx.fill();
        }
        ctx.restore();
      },
    },
  };
}
