import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError, describeError } from '../errors';
import type { Logger } from '../log';
import type { Clock } from '../ports/clock';
import { ErrorCode, type SessionInfo } from '../protocol';
import { killMarked } from '../jail/kill';
import { MiB, resolveLimits, type JailLimits } from '../jail/policy';
import type { JailPort } from '../jail/port';
import { PersistentShell, type RunOptions, type ShellResult } from '../jail/shell';
import type { Store } from '../store/store';

export interface SessionOptions {
  home: string;
  worktrees: string;
  defaultImage: string;
  maxima: JailLimits;
  /** Output kept per stream and command. */
  maxKeptBytes: number;
  logger: Logger;
}

type SessionRow = {
  id: string;
  owner: string;
  name: string | null;
  repo: string | null;
  workspace: string;
  image: string;
  container_id: string | null;
  limits: string;
  state: string;
  created_at: string;
};

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Sessions as far as the jail issue needs them: a hardened container over a copy of a folder,
 * its persistent shell, and removal. Each user sees only their own sessions.
 */
export class SessionService {
  private readonly shells = new Map<string, PersistentShell>();

  constructor(
    private readonly store: Store,
    private readonly jail: JailPort,
    private readonly clock: Clock,
    private readonly options: SessionOptions,
  ) {}

  async start(
    owner: string,
    request: { repo?: string; image?: string; name?: string; limits?: { memoryMb?: number; cpus?: number; pids?: number; tmpMb?: number } },
  ): Promise<SessionInfo> {
    const limits = resolveLimits(
      {
        ...(request.limits?.memoryMb === undefined ? {} : { memoryBytes: request.limits.memoryMb * MiB }),
        ...(request.limits?.cpus === undefined ? {} : { cpus: request.limits.cpus }),
        ...(request.limits?.pids === undefined ? {} : { pids: request.limits.pids }),
        ...(request.limits?.tmpMb === undefined ? {} : { tmpBytes: request.limits.tmpMb * MiB }),
      },
      undefined,
      this.options.maxima,
    );
    const repo = request.repo === undefined ? undefined : this.checkRepo(request.repo);
    const id = randomBytes(5).toString('hex');
    const workspace = path.join(this.options.worktrees, id);
    const image = request.image ?? this.options.defaultImage;
    const now = this.clock.now().toISOString();
    await this.store.write((w) => {
      w.run(
        `INSERT INTO sessions (id, owner, name, repo, workspace, image, container_id, limits, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, 'creating', ?, ?)`,
        [id, owner, request.name ?? null, repo ?? null, workspace, image, JSON.stringify(limits), now, now],
      );
      this.event(w, id, now, owner, 'created', repo ?? null);
    });
    try {
      prepareWorkspace(workspace, repo);
      const info = await this.jail.create({ sessionId: id, owner, home: this.options.home, image, workspace, limits });
      const readyAt = this.clock.now().toISOString();
      await this.store.write((w) => {
        w.run("UPDATE sessions SET container_id = ?, state = 'ready', updated_at = ? WHERE id = ?", [info.containerId, readyAt, id]);
        this.event(w, id, readyAt, owner, 'ready', info.containerId);
      });
      this.shellFor(id, info.containerId, owner).warm();
    } catch (error) {
      fs.rmSync(workspace, { recursive: true, force: true });
      const failedAt = this.clock.now().toISOString();
      await this.store.write((w) => {
        w.run("UPDATE sessions SET state = 'failed', updated_at = ? WHERE id = ?", [failedAt, id]);
        this.event(w, id, failedAt, owner, 'failed', describeError(error));
      });
      throw error;
    }
    return this.find(owner, id);
  }

  list(owner: string): SessionInfo[] {
    return this.store
      .read((r) => r.all<SessionRow>("SELECT * FROM sessions WHERE owner = ? AND state != 'removed' ORDER BY created_at", [owner]))
      .map(toInfo);
  }

  /** By id or unique prefix, among the caller's sessions only. */
  find(owner: string, ref: string): SessionInfo {
    const rows = this.store.read((r) =>
      r.all<SessionRow>("SELECT * FROM sessions WHERE owner = ? AND state != 'removed' AND substr(id, 1, ?) = ?", [owner, ref.length, ref]),
    );
    const exact = rows.find((row) => row.id === ref);
    if (exact) return toInfo(exact);
    if (rows.length === 1) return toInfo(rows[0]!);
    if (rows.length > 1) {
      throw new CorralError(ErrorCode.Conflict, `${ref} matches ${rows.length} sessions: ${rows.map((r) => r.id).join(', ')}`, 'type more of the id');
    }
    throw new CorralError(ErrorCode.NotFound, `no session ${ref}`, 'list your sessions with `corral session ls`');
  }

