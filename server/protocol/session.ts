import * as z from 'zod/mini';
import { CorralNotification, CorralRequest, IsoTime, ProgressToken } from './base';
import { SESSION_STATES } from './states';

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
  /** Echoed in each `env/progress` of this start (an environment build it needs). */
  progressToken: z.optional(ProgressToken),
});

export { SESSION_STATES };
export const SessionStateName = z.enum(SESSION_STATES);
export type SessionStateName = z.infer<typeof SessionStateName>;

export const SessionInfo = z.strictObject({
  id: z.string(),
  name: z.nullable(z.string()),
  owner: z.string(),
  /** The folder the session was started on. */
  repo: z.nullable(z.string()),
  /** Its git repository's top, when it is one; null for a copied folder. */
  repoRoot: z.nullable(z.string()),
  /** The commit the session started from, and its private branch (`corral/<id>`). */
  baseCommit: z.nullable(z.string()),
  branch: z.nullable(z.string()),
  workspace: z.string(),
  image: z.string(),
  containerId: z.nullable(z.string()),
  state: SessionStateName,
  /** Why, for failed and lost. */
  stateReason: z.nullable(z.string()),
  limits: z.strictObject({ memoryBytes: z.number(), cpus: z.number(), pids: z.number(), tmpBytes: z.number() }),
  createdAt: IsoTime,
  /** From `session/start` only, when it could not do all it was asked (files of a plain folder that cannot be copied); absent otherwise. */
  warnings: z.optional(z.array(z.string())),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/** `session/start`: a hardened container over a private checkout (or copy) of the folder; returns when ready. */
export const SessionStart = new CorralRequest('session/start', SessionStartParams, SessionInfo);

export const SessionListParams = z.optional(z.strictObject({}));
/** `session/list`: the caller's sessions (removed ones left out). */
export const SessionList = new CorralRequest('session/list', SessionListParams, z.array(SessionInfo));

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
export const SessionRemove = new CorralRequest('session/remove', SessionRemoveParams, z.strictObject({ removed: z.string() }));

/** `session/pause`: freezes every process of the session (the container is paused). */
export const SessionPause = new CorralRequest('session/pause', SessionRefParams, SessionInfo);
/** `session/resume`: thaws a paused session. Commands sent to a paused session resume it too. */
export const SessionResume = new CorralRequest('session/resume', SessionRefParams, SessionInfo);
/** `session/stop`: removes the container; the record, workspace and branch stay for diff and apply. */
export const SessionStop = new CorralRequest('session/stop', SessionRefParams, SessionInfo);

export const SessionEventRow = z.strictObject({
  at: IsoTime,
  actor: z.string(),
  kind: z.string(),
  from: z.nullable(z.string()),
  to: z.nullable(z.string()),
  detail: z.nullable(z.string()),
});
export type SessionEventRow = z.infer<typeof SessionEventRow>;

export const SessionSummary = z.strictObject({
  commands: z.int(),
  /** Share of commands that exited non-zero or timed out. */
  errorRate: z.number(),
  p50Ms: z.nullable(z.number()),
  p95Ms: z.nullable(z.number()),
  peakMemoryBytes: z.nullable(z.number()),
  peakCpuPercent: z.nullable(z.number()),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** `session/show`: the session, its transitions and a summary of its commands and resources. */
export const SessionShow = new CorralRequest('session/show', SessionRefParams, z.strictObject({ session: SessionInfo, events: z.array(SessionEventRow), summary: SessionSummary }));

export const CommandRow = z.strictObject({
  command: z.string(),
  startedAt: IsoTime,
  durationMs: z.number(),
  exitCode: z.int(),
  timedOut: z.boolean(),
  bytesOut: z.number(),
});
export type CommandRow = z.infer<typeof CommandRow>;
export const ResourceSample = z.strictObject({
  at: IsoTime,
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  pids: z.int(),
});
export type ResourceSample = z.infer<typeof ResourceSample>;

export const SessionMetricsParams = z.strictObject({ session: SessionRef, since: z.optional(z.string().check(z.maxLength(40))) });
/** `session/metrics`: the raw series behind `session/show`, for dashboards. */
export const SessionMetrics = new CorralRequest('session/metrics', SessionMetricsParams, z.strictObject({ commands: z.array(CommandRow), samples: z.array(ResourceSample) }));

export const ChangedFile = z.strictObject({
  path: z.string(),
  /** A added, M modified, D deleted, R renamed, C copied, T type changed. */
  status: z.enum(['A', 'M', 'D', 'R', 'C', 'T']),
  from: z.optional(z.string()),
  binary: z.boolean(),
  added: z.int(),
  deleted: z.int(),
});
export type ChangedFile = z.infer<typeof ChangedFile>;

export const SessionDiffParams = z.strictObject({ session: SessionRef, patch: z.optional(z.boolean()) });
/**
 * `session/diff`: everything the session changed against its base commit — its commits,
 * uncommitted edits and untracked files — with a stat, and the binary patch when asked.
 */
export const SessionDiff = new CorralRequest(
  'session/diff',
  SessionDiffParams,
  z.strictObject({ base: z.string(), files: z.array(ChangedFile), stat: z.string(), patch: z.optional(z.string()) }),
);

export const SessionApplyParams = z.strictObject({ session: SessionRef, mode: z.enum(['commit', 'patch']) });
/**
 * `session/apply`: brings the session's changes onto the user's current branch, as one commit or
 * as working-tree changes. Refused, changing nothing, on conflicts or paths inside `.git`.
 */
export const SessionApply = new CorralRequest('session/apply', SessionApplyParams, z.strictObject({ files: z.int(), commit: z.optional(z.string()) }));

/** `session/changed`: a session of yours changed state; sent to each of your connections. */
export const SessionChanged = new CorralNotification('session/changed', SessionInfo);
