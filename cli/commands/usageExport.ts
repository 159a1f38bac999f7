import { UsageExport, type LedgerExportRow } from '../../server/protocol/usage';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

const COLUMNS: (keyof LedgerExportRow)[] = ['id', 'at', 'user', 'source', 'provider', 'model', 'sessionId', 'task', 'persona', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens', 'costUsd', 'priceVersion', 'outcome', 'estimated', 'replay'];

function csvCell(value: LedgerExportRow[keyof LedgerExportRow]): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `corral usage export --format csv|jsonl`: every ledger row, streamed to stdout a page at a time. */
export async function exportUsage(options: { format?: string; all?: boolean }, ctx: CliContext): Promise<void> {
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new CliError(`unknown --format ${format}`, 'use --format csv or jsonl', ExitCode.Usage);
  const connection = await ctx.connect();
  try {
    if (format === 'csv') process.stdout.write(`${COLUMNS.join(',')}\n`);
    let afterId: number | null = 0;
    while (afterId !== null) {
      const page: { rows: LedgerExportRow[]; nextAfterId: number | null } = await connection.rpc.sendRequest(UsageExport, { afterId, ...(options.all ? { allUsers: true } : {}) });
      const text = page.rows.map((row) => (format === 'csv' ? COLUMNS.map((c) => csvCell(row[c])).join(',') : JSON.stringify(row))).join('\n');
      if (text !== '' && !process.stdout.write(`${text}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      afterId = page.nextAfterId;
    }
  } finally {
    connection.dispose();
  }
}
