import { CorralError } from '../errors';
import { ErrorCode, type SessionEventRow, type SessionInfo } from '../protocol';
import type { JailLimits } from '../jail/policy';
import type { Reader, Writer } from '../store/store';
import { parseState, type SessionState } from './lifecycle';

/** A row of `sessions`. */
export type SessionRow = {
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

/** Sessions that still count (not removed). */
const LIVE = "state != 'removed'";

export function listRows(r: Reader, owner?: string): SessionRow[] {
  return owner === undefined
    ? r.all<SessionRow>(`SELECT * FROM sessions WHERE ${LIVE} ORDER BY created_at`)
    : r.all<SessionRow>(`SELECT * FROM sessions WHERE owner = ? AND ${LIVE} ORDER BY created_at`, [owner]);
}

/** By id or unique prefix among `owner`'s sessions; another user's session is simply not found. */
export function findRow(r: Reader, owner: string, ref: string): SessionRow {
  const rows = r.all<SessionRow>(`SELECT * FROM sessions WHERE owner = ? AND ${LIVE} AND substr(id, 1, ?) = ?`, [owner, ref.length, ref]);
  const exact = rows.find((row) => row.id === ref);
  if (exact) return exact;
  if (rows.length === 1) return rows[0]!;
  if (rows.length > 1) {
    throw new CorralError(ErrorCode.Conflict, `${ref} matches ${rows.length} sessions: ${rows.map((row) => row.id).join(', ')}`, 'type more of the id');
  }
  throw new CorralError(ErrorCode.NotFound, `no session ${ref}`, 'list your sessions with `corral session ls`');
}

export function stateOf(row: SessionRow): SessionState {
  return parseState(row.state, row.state_reason);
}

/** Writes the new state and its event row (time, actor, from, to, reason) in one transaction. */
export function writeTransition(w: Writer, row: SessionRow, next: SessionState, at: string, actor: string, kind: string, detail: string | null): void {
  const reason = next.kind === 'failed' || next.kind === 'lost' ? next.reason : null;
  // Any transition counts as activity for idle pausing.
  w.run('UPDATE sessions SET state = ?, state_reason = ?, updated_at = ?, last_active_at = ? WHERE id = ?', [next.kind, reason, at, at, row.id]);
  writeEvent(w, row.id, at, actor, kind, row.state, next.kind, detail ?? reason);
}

export function writeEvent(w: Writer, sessionId: string, at: string, actor: string, kind: string, from: string | null, to: string | null, detail: string | null): void {
  w.run('INSERT INTO session_events (session_id, at, actor, kind, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?)', [sessionId, at, actor, kind, from, to, detail]);
}

export function eventsOf(r: Reader, sessionId: string): SessionEventRow[] {
  return r
    .all<{ at: string; actor: string; kind: string; from_state: string | null; to_state: string | null; detail: string | null }>(
      'SELECT at, actor, kind, from_state, to_state, detail FROM session_events WHERE session_id = ? ORDER BY id',
      [sessionId],
    )
    .map((e) => ({ at: e.at, actor: e.actor, kind: e.kind, from: e.from_state, to: e.to_state, detail: e.detail }));
}

export function toInfo(row: SessionRow): SessionInfo {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    repo: row.repo,
    repoRoot: row.repo_root,
    baseCommit: row.base_commit,
    branch: row.branch,
    workspace: row.workspace,
    image: row.image,
    containerId: row.container_id,
    state: row.state,
    stateReason: row.state_reason,
    limits: JSON.parse(row.limits) as JailLimits,
    createdAt: row.created_at,
  };
}
