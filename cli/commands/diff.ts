import { SessionApply, SessionDiff } from '../../server/protocol';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

/** `corral diff ID [--stat]`: the patch (or stat) of everything the session changed. */
export async function diff(options: { stat?: boolean }, ctx: CliContext, id: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await ctx.out.during(`comparing ${id} with its base`, () => connection.rpc.sendRequest(SessionDiff, { session: id, patch: !options.stat }));
    ctx.out.result(result, (r) => {
      if (r.files.length === 0) return `no changes against ${r.base.slice(0, 12)}\n`;
      const binary = r.files.filter((f) => f.binary).map((f) => `binary: ${f.path}\n`).join('');
      return options.stat ? `${r.stat}${binary}` : (r.patch ?? '');
    });
  } finally {
    connection.dispose();
  }
}

/** `corral apply ID [--commit|--patch]`: onto your current branch; refused, changing nothing, on conflict. */
export async function apply(options: { commit?: boolean; patch?: boolean }, ctx: CliContext, id: string): Promise<void> {
  if (options.commit && options.patch) throw new CliError('--commit and --patch exclude each other', 'choose one: a commit (default) or changes in your working tree', ExitCode.Usage);
  const connection = await ctx.connect();
  try {
    const result = await ctx.out.during(`applying ${id}`, () => connection.rpc.sendRequest(SessionApply, { session: id, mode: options.patch ? 'patch' : 'commit' }));
    ctx.out.result(result, (r) =>
      r.files === 0 ? 'nothing to apply\n' : r.commit ? `applied ${r.files} files as commit ${r.commit.slice(0, 12)}\n` : `applied ${r.files} files to your working tree\n`,
    );
  } finally {
    connection.dispose();
  }
}
