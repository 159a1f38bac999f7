import {
  EnvProgress,
  SessionList,
  SessionPorts,
  SessionPause,
  SessionRemove,
  SessionResume,
  SessionShow,
  SessionStart,
  SessionStop,
  type SessionInfo,
} from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { sessionLsCommand, sessionPauseCommand, sessionResumeCommand, sessionRmCommand, sessionShowCommand, sessionStartCommand, sessionStopCommand } from '../commands';
import type { CliContext } from '../context';
import { ExitCode } from '../exitCodes';
import { gitRootAbove } from '../repo';
import { duration, table, type Output } from '../output';

/** `corral session start`: a jailed workspace over a private checkout of --repo (default: an empty workspace). */
export const start: CommandFunction<typeof sessionStartCommand> = async (ctx, options) => {
  // Inside a repository, the repository is the default: `corral session start` from any folder of it.
  const repo = options.repo === undefined ? gitRootAbove(ctx.cwd) : ctx.resolve(options.repo);
  const connection = await ctx.connection();
  const label = repo ? `starting a session on ${repo}` : 'starting a session with an empty workspace';
  const session = await ctx.out.during(label, (progress) => {
    // The repository's environment may be built first: its setup output shows as progress.
    connection.rpc.onNotification(EnvProgress, ({ message }) => progress.update(message));
    return ctx.call(SessionStart, {
      ...(repo === undefined ? {} : { repo }),
      ...(options.image === undefined ? {} : { image: options.image }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.withChanges ? { withChanges: true } : {}),
    });
  });
  for (const warning of session.warnings ?? []) ctx.out.note(`warning: ${warning}`);
  ctx.out.result(session, (s) => `${s.id}\n`);
  return ExitCode.Ok;
};

/** `corral session ls`: your sessions. */
export const ls: CommandFunction<typeof sessionLsCommand> = async (ctx) => {
  const sessions = await ctx.call(SessionList, {});
  ctx.out.result(sessions, (list) => render(ctx.out, list));
  return ExitCode.Ok;
};

/** `corral session rm ID [--purge]`. */
export const rm: CommandFunction<typeof sessionRmCommand> = async (ctx, { id, purge }) => {
  const result = await ctx.call(SessionRemove, { session: id, purge: purge === true });
  ctx.out.result(result, (r) => `removed ${r.removed}${purge ? ' (and its history)' : ''}\n`);
  return ExitCode.Ok;
};

/** `corral session pause|resume|stop ID`: one lifecycle move, printing the new state. */
function move(request: typeof SessionPause | typeof SessionResume | typeof SessionStop) {
  return async (ctx: CliContext, { id }: { id: string }): Promise<number> => {
    const session = await ctx.call(request, { session: id });
    ctx.out.result(session, (s) => `${s.id} ${s.state}\n`);
    return ExitCode.Ok;
  };
}
export const pause: CommandFunction<typeof sessionPauseCommand> = move(SessionPause);
export const resume: CommandFunction<typeof sessionResumeCommand> = move(SessionResume);
export const stop: CommandFunction<typeof sessionStopCommand> = move(SessionStop);

/** `corral session show ID`: the record, its transitions, and a summary of its commands. */
export const show: CommandFunction<typeof sessionShowCommand> = async (ctx, { id }) => {
  const shown = await ctx.call(SessionShow, { session: id });
  // Preview ports (`corral port`); the JSON shape of show stays as it is.
  const forwards = ctx.out.json ? [] : await ctx.call(SessionPorts, { session: id }).catch(() => []);
  ctx.out.result(shown, ({ session: s, events, summary }) => {
    const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} ms`);
    const lines = table([
      ['id', s.id],
      ['state', `${s.state}${s.stateReason ? ` (${s.stateReason})` : ''}`],
      ['image', s.image],
      ['repo', s.repoRoot ?? s.repo ?? '-'],
      ['base', s.baseCommit ? `${s.baseCommit.slice(0, 12)} on ${s.branch}` : '-'],
      ['workspace', s.workspace],
      ['limits', `${Math.round(s.limits.memoryBytes / 1024 / 1024)} MB, ${s.limits.cpus} CPU, ${s.limits.pids} pids`],
      ['commands', `${summary.commands}, ${(summary.errorRate * 100).toFixed(0)} % failed, p50 ${ms(summary.p50Ms)}, p95 ${ms(summary.p95Ms)}`],
      ...(forwards.length > 0 ? [['ports', forwards.map((f) => `${f.port} → ${f.host}:${f.hostPort}`).join(', ')]] : []),
      [
        'peak',
        `${summary.peakMemoryBytes === null ? '-' : `${Math.round(summary.peakMemoryBytes / 1024 / 1024)} MB`}, ${summary.peakCpuPercent === null ? '-' : `${summary.peakCpuPercent.toFixed(0)} % CPU`}`,
      ],
    ]);
    const history = table(events.map((e) => [e.at.replace('T', ' ').slice(0, 19), e.actor, e.from && e.to ? `${e.from} → ${e.to}` : e.kind, e.detail ?? '']));
    return `${lines}\nevents\n${history}`;
  });
  return ExitCode.Ok;
};

/** How a state looks on a terminal: green works, yellow waits, red needs you, dim is over. */
const STATE_STYLE: Record<string, 'green' | 'yellow' | 'red' | 'dim' | 'bold'> = {
  ready: 'green',
  busy: 'green',
  creating: 'yellow',
  paused: 'yellow',
  failed: 'red',
  lost: 'red',
  stopped: 'dim',
};

function render(out: Output, sessions: SessionInfo[]): string {
  if (sessions.length === 0) return 'no sessions (start one with `corral session start`)\n';
  const now = Date.now();
  const colour = (state: string): string => out.paint(state, STATE_STYLE[state] ?? 'bold');
  return table([
    ['ID', 'STATE', 'IMAGE', 'CREATED', 'REPO'],
    ...sessions.map((s) => [s.id, colour(s.state), s.image, `${duration(now - Date.parse(s.createdAt))} ago`, s.repo ?? '-']),
  ]);
}
