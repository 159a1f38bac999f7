import * as os from 'node:os';
import * as path from 'node:path';
import { IMPORT_SOURCES, UsageImport, type ImportRow } from '../../server/protocol/usage';
import type { CommandFunction } from '../command';
import type { usageImportCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { money, n } from '../numbers';
import { readClaudeCode } from './usageImportClaudeCode';
import { readCodex } from './usageImportCodex';
import { jsonlFiles } from './usageLogFiles';

type Source = (typeof IMPORT_SOURCES)[number];

/** Where each tool keeps its logs, as the tools themselves (and ccusage) look for them. */
export function defaultLogDirs(source: Source, env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir();
  if (source === 'codex') return [path.join(env.CODEX_HOME ?? path.join(home, '.codex'), 'sessions')];
  const configured = env.CLAUDE_CONFIG_DIR?.split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  return (configured && configured.length > 0 ? configured : [path.join(home, '.config', 'claude'), path.join(home, '.claude')]).map((d) => path.join(d, 'projects'));
}

const BATCH = 2000;

/**
 * `corral usage import --from claude-code|codex [PATH]`: the logs are read here, with the user's
 * own file permissions (the daemon never opens them), and sent in batches; the daemon prices the
 * rows, skips those it has, and adds the rest to the user's ledger.
 */
export const importUsage: CommandFunction<typeof usageImportCommand> = async (ctx, { from: source, path: given }) => {
  if (source === undefined || !(IMPORT_SOURCES as readonly string[]).includes(source))
    throw new CliError(`cannot import from ${source ?? '(nothing)'}`, `use --from ${IMPORT_SOURCES.join('|')}`, ExitCode.Usage);
  const roots = given === undefined ? defaultLogDirs(source as Source, ctx.env) : [ctx.resolve(given)];
  const files = roots.flatMap((root) => jsonlFiles(root));
  if (files.length === 0)
    throw new CliError(`no .jsonl logs under ${roots.join(' or ')}`, given === undefined ? 'pass the folder the logs are in' : 'check the path', ExitCode.NotFound);
  const read = source === 'codex' ? readCodex : readClaudeCode;
  const totals = { files: files.length, rows: 0, added: 0, duplicates: 0, unpriced: 0, costUsd: 0 };
  // Reached before the logs are read: a daemon that cannot be reached fails the import at once.
  await ctx.connection();
  let batch: ImportRow[] = [];
  const send = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result = await ctx.call(UsageImport, { source: source as Source, rows: batch });
    totals.added += result.added;
    totals.duplicates += result.duplicates;
    totals.unpriced += result.unpriced;
    totals.costUsd += result.costUsd;
    batch = [];
  };
  for (const file of files) {
    for await (const row of read(file)) {
      totals.rows++;
      batch.push(row);
      if (batch.length >= BATCH) await send();
    }
  }
  await send();
  ctx.out.result(
    totals,
    (t) =>
      `${n(t.files)} log files, ${n(t.rows)} model calls: ${n(t.added)} added (${money(t.costUsd)}${t.unpriced > 0 ? `, ${n(t.unpriced)} unpriced` : ''}), ${n(t.duplicates)} already in the ledger\n`,
  );
  return ExitCode.Ok;
};
