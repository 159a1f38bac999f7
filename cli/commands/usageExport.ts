import { UsageExport, type LedgerExportRow } from '../../server/protocol/usage';
import type { CommandFunction } from '../command';
import type { usageExportCommand } from '../commands';
import { ExitCode } from '../exitCodes';

const COLUMNS: (keyof LedgerExportRow)[] = [
  'id',
  'at',
  'user',
  'source',
  'provider',
  'model',
  'sessionId',
  'task',
  'persona',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'costUsd',
  'priceVersion',
  'outcome',
  'estimated',
  'replay',
];

function csvCell(value: LedgerExportRow[keyof LedgerExportRow]): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `corral usage export --format csv|jsonl`: every ledger row, streamed to stdout a page at a time. */
export const exportUsage: CommandFunction<typeof usageExportCommand> = async (ctx, { format, all }) => {
  const { stdout } = ctx;
  // The header comes once the daemon is reached, so a refused export prints nothing.
  await ctx.connection();
  if (format === 'csv') stdout.write(`${COLUMNS.join(',')}\n`);
  let afterId: number | null = 0;
  while (afterId !== null) {
    const page: { rows: LedgerExportRow[]; nextAfterId: number | null } = await ctx.call(UsageExport, { afterId, ...(all ? { allUsers: true } : {}) });
    const text = page.rows.map((row) => (format === 'csv' ? COLUMNS.map((c) => csvCell(row[c])).join(',') : JSON.stringify(row))).join('\n');
    if (text !== '' && !stdout.write(`${text}\n`)) await new Promise((resolve) => stdout.once('drain', resolve));
    afterId = page.nextAfterId;
  }
  return ExitCode.Ok;
};
