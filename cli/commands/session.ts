import { EnvProgress, SessionList, SessionPorts, SessionPause, SessionRemove, SessionResume, SessionShow, SessionStart, SessionStop, type SessionInfo } from '../../server/protocol';
import * as path from 'node:path';
import type { CliContext } from '../context';
import { gitRootAbove } from '../repo';
import { duration, table, type Output } from '../output';

export interface StartOptions {
  repo?: string;
  image?: string;
  name?: string;
  withChanges?: boolean;
}

/** `corral session start`: a jailed workspace over a private checkout of --repo (default: an empty workspace). */
export async function start(options: StartOptions, ctx: CliContext): Promise<void> {
  // Inside a repository, the repository is the default: `corral session start` from any folder of it.
  const repo = options.repo === undefined ? gitRootAbove(process.cwd()) : path.resolve(options.repo);
  const connection = await ctx.connect();
  try {
    const label = repo ? `starting a session on ${repo}` : 'starting a session with an empty workspace';
    const session = await ctx.out.during(label, (progress) => {
      // The repository's environment may be built first: its setup output shows as progress.
      connection.rpc.onNotification(EnvProgress, ({ message }) => progress.update(message));
      return connection.rpc.sendRequest(SessionStart, {
        ...(repo === undefined ? {} : { repo }),
        ...(options.image === undefined ? {} : { image: options.image }),
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.withChanges ? { withChanges: true } : {}),
      });
    });
    for (const warning of session.warnings ?? []) ctx.out.note(`warning: ${warning}`);
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

export async function rm(options: { purge?: boolean }, ctx: CliContext, id: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(SessionRemove, { session: id, purge: options.purge === true });
    ctx.out.result(result, (r) => `removed ${r.removed}${options.purge ? ' (and its history)' : ''}\n`);
  } finally {
    connection.dispose();
  }
}

/** `corral session pause|resume|stop ID`: one lifecycle move, printing the new state. */
function move(request: typeof SessionPause | typeof SessionResume | typeof SessionStop) {
  return async (_options: object, ctx: CliContext, id: string): Promise<void> => {
    const connection = await ctx.connect();
    try {
      const session = await connection.rpc.sendRequest(request, { session: id });
      ctx.out.result(session, (s) => `${s.id} ${s.state}\n`);
    } finally {
      connection.dispose();
    }
  };
}
export const pause = move(SessionPause);
export const resume = move(SessionResume);
export const stop = move(SessionStop);

/** `corral session show ID`: the record, its transitions, and a summary of its commands. */
export async function show(_options: object, ctx: CliContext, id: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const shown = await connection.rpc.sendRequest(SessionShow, { session: id });
    // Preview ports (`corral port`); the JSON shape of show stays as it is.
    const forwards = ctx.out.json ? [] : await connection.rpc.sendRequest(SessionPorts, { session: id }).catch(() => []);
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
        ['peak', `${summary.peakMemoryBytes === null ? '-' : `${Math.round(summary.peakMemoryBytes / 1024 / 1024)} MB`}, ${summary.peakCpuPercent === null ? '-' : `${summary.peakCpuPercent.toFixed(0)} % CPU`}`],
      ]);
      const history = table(events.map((e) => [e.at.replace('T', ' ').slice(0, 19), e.actor, e.from && e.to ? `${e.from} → ${e.to}` : e.kind, e.detail ?? '']));
      return `${lines}\nevents\n${history}`;
    });
  } finally {
    connection.dispose();
  }
}

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
