import { CorralError } from '../errors';
import type { JailLimits } from '../jail/policy';
import { ErrorCode, type SessionInfo } from '../protocol';
import { isStateKind, type SessionState, type StateKind } from './lifecycle';

/** A row of `sessions` as SQL returns it (read only by `parseRow`). */
export type SessionRowSql = {
  id: string;
  owner: string;
  name: string | null;
  repo: string | null;
  repo_root: string | null;
  base_commit: string | null;
  branch: string | null;
  objects_dir: string | null;
  trusted_dir: string | null;
  workspace: string;
  image: string;
  container_id: string | null;
  limits: string;
  state: string;
  state_reason: string | null;
  created_at: string;
  updated_at: string;
  last_active_at: string | null;
};

/** What a session over a git repository has beside its workspace (all of it, or none: a copied or empty folder). */
export interface GitOrigin {
  /** The repository's top on the host, where `apply` writes. */
  root: string;
  /** The commit the session started from, and its private branch (`corral/<id>`). */
  baseCommit: string;
  branch: string;
  /** The user's object store, mounted read-only in the jail. */
  objectsDir: string;
  /** Corral's own bare repository for diff and apply (never mounted). */
  trustedDir: string;
}

interface SessionFields {
  id: string;
  owner: string;
  name: string | null;
  /** The folder the session was started on (null: an empty workspace). */
  repo: string | null;
  git: GitOrigin | null;
  workspace: string;
  image: string;
  limits: JailLimits;
  createdAt: string;
  updatedAt: string;
  lastActiveAt: string | null;
}

/**
 * A session's record, typed by its state: a session that takes commands (ready, busy, paused)
 * always has a container id, a stopped or removed one never (its container was removed with the
 * move); `failed` and `lost` say why and keep the id of the container they last had, if any (a
 * lost session's container may come back); `creating` has one once the engine made it.
 */
export type SessionRecord =
  | RunningRecord
  | (SessionFields & { state: 'failed' | 'lost'; reason: string; containerId: string | null })
  | (SessionFields & { state: 'creating'; containerId: string | null })
  | (SessionFields & { state: 'stopped' | 'removed'; containerId: null });

/** A record of a session that takes commands (a paused one is resumed first). */
export type RunningRecord = SessionFields & { state: 'ready' | 'busy' | 'paused'; containerId: string };

/**
 * The record of a row. A state word this daemon does not know, or a running state without a
 * container, is read as `failed` with what was wrong: it is shown, stopped and removed like any
 * failed session, and never handed commands.
 */
export function parseRow(row: SessionRowSql): SessionRecord {
  // One literal, then Object.assign per state: every command reads its session's record three
  // times, and spreading a fresh object into another costs V8 microseconds (measured 9 µs, a
  // fifth of a command's whole cost in the service), where this costs about 0.2 µs.
  const fields: SessionFields = {
    id: row.id,
    owner: row.owner,
    name: row.name,
    repo: row.repo,
    git:
      row.repo_root !== null && row.base_commit !== null && row.branch !== null && row.objects_dir !== null && row.trusted_dir !== null
        ? { root: row.repo_root, baseCommit: row.base_commit, branch: row.branch, objectsDir: row.objects_dir, trustedDir: row.trusted_dir }
        : null,
    workspace: row.workspace,
    image: row.image,
    limits: parseLimits(row.limits),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastActiveAt: row.last_active_at,
  };
  const state: string = row.state;
  const containerId = row.container_id;
  if (!isStateKind(state)) return Object.assign(fields, { state: 'failed' as const, reason: `unknown state ${state}`, containerId });
  switch (state) {
    case 'ready':
    case 'busy':
    case 'paused':
      return containerId === null
        ? Object.assign(fields, { state: 'failed' as const, reason: `recorded as ${state} without a container`, containerId })
        : Object.assign(fields, { state, containerId });
    case 'failed':
    case 'lost':
      return Object.assign(fields, { state, reason: row.state_reason ?? '', containerId });
    case 'stopped':
    case 'removed':
      // Daemons before this one kept a stopped session's removed container id: it names nothing.
      return Object.assign(fields, { state, containerId: null });
    default:
      return Object.assign(fields, { state, containerId });
  }
}

/** Limits as stored (JSON), parsed once per distinct text: sessions share a few. Nobody mutates them. */
const limitsCache = new Map<string, JailLimits>();

function parseLimits(text: string): JailLimits {
  let limits = limitsCache.get(text);
  if (limits === undefined) {
    limits = JSON.parse(text) as JailLimits;
    if (limitsCache.size >= 256) limitsCache.clear();
    limitsCache.set(text, limits);
  }
  return limits;
}

/** The lifecycle's view of a record (lifecycle.ts decides what may happen next). */
export function stateOf(record: SessionRecord): SessionState {
  return record.state === 'failed' || record.state === 'lost' ? { kind: record.state, reason: record.reason } : { kind: record.state };
}

export function isRunning(record: SessionRecord): record is RunningRecord {
  return record.state === 'ready' || record.state === 'busy' || record.state === 'paused';
}

/** The record as clients see it (`SessionInfo`, server/protocol/session.ts). */
export function toInfo(record: SessionRecord): SessionInfo {
  return {
    id: record.id,
    name: record.name,
    owner: record.owner,
    repo: record.repo,
    repoRoot: record.git?.root ?? null,
    baseCommit: record.git?.baseCommit ?? null,
    branch: record.git?.branch ?? null,
    workspace: record.workspace,
    image: record.image,
    containerId: record.containerId,
    state: record.state,
    stateReason: record.state === 'failed' || record.state === 'lost' ? record.reason : null,
    limits: record.limits,
    createdAt: record.createdAt,
  };
}

/** The state a record moves to, as the store writes it. */
export function stateColumns(state: SessionState): { state: StateKind; reason: string | null } {
  return { state: state.kind, reason: state.kind === 'failed' || state.kind === 'lost' ? state.reason : null };
}

/** The git side of a session, for diff and apply; a session over a plain or empty folder has none. */
export function gitOf(record: SessionRecord): GitOrigin {
  if (record.git === null) {
    throw new CorralError(ErrorCode.Conflict, `session ${record.id} was not started on a git repository`, 'diff and apply need `corral session start --repo` on a git repository');
  }
  return record.git;
}