  /** The container of a ready session of `owner`, or a clear refusal. */
  readyContainer(owner: string, ref: string): string {
    const session = this.find(owner, ref);
    if (session.containerId === null || session.state !== 'ready') {
      throw new CorralError(ErrorCode.Conflict, `session ${session.id} is ${session.state}`, 'start a new session with `corral session start`');
    }
    return session.containerId;
  }

  async exec(owner: string, ref: string, command: string, options: Partial<RunOptions>): Promise<ShellResult> {
    const session = this.find(owner, ref);
    const shell = this.shellFor(session.id, this.readyContainer(owner, session.id), owner);
    return shell.run(command, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(options.onOutput ? { onOutput: options.onOutput } : {}) });
  }

  async remove(owner: string, ref: string): Promise<string> {
    const session = this.find(owner, ref);
    this.shells.get(session.id)?.close();
    this.shells.delete(session.id);
    if (session.containerId) await this.jail.remove(session.containerId);
    fs.rmSync(session.workspace, { recursive: true, force: true });
    const now = this.clock.now().toISOString();
    await this.store.write((w) => {
      w.run("UPDATE sessions SET state = 'removed', updated_at = ? WHERE id = ?", [now, session.id]);
      this.event(w, session.id, now, owner, 'removed', null);
    });
    return session.id;
  }

  /** Closes every shell (the containers stay; the next daemon reconnects). */
  close(): void {
    for (const shell of this.shells.values()) shell.close();
    this.shells.clear();
  }

  private shellFor(sessionId: string, containerId: string, owner: string): PersistentShell {
    let shell = this.shells.get(sessionId);
    if (!shell) {
      shell = new PersistentShell({
        spawnShell: (env) => this.jail.spawn(containerId, ['sh'], { tty: false, env }),
        kill: (marker, interruptPid) => killMarked(this.jail, containerId, marker, interruptPid),
        onRestart: (reason) => {
          this.options.logger.warn('shell restarted', { session: sessionId, reason });
          const now = this.clock.now().toISOString();
          void this.store.write((w) => this.event(w, sessionId, now, owner, 'shell-restarted', reason)).catch(() => undefined);
        },
        maxKeptBytes: this.options.maxKeptBytes,
      });
      this.shells.set(sessionId, shell);
    }
    return shell;
  }

  private event(w: { run(sql: string, params: (string | null)[]): unknown }, sessionId: string, at: string, actor: string, kind: string, detail: string | null): void {
    w.run('INSERT INTO session_events (session_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)', [sessionId, at, actor, kind, detail]);
  }

  private checkRepo(repo: string): string {
    const resolved = path.resolve(repo);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new CorralError(ErrorCode.NotFound, `${resolved} does not exist`, 'pass --repo a folder on this machine');
    }
    if (!stat.isDirectory()) throw new CorralError(ErrorCode.InvalidParams, `${resolved} is not a folder`, 'pass --repo a folder');
    const home = path.resolve(this.options.home);
    if (resolved === home || resolved.startsWith(home + path.sep) || home.startsWith(resolved + path.sep)) {
      throw new CorralError(ErrorCode.InvalidParams, `${resolved} overlaps Corral's own state in ${home}`, 'pick a folder outside $CORRAL_HOME');
    }
    return resolved;
  }
}

/**
 * The folder mounted at /workspace: a copy of the repo (this issue; private git checkouts come
 * with sessions), owned by the jail user so commands inside can write it.
 */
function prepareWorkspace(workspace: string, repo: string | undefined): void {
  fs.mkdirSync(path.dirname(workspace), { recursive: true, mode: 0o700 });
  if (repo) fs.cpSync(repo, workspace, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  else fs.mkdirSync(workspace);
  if (process.getuid?.() === 0) chownTree(workspace, 1000, 1000);
  // The worktrees folder is private to the user, but the jail user must reach its own workspace.
  fs.chmodSync(path.dirname(workspace), 0o711);
}

function chownTree(root: string, uid: number, gid: number): void {
  fs.lchownSync(root, uid, gid);
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else fs.lchownSync(child, uid, gid);
  }
}

function toInfo(row: SessionRow): SessionInfo {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    repo: row.repo,
    workspace: row.workspace,
    image: row.image,
    containerId: row.container_id,
    state: row.state,
    limits: JSON.parse(row.limits) as JailLimits,
    createdAt: row.created_at,
  };
}

