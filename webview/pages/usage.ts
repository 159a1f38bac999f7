import type { UsageAlert, UsageReport } from '../../server/protocol';
import { count, h, money } from '../dom';
import { Methods, Notices } from '../methods';
import type { PageContext } from '../page';
import { THEME_CHANGED } from '../theme';
import { monthChart, tokensChart } from './charts';
import { alertList, budgetGauges, infrastructure } from './usageBudget';
import { sortableTable, type SortState } from './usageTable';

const RANGES = [
  { since: '24h', label: 'Last 24 hours' },
  { since: '7d', label: 'Last 7 days' },
  { since: '30d', label: 'Last 30 days' },
  { since: '90d', label: 'Last 90 days' },
] as const;

const BREAKDOWNS = [
  { by: 'model', label: 'Model' },
  { by: 'provider', label: 'Provider' },
  { by: 'user', label: 'User' },
  { by: 'persona', label: 'Persona' },
  { by: 'task', label: 'Task' },
  { by: 'session', label: 'Session' },
] as const;
type Breakdown = (typeof BREAKDOWNS)[number]['by'];

/**
 * Usage: totals, budgets, the month's forecast with alert markers, tokens by kind, open alerts,
 * and a sortable breakdown (model, provider, user, persona, task, session) over a chosen period
 * — live on `usage/changed`. The period, breakdown and sort are UI state (kept across reloads of
 * the data, and in the route so a link reopens them).
 */
