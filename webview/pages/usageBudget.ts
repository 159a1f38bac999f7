import type { UsageAlert, UsageForecastResult, UsageMonthReport } from '../../server/protocol';
import { h, money, when } from '../dom';

/** Shares of a budget at which a gauge turns to a warning, and to over budget. */
const WARN_SHARE = 0.8;

/**
 * One gauge per budget the user set (today, this month): spent against the budget as an ARIA
 * meter whose text says the amounts, in the warning colour from 80 % and the error colour from
 * 100 %. No budget: one line saying where budgets are set.
 */
export function budgetGauges(forecast: UsageForecastResult): HTMLElement {
  const today = new Date().toISOString().slice(0, 10);
  const spentToday = forecast.days.find((d) => d.day === today && !d.forecast)?.usd ?? 0;
  const gauges = [
    forecast.budgets.dayUsd === null ? null : gauge('Today', spentToday, forecast.budgets.dayUsd),
    forecast.budgets.monthUsd === null ? null : gauge(`${forecast.month}`, forecast.spentUsd, forecast.budgets.monthUsd, forecast.projectedUsd),
  ].filter((g): g is HTMLElement => g !== null);
  return h(
    'section',
    { class: 'budgets', 'aria-labelledby': 'budgets-title' },
    h('h2', { id: 'budgets-title' }, 'Budgets'),
    gauges.length === 0 ? h('p', {}, 'No budget is set: add "budgets": { "dayUsd": …, "monthUsd": … } to $CORRAL_HOME/config.json.') : h('div', { class: 'gauges' }, ...gauges),
  );
}

function gauge(label: string, spent: number, budget: number, projected?: number): HTMLElement {
  const share = budget > 0 ? spent / budget : 1;
  const percent = Math.round(share * 100);
  const level = share >= 1 ? 'over' : share >= WARN_SHARE ? 'warn' : 'ok';
  const text = `${money(spent)} of ${money(budget)} (${percent}%)${projected === undefined ? '' : `; forecast ${money(projected)}`}`;
  return h(
    'div',
    { class: `gauge ${level}`, 'data-gauge': label === 'Today' ? 'day' : 'month' },
    h('span', { class: 'gauge-label', id: `gauge-${label}` }, `${label} budget`),
    h(
      'div',
      {
        role: 'meter',
        'aria-labelledby': `gauge-${label}`,
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': String(Math.min(percent, 100)),
        'aria-valuetext': text,
        class: 'gauge-track',
      },
      h('div', { class: 'gauge-fill', style: `width: ${Math.min(percent, 100)}%` }),
    ),
    h('span', { class: 'gauge-text' }, text),
  );
}

/** The open alerts, newest first, each with the evidence summary and an Acknowledge button. */
export function alertList(alerts: readonly UsageAlert[], onAck: (alert: UsageAlert) => void): HTMLElement {
  return h(
    'section',
    { class: 'alerts', 'aria-labelledby': 'alerts-title' },
    h('h2', { id: 'alerts-title' }, `Alerts (${alerts.length})`),
    alerts.length === 0
      ? h('p', {}, 'No open alert: no spend spike, no budget on course to be exceeded, no sudden model switch, no burst of failing commands.')
      : h(
          'ul',
          { class: 'alert-list' },
          ...[...alerts]
            .sort((a, b) => b.at.localeCompare(a.at))
            .map((alert) => {
              const ack = h('button', { type: 'button', class: 'button', 'aria-label': `Acknowledge: ${alert.message}` }, 'Acknowledge');
              ack.addEventListener('click', () => onAck(alert));
              return h(
                'li',
                { class: `alert ${alert.severity}`, 'data-alert': String(alert.id), 'data-kind': alert.kind },
                h('span', { class: 'alert-severity' }, alert.severity),
                h('span', { class: 'alert-message' }, alert.message),
                h('time', { datetime: alert.at }, when(alert.at)),
                ack,
              );
            }),
        ),
  );
}

/** Container CPU and memory of the month at the configured rates (`usage/report`). */
export function infrastructure(report: UsageMonthReport): HTMLElement {
  const infra = report.infrastructure;
  return h(
    'div',
    { class: 'tile', 'data-total': 'infrastructure' },
    h('span', { class: 'tile-label' }, `Infrastructure, ${report.month}`),
    h('span', { class: 'tile-value' }, money(infra.costUsd)),
    h('span', { class: 'tile-note' }, `${Math.round(infra.cpuSeconds)} CPU-s · ${infra.memoryGbHours.toFixed(2)} GB-h`),
  );
}
