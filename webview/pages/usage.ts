import type { UsageReport } from '../../server/protocol';
import { count, h, money } from '../dom';
import { Methods, Notices } from '../methods';
import type { PageContext } from '../page';
import { THEME_CHANGED } from '../theme';
import { monthChart, tokensChart } from './charts';

/** Usage: totals of the last 30 days, by day and by model (`usage/query`), live on `usage/changed`. */
export async function usagePage(context: PageContext): Promise<() => void> {
  const region = h('div');
  context.root.replaceChildren(h('h1', {}, 'Usage'), h('p', { class: 'summary' }, 'Your tokens and spend over the last 30 days (replayed calls cost nothing).'), region);
  const load = async (): Promise<void> => {
    const [byDay, byModel, forecast] = await Promise.all([
      context.rpc.request(Methods.usageQuery, { since: '30d', by: 'day' }),
      context.rpc.request(Methods.usageQuery, { since: '30d', by: 'model' }),
      context.rpc.request(Methods.usageForecast, {}),
    ]);
    const width = Math.max(320, Math.min(context.root.clientWidth - 32, 900));
    let charts: HTMLElement;
    try {
      charts = h('div', { class: 'charts' }, monthChart(forecast, width), byDay.rows.length === 0 ? '' : tokensChart(byDay, width));
    } catch (error) {
      // The numbers are in the tables below; a chart that cannot be drawn must not hide them.
      charts = h('p', { class: 'error', role: 'status' }, `The charts could not be drawn: ${String(error)}`);
    }
    region.replaceChildren(
      totals(byDay),
      charts,
      table('By day', 'Day', byDay),
      table('By model', 'Model', byModel),
    );
  };
  await load();
  // Charts are drawn on a canvas in the theme's colours: draw again when the theme changes.
  const redraw = (): void => void load();
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', redraw);
  window.addEventListener(THEME_CHANGED, redraw);
  const vscodeTheme = new MutationObserver(redraw);
  vscodeTheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  const stop = context.rpc.onNotification(Notices.usageChanged, () => void load());
  return () => {
    stop();
    scheme.removeEventListener('change', redraw);
    window.removeEventListener(THEME_CHANGED, redraw);
    vscodeTheme.disconnect();
  };
}

function totals(report: UsageReport): HTMLElement {
  const t = report.total;
  const tile = (label: string, value: string, id: string): HTMLElement => h('div', { class: 'tile', 'data-total': id }, h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, value));
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

function table(title: string, key: string, report: UsageReport): HTMLElement {
  const headers = [key, 'Calls', 'Input', 'Output', 'Cached', 'Cost'];
  return h(
    'section',
    { class: 'usage-table' },
    h('h2', {}, title),
    report.rows.length === 0
      ? h('p', {}, 'Nothing in the ledger for this period.')
      : h(
          'table',
          { class: 'grid' },
          h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            ...report.rows.map((row) =>
              h('tr', {}, h('th', { scope: 'row' }, row.key), h('td', { class: 'num' }, count(row.calls)), h('td', { class: 'num' }, count(row.inputTokens)), h('td', { class: 'num' }, count(row.outputTokens)), h('td', { class: 'num' }, count(row.cacheReadTokens)), h('td', { class: 'num' }, money(row.costUsd))),
            ),
          ),
        ),
  );
}
