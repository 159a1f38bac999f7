import { SessionList, SessionRemove, SessionStart, type SessionInfo } from '../../server/protocol';
import type { CliContext } from '../context';
import { duration, table, type Output } from '../output';

export interface StartOptions {
  repo?: string;
  image?: string;
  name?: string;
}

/** `corral session start`: a jailed workspace over a copy of --repo (default: none). */
export async function start(options: StartOptions, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    if (!ctx.out.json) ctx.out.note('starting a session…');
    const session = await connection.rpc.sendRequest(SessionStart, {
      ...(options.repo === undefined ? {} : { repo: options.repo }),
      ...(options.image === undefined ? {} : { image: options.image }),
      ...(options.name === undefined ? {} : { name: options.name }),
    });
    ctx.out.result(session, (s) => `${s.id}\n`);
  } finally {
    connection.dispose();
  }
}

export async function ls(_options: object, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const sessions = await connection.rpc.sendRequest(SessionList, {});
    ctx.out.result(sessions, (list) => render(ctx.out, list));
  } finally {
    connection.dispose();
  }
}

export async function rm(_options: object, ctx: CliContext, id: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(SessionRemove, { session: id });
    ctx.out.result(result, (r) => `removed ${r.removed}\n`);
  } finally {
    connection.dispose();
  }
}

function render(out: Output, sessions: SessionInfo[]): string {
  if (sessions.length === 0) return 'no sessions (start one with `corral session start`)\n';
  const now = Date.now();
  const colour = (state: string): string => (state === 'ready' ? out.paint(state, 'green') : state === 'failed' ? out.paint(state, 'red') : state);
  return table([
    ['ID', 'STATE', 'IMAGE', 'CREATED', 'REPO'],
    ...sessions.map((s) => [s.id, colour(s.state), s.image, `${duration(now - Date.parse(s.createdAt))} ago`, s.repo ?? '-']),
  ]);
}
