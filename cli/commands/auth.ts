import { AuthGrant, AuthIssue, AuthList, AuthRevoke } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { authGrantCommand, authIssueCommand, authLsCommand, authRevokeCommand } from '../commands';
import { ExitCode } from '../exitCodes';
import { table } from '../output';

/** `corral auth grant USER DIR…`: USER may start sessions over these folders and use their boards. */
export const grant: CommandFunction<typeof authGrantCommand> = async (ctx, { user, dirs }) => {
  const result = await ctx.call(AuthGrant, { user, dirs: dirs.map((dir) => ctx.resolve(dir)) });
  ctx.out.result(result, (r) => `${r.user} may use:\n${r.dirs.map((d) => `  ${d}\n`).join('')}`);
  return ExitCode.Ok;
};

/** `corral auth revoke USER [DIR…]`: takes back those folders, or all of USER's. */
export const revoke: CommandFunction<typeof authRevokeCommand> = async (ctx, { user, dirs }) => {
  const result = await ctx.call(AuthRevoke, { user, ...(dirs.length > 0 ? { dirs: dirs.map((dir) => ctx.resolve(dir)) } : {}) });
  ctx.out.result(result, (r) => (r.revoked.length === 0 ? `${r.user} had no grants\n` : `revoked from ${r.user}:\n${r.revoked.map((d) => `  ${d}\n`).join('')}`));
  return ExitCode.Ok;
};

/** `corral auth ls`: every grant, by user. */
export const ls: CommandFunction<typeof authLsCommand> = async (ctx) => {
  const result = await ctx.call(AuthList, {});
  ctx.out.result(result, (r) =>
    r.grants.length === 0
      ? `no grants: only ${r.daemonOwner} (the daemon's owner) may use folders and boards\n`
      : table([['USER', 'FOLDER', 'GRANTED'], ...r.grants.map((g) => [g.user, g.dir, g.grantedAt.slice(0, 16).replace('T', ' ')])]),
  );
  return ExitCode.Ok;
};

/** `corral auth issue USER`: a token for USER (shown once); they connect with CORRAL_TOKEN set to it. */
export const issue: CommandFunction<typeof authIssueCommand> = async (ctx, { user }) => {
  const result = await ctx.call(AuthIssue, { user });
  ctx.out.result(result, (r) => `${r.token}\n`);
  ctx.out.note(`the token is shown once; ${user} uses it as CORRAL_TOKEN, and sees only folders you grant (\`corral auth grant ${user} DIR\`)`);
  return ExitCode.Ok;
};
