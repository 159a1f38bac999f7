import { CorralError } from '../errors';
import type { JailLimits } from '../jail/policy';
import { ErrorCode, type SessionEventRow } from '../protocol';
import type { Reader, Store, Writer } from '../store/store';
import type { SessionState } from './lifecycle';
import { parseRow, stateColumns, type GitOrigin, type SessionRecord, type SessionRowSql } from './record';

/** What a new session's record holds when its creation begins. */
export interface NewSession {
  id: string;
  owner: string;
  name: string | null;
  repo: string | null;
  git: GitOrigin | null;
  workspace: string;
  image: string;
  limits: JailLimits;
}

/** A written transition: the event row's kind and detail (the state change is the record's). */
export interface TransitionWrite {
  actor: string;
  kind: string;
  detail: string | null;
  /** More statements for the same durable write (a command's row with its busy → ready flip). */
  also?: (w: Writer) => void;
}

/** Sessions that still count: a removed session's record is kept for history only. */
const LIVE = "state != 'removed'";

/**
 * Every SQL statement over `sessions` and `session_events`: records come back typed by their
 * state (record.ts), and each change of state is written with its event row in one transaction.
 * Times are parameters (the caller's clock), so the journal replays the same rows.
 */
export class SessionRepository {
  constructor(private readonly store: Store) {}

  /** By id or unique prefix among `owner`'s live sessions; another user's session is simply not found. */
  find(owner: string, ref: string): SessionRecord {
    const rows = this.store.read((r) => r.all<SessionRowSql>(`SELECT * FROM sessions WHERE owner = ? AND ${LIVE} AND substr(id, 1, ?) = ?`, [owner, ref.length, ref]));
    const exact = rows.find((row) => row.id === ref);
    const only = rows.length === 1 ? rows[0] : undefined;
    const row = exact ?? only;
    if (row) return parseRow(row);
    if (rows.length > 1) {
      throw new CorralError(ErrorCode.Conflict, `${ref} matches ${rows.length} sessions: ${rows.map((r) => r.id).join(', ')}`, 'type more of the id');
    }
    throw new CorralError(ErrorCode.NotFound, `no session ${ref}`, 'list your sessions with `corral session ls`');
  }

  /** The record with this exact id in any state, removed too; undefined once purged. */
  byId(id: string): SessionRecord | undefined {
    return this.store.read((r) => byId(r, id));
  }

  /** Live sessions, oldest first: `owner`'s, or everyone's (reconciliation, the background loop). */
  list(owner?: string): SessionRecord[] {
    const rows = this.store.read((r) =>
      owner === undefined
        ? r.all<SessionRowSql>(`SELECT * FROM sessions WHERE ${LIVE} ORDER BY created_at`)
        : r.all<SessionRowSql>(`SELECT * FROM sessions WHERE owner = ? AND ${LIVE} ORDER BY created_at`, [owner]),
    );
    return rows.map(parseRow);
  }

  events(sessionId: string): SessionEventRow[] {
    return this.store
      .read((r) =>
        r.all<{ at: string; actor: string; kind: string; from_state: string | null; to_state: string | null; detail: string | null }>(
          'SELECT at, actor, kind, from_state, to_state, detail FROM session_events WHERE session_id = ? ORDER BY id',
          [sessionId],
        ),
      )
      .map((e) => ({ at: e.at, actor: e.actor, kind: e.kind, from: e.from_state, to: e.to_state, detail: e.detail }));
  }

  /** The record of a session whose creation begins (`creating`, no container yet) and its first event. */
  async insert(session: NewSession, at: string): Promise<void> {
    const git = session.git;
    await this.store.write((w) => {
      w.run(
        `INSERT INTO sessions (id, owner, name, repo, repo_root, base_commit, branch, objects_dir, trusted_dir, workspace, image,
                               container_id, limits, state, created_at, updated_at, last_active_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'creating', ?, ?, ?)`,
        [
          session.id,
          session.owner,
          session.name,
          session.repo,
          git?.root ?? null,
          git?.baseCommit ?? null,
          git?.branch ?? null,
          git?.objectsDir ?? null,
          git?.trustedDir ?? null,
          session.workspace,
          session.image,
          JSON.stringify(session.limits),
          at,
          at,
          at,
        ],
      );
      writeEvent(w, session.id, at, session.owner, 'created', null, 'creating', session.repo);
    });
  }

