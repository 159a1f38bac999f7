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
import type { Store, Writer } from '../store/store';
import { applyToRepo, type ApplyMode } from '../workspace/apply';
import { createCheckout, inspectRepo, JAIL_OBJECTS, type CheckoutPaths } from '../workspace/checkout';
import { workspaceDiff, type WorkspaceDiff } from '../workspace/diff';
import { metrics, recordCommand, redact, summarize } from './instrumentation';
import { transition, type SessionEvent } from './lifecycle';
import { eventsOf, findRow, listRows, stateOf, toInfo, writeEvent, writeTransition, type SessionRow } from './records';

export interface SessionOptions {
  home: string;
  worktrees: string;
  /** Corral's own repositories per git session (never mounted). */
  trusted: string;
  defaultImage: string;
  maxima: JailLimits;
  maxKeptBytes: number;
  maxSessionsPerUser: number;
  /** Extra patterns to redact from stored command text. */
  redactions: RegExp[];
  logger: Logger;
  /** Tells the owner's clients that a session changed. */
  announce(owner: string, session: SessionInfo): void;
}

export interface StartRequest {
  repo?: string;
  image?: string;
  name?: string;
  withChanges?: boolean;
  limits?: { memoryMb?: number; cpus?: number; pids?: number; tmpMb?: number };
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Sessions: records with a lifecycle (see lifecycle.ts), a hardened jail over a private checkout,
 * a persistent shell, diff and apply. Every state change is one transition written with its event
 * row and announced to the owner's clients. A user sees and touches only their own sessions.
 */
export class SessionService {
  private readonly shells = new Map<string, PersistentShell>();
  private readonly running = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly jail: JailPort,
    private readonly clock: Clock,
    private readonly options: SessionOptions,
  ) {}

  async start(owner: string, request: StartRequest): Promise<SessionInfo> {
    const active = this.store.read((r) => listRows(r, owner)).filter((row) => ['creating', 'ready', 'busy', 'paused'].includes(row.state));
    if (active.length >= this.options.maxSessionsPerUser) {
      throw new CorralError(ErrorCode.Conflict, `you have ${active.length} sessions running, the most allowed`, 'stop or remove one (`corral session ls`), or have the admin raise CORRAL_MAX_SESSIONS');
    }
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
    const folder = request.repo === undefined ? undefined : this.checkFolder(request.repo);
    const repo = folder === undefined ? undefined : await inspectRepo(folder);
    if (repo) this.checkFolder(repo.root);
    const id = randomBytes(5).toString('hex');
    const paths: CheckoutPaths = { workspace: path.join(this.options.worktrees, id), trusted: path.join(this.options.trusted, `${id}.git`) };
    const image = request.image ?? this.options.defaultImage;
    const now = this.now();
    await this.store.write((w) => {
      w.run(
        `INSERT INTO sessions (id, owner, name, repo, repo_root, base_commit, branch, objects_dir, trusted_dir, workspace, image,
                               container_id, limits, state, created_at, updated_at, last_active_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'creating', ?, ?, ?)`,
        [id, owner, request.name ?? null, folder ?? null, repo?.root ?? null, repo?.head ?? null, repo ? `corral/${id}` : null, repo?.objectsDir ?? null,
          repo ? paths.trusted : null, paths.workspace, image, JSON.stringify(limits), now, now, now],
      );
      writeEvent(w, id, now, owner, 'created', null, 'creating', folder ?? null);
    });
    try {
      fs.mkdirSync(this.options.worktrees, { recursive: true, mode: 0o711 });
      fs.mkdirSync(this.options.trusted, { recursive: true, mode: 0o700 });
      if (repo) await createCheckout(repo, paths, id, request.withChanges === true);
      else if (folder) fs.cpSync(folder, paths.workspace, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      else fs.mkdirSync(paths.workspace);
      if (process.getuid?.() === 0) chownTree(paths.workspace, 1000, 1000);
      const info = await this.jail.create({
        sessionId: id,
        owner,
        home: this.options.home,
        image,
        workspace: paths.workspace,
        limits,
        ...(repo ? { readOnlyMounts: [{ host: repo.objectsDir, container: JAIL_OBJECTS }], env: [`GIT_ALTERNATE_OBJECT_DIRECTORIES=${JAIL_OBJECTS}`] } : {}),
      });
      await this.store.write((w) => w.run('UPDATE sessions SET container_id = ? WHERE id = ?', [info.containerId, id]));
      await this.move(owner, id, { type: 'created' }, owner);
      this.shellFor(this.row(owner, id)).warm();
    } catch (error) {
      fs.rmSync(paths.workspace, { recursive: true, force: true });
      fs.rmSync(paths.trusted, { recursive: true, force: true });
      await this.move(owner, id, { type: 'fail', reason: describeError(error) }, owner).catch(() => undefined);
      throw error;
    }
    return toInfo(this.row(owner, id));
  }

  list(owner: string): SessionInfo[] {
    return this.store.read((r) => listRows(r, owner)).map(toInfo);
  }

  find(owner: string, ref: string): SessionInfo {
    return toInfo(this.row(owner, ref));
  }

  show(owner: string, ref: string): { session: SessionInfo; events: ReturnType<typeof eventsOf>; summary: ReturnType<typeof summarize> } {
    const row = this.row(owner, ref);
    return this.store.read((r) => ({ session: toInfo(row), events: eventsOf(r, row.id), summary: summarize(r, row.id) }));
  }

  metrics(owner: string, ref: string, since?: string): ReturnType<typeof metrics> {
    const row = this.row(owner, ref);
    return this.store.read((r) => metrics(r, row.id, since));
  }

  /** The container of a session ready for commands; a paused one is resumed first. */
  async readyContainer(owner: string, ref: string): Promise<string> {
    let row = this.row(owner, ref);
    if (row.state === 'paused') {
      await this.resume(owner, row.id, 'idle');
      row = this.row(owner, row.id);
    }
    if (row.container_id === null || (row.state !== 'ready' && row.state !== 'busy')) {
      throw new CorralError(ErrorCode.Conflict, `session ${row.id} is ${row.state}${row.state_reason ? ` (${row.state_reason})` : ''}`, 'start a new session with `corral session start`');
    }
    return row.container_id;
  }

  async exec(owner: string, ref: string, command: string, options: Partial<RunOptions>): Promise<ShellResult> {
    await this.readyContainer(owner, ref);
    const row = this.row(owner, ref);
    const shell = this.shellFor(row);
    const startedAt = this.now();
    if (this.bump(row.id, +1) === 1) this.moveQuietly(owner, row.id, { type: 'command-started' }, owner);
    try {
      const result = await shell.run(command, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(options.onOutput ? { onOutput: options.onOutput } : {}) });
      const bytesOut = result.stdout.length + result.stderr.length + result.truncated.stdout + result.truncated.stderr;
      // Instrumentation is not awaited: a command's answer does not wait for its own record's fsync.
      this.store
        .write((w) => {
          recordCommand(w, { sessionId: row.id, user: owner, command: redact(command, this.options.redactions), startedAt, durationMs: result.durationMs, exitCode: result.exitCode, timedOut: result.timedOut, bytesOut });
          w.run('UPDATE sessions SET last_active_at = ? WHERE id = ?', [this.now(), row.id]);
        })
        .catch((error: unknown) => this.options.logger.error('could not record a command', { error: describeError(error) }));
      return result;
    } finally {
      if (this.bump(row.id, -1) === 0) this.moveQuietly(owner, row.id, { type: 'command-finished' }, owner);
    }
  }

