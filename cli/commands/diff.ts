import { SessionApply, SessionDiff } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { applyCommand, diffCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

/** `corral diff ID [--stat]`: the patch (or stat) of everything the session changed. */
export const diff: CommandFunction<typeof diffCommand> = async (ctx, { id, stat }) => {
  const result = await ctx.out.during(`comparing ${id} with its base`, () => ctx.call(SessionDiff, { session: id, patch: !stat }));
  ctx.out.result(result, (r) => {
    if (r.files.length === 0) return `no changes against ${r.base.slice(0, 12)}\n`;
    const binary = r.files
      .filter((f) => f.binary)
      .map((f) => `binary: ${f.path}\n`)
      .join('');
    return stat ? `${r.stat}${binary}` : (r.patch ?? '');
  });
  return ExitCode.Ok;
};

/** `corral apply ID [--commit|--patch]`: onto your current branch; refused, changing nothing, on conflict. */
export const apply: CommandFunction<typeof applyCommand> = async (ctx, { id, commit, patch }) => {
  if (commit && patch) throw new CliError('--commit and --patch exclude each other', 'choose one: a commit (default) or changes in your working tree', ExitCode.Usage);
  const result = await ctx.out.during(`applying ${id}`, () => ctx.call(SessionApply, { session: id, mode: patch ? 'patch' : 'commit' }));
  ctx.out.result(result, (r) =>
    r.files === 0 ? 'nothing to apply\n' : r.commit ? `applied ${r.files} files as commit ${r.commit.slice(0, 12)}\n` : `applied ${r.files} files to your working tree\n`,
  );
  return ExitCode.Ok;
};
