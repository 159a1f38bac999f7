import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

const SessionRef = z.string().check(z.minLength(1), z.maxLength(64));

export const SessionStartParams = z.strictObject({
  /** Absolute path of the folder to work on: a private checkout of its git HEAD, or a copy of a plain folder; none: an empty workspace. */
  repo: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  /** Local image; default: the daemon's configured image (`corral/tiny:latest` until set). */
  image: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  name: z.optional(z.string().check(z.maxLength(100))),
  /** Carry the repo's uncommitted and untracked files into the session (default: HEAD only). */
  withChanges: z.optional(z.boolean()),
  /** Within the admin's maxima. */
  limits: z.optional(
    z.strictObject({
      memoryMb: z.optional(z.number()),
      cpus: z.optional(z.number()),
      pids: z.optional(z.number().check(z.int())),
      tmpMb: z.optional(z.number()),
    }),
  ),
});

export interface SessionInfo {
  id: string;
  name: string | null;
  owner: string;
  /** The folder the session was started on. */
  repo: string | null;
  /** Its git repository's top, when it is one; null for a copied folder. */
  repoRoot: string | null;
  /** The commit the session started from, and its private branch (`corral/<id>`). */
  baseCommit: string | null;
  branch: string | null;
  workspace: string;
  image: string;
  containerId: string | null;
  /** creating, ready, busy, paused, stopped, failed, lost. */
  state: string;
  /** Why, for failed and lost. */
  stateReason: string | null;
  limits: { memoryBytes: number; cpus: number; pids: number; tmpBytes: number };
  createdAt: string;
  /** From `session/start` only, when it could not do all it was asked (files of a plain folder that cannot be copied); absent otherwise. */
  warnings?: string[];
}

/** `session/start`: a hardened container over a private checkout (or copy) of the folder; returns when ready. */
export const SessionStart = new CorralRequest<typeof SessionStartParams, SessionInfo>('session/start', SessionStartParams);

export const SessionListParams = z.optional(z.strictObject({ all: z.optional(z.boolean()) }));
/** `session/list`: the caller's sessions. */
export const SessionList = new CorralRequest<typeof SessionListParams, SessionInfo[]>('session/list', SessionListParams);

export const SessionRefParams = z.strictObject({
  /** Session id or any unique prefix of it. */
  session: SessionRef,
});

export const SessionRemoveParams = z.strictObject({ session: SessionRef, purge: z.optional(z.boolean()) });
/**
 * `session/remove`: removes the container (killing what runs in it), the workspace and its branch.
 * The record stays (state `removed`, kept for history) unless `purge`, which deletes it with its
 * events and command rows.
 */
export const SessionRemove = new CorralRequest<typeof SessionRemoveParams, { removed: string }>('session/remove', SessionRemoveParams);

/** `session/pause`: freezes every process of the session (the container is paused). */
export const SessionPause = new CorralRequest<typeof SessionRefParams, SessionInfo>('session/pause', SessionRefParams);
/** `session/resume`: thaws a paused session. Commands sent to a paused session resume it too. */
export const SessionResume = new CorralRequest<typeof SessionRefParams, SessionInfo>('session/resume', SessionRefParams);
/** `session/stop`: removes the container; the record, workspace and branch stay for diff and apply. */
export const SessionStop = new CorralRequest<typeof SessionRefParams, SessionInfo>('session/stop', SessionRefParams);

export interface SessionEventRow {
  at: string;
  actor: string;
  kind: string;
  from: string | null;
  to: string | null;
  detail: string | null;
}

export interface SessionSummary {
  commands: number;
  /** Share of commands that exited non-zero or timed out. */
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  peakMemoryBytes: number | null;
  peakCpuPercent: number | null;
}

/** `session/show`: the session, its transitions and a summary of its commands and resources. */
export const SessionShow = new CorralRequest<typeof SessionRefParams, { session: SessionInfo; events: SessionEventRow[]; summary: SessionSummary }>(
  'session/show',
  SessionRefParams,
);

export interface CommandRow {
  command: string;
  startedAt: string;
  durationMs: number;
  exitCode: number;
  timedOut: boolean;
  bytesOut: number;
}
export interface ResourceSample {
  at: string;
  cpuPercent: number;
  memoryBytes: number;
  pids: number;
}

export const SessionMetricsParams = z.strictObject({ session: SessionRef, since: z.optional(z.string().check(z.maxLength(40))) });
/** `session/metrics`: the raw series behind `session/show`, for dashboards. */
export const SessionMetrics = new CorralRequest<typeof SessionMetricsParams, { commands: CommandRow[]; samples: ResourceSample[] }>(
  'session/metrics',
  SessionMetricsParams,
);

export interface ChangedFile {
  path: string;
  /** A added, M modified, D deleted, R renamed, C copied, T type changed. */
  status: string;
  from?: string;
  binary: boolean;
  added: number;
  deleted: number;
}

export const SessionDiffParams = z.strictObject({ session: SessionRef, patch: z.optional(z.boolean()) });
/**
 * `session/diff`: everything the session changed against its base commit — its commits,
 * uncommitted edits and untracked files — with a stat, and the binary patch when asked.
 */
export const SessionDiff = new CorralRequest<typeof SessionDiffParams, { base: string; files: ChangedFile[]; stat: string; patch?: string }>(
  'session/diff',
  SessionDiffParams,
);

export const SessionApplyParams = z.strictObject({ session: SessionRef, mode: z.enum(['commit', 'patch']) });
/**
 * `session/apply`: brings the session's changes onto the user's current branch, as one commit or
 * as working-tree changes. Refused, changing nothing, on conflicts or paths inside `.git`.
 */
export const SessionApply = new CorralRequest<typeof SessionApplyParams, { files: number; commit?: string }>('session/apply', SessionApplyParams);

/** `session/changed`: a session of yours changed state; sent to each of your connections. */
export const SessionChanged = new CorralNotification<SessionInfo>('session/changed');