  async pause(owner: string, ref: string, actor = owner): Promise<SessionInfo> {
    const row = this.row(owner, ref);
    if ((this.running.get(row.id) ?? 0) > 0) {
      throw new CorralError(ErrorCode.Conflict, `session ${row.id} is running a command`, 'wait for it to finish, or stop the session');
    }
    transition(stateOf(row), { type: 'pause' });
    await this.jail.pause(row.container_id!);
    return this.move(owner, row.id, { type: 'pause' }, actor);
  }

  async resume(owner: string, ref: string, actor = owner): Promise<SessionInfo> {
    const row = this.row(owner, ref);
    transition(stateOf(row), { type: 'resume' });
    await this.jail.resume(row.container_id!);
    return this.move(owner, row.id, { type: 'resume' }, actor);
  }

  /** Removes the container; record, workspace and branch stay (diff and apply still work). */
  async stop(owner: string, ref: string, actor = owner): Promise<SessionInfo> {
    const row = this.row(owner, ref);
    transition(stateOf(row), { type: 'stop' });
    this.closeShell(row.id);
    if (row.container_id) await this.jail.remove(row.container_id);
    return this.move(owner, row.id, { type: 'stop' }, actor);
  }

  /** Container, workspace and branch go; the record stays as `removed`, or goes too with `purge`. */
  async remove(owner: string, ref: string, purge: boolean): Promise<string> {
    const row = this.row(owner, ref);
    this.closeShell(row.id);
    if (row.container_id) await this.jail.remove(row.container_id);
    fs.rmSync(row.workspace, { recursive: true, force: true });
    if (row.trusted_dir) fs.rmSync(row.trusted_dir, { recursive: true, force: true });
    const now = this.now();
    await this.store.write((w) => {
      if (purge) {
        for (const table of ['session_events', 'commands', 'resource_samples']) w.run(`DELETE FROM ${table} WHERE session_id = ?`, [row.id]);
        w.run('DELETE FROM sessions WHERE id = ?', [row.id]);
      } else {
        w.run("UPDATE sessions SET state = 'removed', container_id = NULL, updated_at = ? WHERE id = ?", [now, row.id]);
        writeEvent(w, row.id, now, owner, 'removed', row.state, 'removed', null);
      }
    });
    this.options.announce(owner, { ...toInfo(row), state: 'removed', containerId: null });
    return row.id;
  }