export async function usagePage(context: PageContext): Promise<() => void> {
  const ui = {
    since: RANGES.find((r) => r.since === context.params.get('since'))?.since ?? '30d',
    by: BREAKDOWNS.find((b) => b.by === context.params.get('by'))?.by ?? ('model' as Breakdown),
    sort: { column: 4, descending: true } as SortState,
    daySort: { column: -1, descending: true } as SortState,
  };
  const controls = h('div', { class: 'controls' });
  const region = h('div');
  context.root.replaceChildren(h('h1', {}, 'Usage'), h('p', { class: 'summary' }, 'Your tokens and spend (replayed calls cost nothing).'), controls, region);
  controls.replaceChildren(
    select(
      'usage-range',
      'Period',
      RANGES.map((r) => [r.since, r.label]),
      ui.since,
      (value) => {
        ui.since = value as typeof ui.since;
        void load();
      },
    ),
  );

  let breakdown: UsageReport | undefined;
  const breakdownRegion = h('section', { class: 'usage-table', 'aria-labelledby': 'breakdown-title' });
  const drawBreakdown = (): void => {
    if (!breakdown) return;
    const label = BREAKDOWNS.find((b) => b.by === ui.by)!.label;
    breakdownRegion.replaceChildren(
      h('h2', { id: 'breakdown-title' }, `By ${label.toLowerCase()}`),
      select(
        'usage-by',
        'Break down by',
        BREAKDOWNS.map((b) => [b.by, b.label]),
        ui.by,
        (value) => {
          ui.by = value as Breakdown;
          void loadBreakdown().then(() => context.announce(`Usage by ${value}`));
        },
      ),
      sortableTable(label, breakdown, ui.sort, (sort) => {
        ui.sort = sort;
        drawBreakdown();
        context.announce(`Sorted by ${sort.column < 0 ? label : ['calls', 'input', 'output', 'cached', 'cost'][sort.column]}, ${sort.descending ? 'descending' : 'ascending'}`);
        breakdownRegion.querySelector<HTMLButtonElement>('th[aria-sort] button')?.focus();
      }),
    );
  };
  const loadBreakdown = async (): Promise<void> => {
    breakdown = await context.rpc.request(Methods.usageQuery, { since: ui.since, by: ui.by });
    drawBreakdown();
  };

  let days: UsageReport | undefined;
  const dayRegion = h('section', { class: 'usage-table', 'aria-labelledby': 'by-day-title' });
  const drawDays = (): void => {
    if (!days) return;
    dayRegion.replaceChildren(
      h('h2', { id: 'by-day-title' }, 'By day'),
      sortableTable('Day', days, ui.daySort, (sort) => {
        ui.daySort = sort;
        drawDays();
        dayRegion.querySelector<HTMLButtonElement>('th[aria-sort] button')?.focus();
      }),
    );
  };

  const acknowledge = (alert: UsageAlert): void => {
    void context.rpc.request(Methods.usageAlerts, { ack: alert.id }).then(() => {
      context.announce(`Alert acknowledged: ${alert.message}`);
      return load();
    });
  };

  // The numbers and charts come from the fast requests (the daily roll-up, the forecast); the open
  // alerts (usage/alerts runs the detectors) and the month's infrastructure (a scan of the month)
  // are patched in when they arrive, so a big ledger does not hold the page back. A newer load
  // supersedes an older one still waiting. A new ledger row (`usage/changed` for the ledger or an
  // import) refreshes only the fast part: the daemon runs the detectors on its own schedule and
  // says `usage/changed` with reason `alert` when they find something, which reloads it all.
  let generation = 0;
  let lastAlerts: readonly UsageAlert[] = [];
  let lastInfra: HTMLElement | null = null;
  // Until a full load has finished, every load is full: a partial one must not stand in for alerts never read.
  let alertsRead = false;
  const load = async (full = true): Promise<void> => {
    const run = ++generation;
    const [byDay, forecast] = await Promise.all([
      context.rpc.request(Methods.usageQuery, { since: ui.since, by: 'day' }),
      context.rpc.request(Methods.usageForecast, {}),
      loadBreakdown(),
    ]);
    if (run !== generation) return;
    const width = Math.max(320, Math.min(context.root.clientWidth - 32, 900));
    const chartsSlot = h('div');
    const drawCharts = (alerts: readonly UsageAlert[]): void => {
      try {
        chartsSlot.replaceChildren(h('div', { class: 'charts' }, monthChart(forecast, width, alerts), byDay.rows.length === 0 ? '' : tokensChart(byDay, width)));
      } catch (error) {
        // The numbers are in the tables below; a chart that cannot be drawn must not hide them.
        chartsSlot.replaceChildren(h('p', { class: 'error', role: 'status' }, `The charts could not be drawn: ${String(error)}`));
      }
    };
    drawCharts(lastAlerts);
    const tiles = totals(byDay);
    const alertsSlot = h('div', { 'data-alerts': 'loading' }, alertList(lastAlerts, acknowledge));
    region.replaceChildren(tiles, budgetGauges(forecast), chartsSlot, alertsSlot, breakdownRegion, dayRegion);
    days = byDay;
    drawDays();
    if (!full) {
      if (lastInfra) tiles.append(lastInfra);
      alertsSlot.setAttribute('data-alerts', 'loaded');
      return;
    }
    const [alerts, month] = await Promise.all([
      context.rpc.request(Methods.usageAlerts, {}),
      context.rpc.request(Methods.usageReport, { month: forecast.month }).catch(() => undefined),
    ]);
    if (run !== generation) return;
    lastAlerts = alerts.alerts;
    alertsRead = true;
    drawCharts(alerts.alerts);
    alertsSlot.replaceChildren(alertList(alerts.alerts, acknowledge));
    alertsSlot.setAttribute('data-alerts', 'loaded');
    lastInfra = month ? infrastructure(month) : null;
    if (lastInfra) tiles.append(lastInfra);
  };
  await load();
  // Charts are drawn on a canvas in the theme's colours: draw again when the theme changes (the
  // data did not: the alerts and the infrastructure cost are kept).
  const redraw = (): void => void load(!alertsRead);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', redraw);
  window.addEventListener(THEME_CHANGED, redraw);
  const vscodeTheme = new MutationObserver(redraw);
  vscodeTheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  const stop = context.rpc.onNotification(Notices.usageChanged, ({ reason }) => void load(reason === 'alert' || !alertsRead));
  return () => {
    stop();
    scheme.removeEventListener('change', redraw);
    window.removeEventListener(THEME_CHANGED, redraw);
    vscodeTheme.disconnect();
  };
}

/** A labelled native select: keyboard and screen readers for free, themed by app.css. */
function select(id: string, label: string, options: readonly (readonly [string, string])[], value: string, onChange: (value: string) => void): HTMLElement {
  const element = h('select', { id }, ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  element.addEventListener('change', () => onChange(element.value));
  return h('label', { class: 'control', for: id }, `${label} `, element);
}

function totals(report: UsageReport): HTMLElement {
  const t = report.total;
  const tile = (label: string, value: string, id: string): HTMLElement =>
    h('div', { class: 'tile', 'data-total': id }, h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, value));
  return h(
    'div',
    { class: 'tiles' },
    tile('Cost', money(t.costUsd), 'cost'),
    tile('Calls', count(t.calls), 'calls'),
    tile('Input tokens', count(t.inputTokens), 'input'),
    tile('Output tokens', count(t.outputTokens), 'output'),
    tile('Cached input', count(t.cacheReadTokens), 'cached'),
  );
}