  /** The container made for a session still `creating` (its `created` transition follows). */
  async setContainer(id: string, containerId: string): Promise<void> {
    await this.store.write((w) => w.run('UPDATE sessions SET container_id = ? WHERE id = ?', [containerId, id]));
  }

  /**
   * Writes `record`'s move to `next` and its event row (time, actor, from, to, detail) in one
   * durable write. A stopped or removed session's container id goes with its container. (Nothing is read back: the busy ⇄ ready
   * flips of every command come here, and `byId` is there for callers that want the result.)
   */
  async transition(record: SessionRecord, next: SessionState, at: string, write: TransitionWrite): Promise<void> {
    const { state, reason } = stateColumns(next);
    await this.store.write((w) => {
      write.also?.(w);
      // Any transition counts as activity for idle pausing.
      w.run(
        "UPDATE sessions SET state = ?, state_reason = ?, updated_at = ?, last_active_at = ?, container_id = CASE WHEN ? IN ('stopped', 'removed') THEN NULL ELSE container_id END WHERE id = ?",
        [state, reason, at, at, state, record.id],
      );
      writeEvent(w, record.id, at, write.actor, write.kind, record.state, state, write.detail ?? reason);
    });
  }

  /**
   * Hands the oldest ready session of `pool` (same owner, repository top, HEAD and image) to
   * `to.owner` in one write, as if it had just been started; undefined when there is none.
   */
  async claim(
    pool: { owner: string; root: string; commit: string; image: string },
    to: { owner: string; name: string | null; repo: string },
    at: string,
  ): Promise<SessionRecord | undefined> {
    return this.store.write((w) => {
      const row = w.get<{ id: string }>(
        "SELECT id FROM sessions WHERE owner = ? AND state = 'ready' AND repo_root = ? AND base_commit = ? AND image = ? ORDER BY created_at LIMIT 1",
        [pool.owner, pool.root, pool.commit, pool.image],
      );
      if (!row) return undefined;
      w.run('UPDATE sessions SET owner = ?, name = ?, repo = ?, created_at = ?, updated_at = ?, last_active_at = ? WHERE id = ?', [to.owner, to.name, to.repo, at, at, at, row.id]);
      writeEvent(w, row.id, at, to.owner, 'claimed', 'ready', 'ready', 'from the warm pool');
      return byId(w, row.id);
    });
  }

  /** An event row that is not a transition (adopted, recovered, applied, shell-restarted): `state` is the session's, when known. */
  async note(sessionId: string, at: string, actor: string, kind: string, detail: string, state: string | null = null): Promise<void> {
    await this.store.write((w) => writeEvent(w, sessionId, at, actor, kind, state, state, detail));
  }

  /** Deletes a session's record with its events, command rows and resource samples (`remove --purge`). */
  async purge(sessionId: string): Promise<void> {
    await this.store.write((w) => {
      for (const table of ['session_events', 'commands', 'resource_samples']) w.run(`DELETE FROM ${table} WHERE session_id = ?`, [sessionId]);
      w.run('DELETE FROM sessions WHERE id = ?', [sessionId]);
    });
  }
}

function byId(r: Reader, id: string): SessionRecord | undefined {
  const row = r.get<SessionRowSql>('SELECT * FROM sessions WHERE id = ?', [id]);
  return row ? parseRow(row) : undefined;
}

function writeEvent(w: Writer, sessionId: string, at: string, actor: string, kind: string, from: string | null, to: string | null, detail: string | null): void {
  w.run('INSERT INTO session_events (session_id, at, actor, kind, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?)', [sessionId, at, actor, kind, from, to, detail]);
}