  async diff(owner: string, ref: string): Promise<WorkspaceDiff> {
    const row = this.row(owner, ref);
    if (row.trusted_dir === null || row.base_commit === null) {
      throw new CorralError(ErrorCode.Conflict, `session ${row.id} was not started on a git repository`, 'diff and apply need `corral session start --repo` on a git repository');
    }
    return workspaceDiff({ workspace: row.workspace, trusted: row.trusted_dir }, row.base_commit);
  }

  async apply(owner: string, ref: string, mode: ApplyMode): Promise<{ files: number; commit?: string }> {
    const row = this.row(owner, ref);
    const diff = await this.diff(owner, row.id);
    const result = await applyToRepo(row.repo_root!, diff.patch, mode, `corral: session ${row.id}\n\nChanges made in Corral session ${row.id} from ${row.base_commit}.`);
    await this.store.write((w) => writeEvent(w, row.id, this.now(), owner, 'applied', row.state, row.state, `${mode}: ${result.files} files${result.commit ? ` as ${result.commit}` : ''}`));
    return result;
  }

  /** Closes every shell (containers stay; the next daemon adopts them). */
  close(): void {
    for (const id of [...this.shells.keys()]) this.closeShell(id);
  }

  /** For reconciliation and idle pausing: every live row of every user. */
  allRows(): SessionRow[] {
    return this.store.read((r) => listRows(r));
  }

  /** Applies one lifecycle event: state, event row, announcement. */
  async move(owner: string, id: string, event: SessionEvent, actor: string, detail: string | null = null): Promise<SessionInfo> {
    const row = this.row(owner, id);
    const next = transition(stateOf(row), event);
    await this.store.write((w) => writeTransition(w, row, next, this.now(), actor, event.type, detail));
    const info = toInfo(this.row(owner, id));
    this.options.announce(owner, info);
    return info;
  }

  /** A shell that belongs to a container that is gone or restarted must not be reused. */
  closeShell(id: string): void {
    this.shells.get(id)?.close();
    this.shells.delete(id);
  }

  /** Records a note about a session (reconciliation, restarts) in its event rows. */
  note(id: string, actor: string, kind: string, detail: string): void {
    this.store.write((w: Writer) => writeEvent(w, id, this.now(), actor, kind, null, null, detail)).catch(() => undefined);
  }

  private moveQuietly(owner: string, id: string, event: SessionEvent, actor: string): void {
    // busy ⇄ ready flips with every command: written and announced, but nobody waits for the fsync.
    try {
      const row = this.row(owner, id);
      const next = transition(stateOf(row), event);
      this.store.write((w) => writeTransition(w, row, next, this.now(), actor, event.type, null)).catch(() => undefined);
      this.options.announce(owner, toInfo(this.row(owner, id)));
    } catch {
      // The session moved on meanwhile (stopped, lost): nothing to flip.
    }
  }

  private bump(id: string, delta: number): number {
    const count = (this.running.get(id) ?? 0) + delta;
    if (count <= 0) this.running.delete(id);
    else this.running.set(id, count);
    return Math.max(count, 0);
  }

  private row(owner: string, ref: string): SessionRow {
    return this.store.read((r) => findRow(r, owner, ref));
  }

  private shellFor(row: SessionRow): PersistentShell {
    let shell = this.shells.get(row.id);
    const containerId = row.container_id!;
    if (!shell) {
      shell = new PersistentShell({
        spawnShell: (env) => this.jail.spawn(containerId, ['sh'], { tty: false, env }),
        kill: (marker, interruptPid) => killMarked(this.jail, containerId, marker, interruptPid),
        onRestart: (reason) => {
          this.options.logger.warn('shell restarted', { session: row.id, reason });
          this.note(row.id, 'daemon', 'shell-restarted', reason);
        },
        maxKeptBytes: this.options.maxKeptBytes,
      });
      this.shells.set(row.id, shell);
    }
    return shell;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private checkFolder(repo: string): string {
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

function chownTree(root: string, uid: number, gid: number): void {
  fs.lchownSync(root, uid, gid);
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else fs.lchownSync(child, uid, gid);
  }
}
