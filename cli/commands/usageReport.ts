import { UsageMonthReportRequest, type UsageGroupTotals, type UsageMonthReport } from '../../server/protocol/usage';
import type { CommandFunction } from '../command';
import type { usageReportCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { money, n } from '../numbers';

/** `corral usage report --month YYYY-MM [--format md|csv|json]`: the monthly review. */
export const report: CommandFunction<typeof usageReportCommand> = async (ctx, options) => {
  const month = options.month ?? new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new CliError(`cannot read --month ${month}`, 'give a month as YYYY-MM, e.g. 2026-11', ExitCode.Usage);
  // --json is the same document as --format json, whatever --format says.
  const format = ctx.out.json ? 'json' : options.format;
  if (!['md', 'csv', 'json'].includes(format)) throw new CliError(`unknown --format ${format}`, 'use --format md, csv or json', ExitCode.Usage);
  const result = await ctx.call(UsageMonthReportRequest, { month, ...(options.all ? { allUsers: true } : {}) });
  ctx.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : format === 'csv' ? reportCsv(result) : reportMarkdown(result));
  return ExitCode.Ok;
};

const cost = (t: { costUsd: number; unpricedCalls: number }): string => `${money(t.costUsd)}${t.unpricedCalls > 0 ? ` (+${t.unpricedCalls} unpriced)` : ''}`;

function mdTable(title: string, rows: readonly UsageGroupTotals[]): string {
  if (rows.length === 0) return `## ${title}\n\nnone\n`;
  const lines = rows.map((r) => `| ${r.key.replace(/\|/g, '\\|')} | ${n(r.calls)} | ${n(r.inputTokens)} | ${n(r.outputTokens)} | ${cost(r)} |`);
  return `## ${title}\n\n| | calls | input tokens | output tokens | cost |\n|---|--:|--:|--:|--:|\n${lines.join('\n')}\n`;
}

export function reportMarkdown(r: UsageMonthReport): string {
  const f = r.forecastVsActual;
  const forecastText =
    f === null
      ? 'No forecast was recorded for this month.'
      : `Forecast made ${f.madeOn} (${f.method}): ${money(f.projectedUsd)} (${money(f.lowUsd)} – ${money(f.highUsd)}); actual ${money(f.actualUsd)}${f.errorPct === null ? '' : `, off by ${f.errorPct.toFixed(1)}%`}; ${f.withinInterval ? 'inside' : 'outside'} the interval.`;
  const alerts =
    r.alerts.length === 0
      ? 'none'
      : r.alerts.map((a) => `- ${a.at.slice(0, 16).replace('T', ' ')} **${a.kind}** (${a.severity}) ${a.message}${a.ackedAt ? ' — acknowledged' : ''}`).join('\n');
  return [
    `# Usage review ${r.month}`,
    '',
    `Model spend **${cost(r.total)}** over ${n(r.total.calls)} calls${r.users.length > 0 ? ` by ${r.users.join(', ')}` : ''}; infrastructure ${money(r.infrastructure.costUsd)}; together ${money(r.total.costUsd + r.infrastructure.costUsd)}.`,
    '',
    '## Tokens by kind',
    '',
    '| input | cached | cache write | output | of which reasoning |',
    '|--:|--:|--:|--:|--:|',
    `| ${n(r.tokens.input)} | ${n(r.tokens.cached)} | ${n(r.tokens.cacheWrite)} | ${n(r.tokens.output)} | ${n(r.tokens.reasoning)} |`,
    '',
    mdTable(
      'By week',
      r.weeks.map(({ period, ...t }) => ({ key: `week of ${period}`, ...t })),
    ),
    mdTable('By model', r.byModel),
    mdTable('By source', r.bySource),
    mdTable('By user', r.byUser),
    mdTable('Top tasks', r.topTasks),
    mdTable('Top sessions', r.topSessions),
    '## Infrastructure',
    '',
    `${n(Math.round(r.infrastructure.cpuSeconds))} CPU-seconds and ${r.infrastructure.memoryGbHours.toFixed(3)} GB-hours of memory at $${r.infrastructure.rates.cpuHourUsd}/CPU-hour and $${r.infrastructure.rates.memoryGbHourUsd}/GB-hour: ${money(r.infrastructure.costUsd)}.`,
    '',
    '## Alerts',
    '',
    alerts,
    '',
    '## Forecast against what happened',
    '',
    forecastText,
    '',
  ].join('\n');
}

const csvCell = (v: string | number): string => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One table: section, key and the totals; infrastructure and the forecast as rows of their own. */
export function reportCsv(r: UsageMonthReport): string {
  const header = ['month', 'section', 'key', 'calls', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced_calls'];
  const row = (section: string, t: UsageGroupTotals): (string | number)[] => [
    r.month,
    section,
    t.key,
    t.calls,
    t.inputTokens,
    t.cacheReadTokens,
    t.cacheWriteTokens,
    t.outputTokens,
    t.reasoningTokens,
    t.costUsd,
    t.unpricedCalls,
  ];
  const blank = (section: string, key: string, costUsd: number): (string | number)[] => [r.month, section, key, '', '', '', '', '', '', costUsd, ''];
  const rows: (string | number)[][] = [
    row('total', { key: '', ...r.total }),
    ...r.weeks.map(({ period, ...t }) => row('week', { key: period, ...t })),
    ...r.byModel.map((t) => row('model', t)),
    ...r.bySource.map((t) => row('source', t)),
    ...r.byUser.map((t) => row('user', t)),
    ...r.topTasks.map((t) => row('task', t)),
    ...r.topSessions.map((t) => row('session', t)),
    blank('infrastructure', `${r.infrastructure.cpuSeconds.toFixed(1)} cpu-s; ${r.infrastructure.memoryGbHours.toFixed(4)} GB-h`, r.infrastructure.costUsd),
    ...(r.forecastVsActual ? [blank('forecast', r.forecastVsActual.madeOn, r.forecastVsActual.projectedUsd)] : []),
    ...r.alerts.map((a) => blank('alert', `${a.kind}: ${a.message}`, 0)),
  ];
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}
