import * as path from 'node:path';
import { AuthGrant, AuthIssue, AuthList, AuthRevoke } from '../../server/protocol';
import type { CliContext } from '../context';
import { table } from '../output';

/** `corral auth grant USER DIR…`: USER may start sessions over these folders and use their boards. */
export async function grant(_options: object, ctx: CliContext, user: string, ...dirs: string[]): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(AuthGrant, { user, dirs: dirs.map((dir) => path.resolve(dir)) });
    ctx.out.result(result, (r) => `${r.user} may use:\n${r.dirs.map((d) => `  ${d}\n`).join('')}`);
  } finally {
    connection.dispose();
  }
}

/** `corral auth revoke USER [DIR…]`: takes back those folders, or all of USER's. */
export async function revoke(_options: object, ctx: CliContext, user: string, ...dirs: string[]): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(AuthRevoke, { user, ...(dirs.length > 0 ? { dirs: dirs.map((dir) => path.resolve(dir)) } : {}) });
    ctx.out.result(result, (r) => (r.revoked.length === 0 ? `${r.user} had no grants\n` : `revoked from ${r.user}:\n${r.revoked.map((d) => `  ${d}\n`).join('')}`));
  } finally {
    connection.dispose();
  }
}

/** `corral auth ls`: every grant, by user. */
export async function ls(_options: object, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(AuthList, {});
    ctx.out.result(result, (r) =>
      r.grants.length === 0
        ? `no grants: only ${r.daemonOwner} (the daemon's owner) may use folders and boards\n`
        : table([['USER', 'FOLDER', 'GRANTED'], ...r.grants.map((g) => [g.user, g.dir, g.grantedAt.slice(0, 16).replace('T', ' ')])]),
    );
  } finally {
    connection.dispose();
  }
}

/** `corral auth issue USER`: a token for USER (shown once); they connect with CORRAL_TOKEN set to it. */
export async function issue(_options: object, ctx: CliContext, user: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(AuthIssue, { user });
    ctx.out.result(result, (r) => `${r.token}\n`);
    ctx.out.note(`the token is shown once; ${user} uses it as CORRAL_TOKEN, and sees only folders you grant (\`corral auth grant ${user} DIR\`)`);
  } finally {
    connection.dispose();
  }
}
