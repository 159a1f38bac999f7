import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertStillNamed, checkFolderIdentity, HeldDirectory, type CheckedFolder } from '../auth/heldDirectory';
import { resolveReal } from '../auth/realPath';
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
import { copyPlainFolder, describeSkipped } from '../workspace/copyFolder';
import { linkDependencies } from '../workspace/dependencies';
import type { SessionEnvironment } from '../env/service';
import { git } from '../workspace/git';
import { workspaceDiff, type WorkspaceDiff } from '../workspace/diff';
import { metrics, recordCommand, redact, summarize } from './instrumentation';
import { hasContainer, transition, type SessionEvent } from './lifecycle';
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
  /** Ready sessions kept per repo + image so that a start returns at once; 0 turns the pool off. */
  poolSize: number;
  /** Extra patterns to redact from stored command text. */
  redactions: RegExp[];
  logger: Logger;
  /** Tells the owner's clients that a session changed. */
  announce(owner: string, session: SessionInfo): void;
  /**
   * The authorization policy for a folder `sessionUser` wants a session over (server/auth):
   * resolved to its real path and checked, or refused with `Forbidden`.
   */
  authorizeFolder(sessionUser: string, folder: string): CheckedFolder;
  /** The repository's environment (server/env), built on first use; sessions without --image get it. */
  environment?(root: string, progress?: (message: string) => void): Promise<SessionEnvironment>;
}

export interface StartRequest {
  repo?: string;
  image?: string;
  name?: string;
  withChanges?: boolean;
  limits?: { memoryMb?: number; cpus?: number; pids?: number; tmpMb?: number };
  /** Lines of an environment build this start waits for (setup output), for the caller to show. */
  progress?: (message: string) => void;
}

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/** Owner of the warm pool's sessions until a user claims one. */
export const POOL_OWNER = '@pool';

/** busy ⇄ ready announcements are coalesced over this long. */
const ANNOUNCE_MS = 200;

/**
 * Sessions: records with a lifecycle (see lifecycle.ts), a hardened jail over a private checkout,
 * a persistent shell, diff and apply. Every state change is one transition written with its event
 * row and announced to the owner's clients. A user sees and touches only their own sessions.
 */
export class SessionService {
  private readonly shells = new Map<string, PersistentShell>();
  private readonly running = new Map<string, number>();
  /** Warm pool keys (repo root + image) seen so far, and refills under way. */
  private readonly poolKeys = new Map<string, { folder: string; image: string }>();
  private readonly refilling = new Map<string, Promise<void>>();
  private poolClosed = false;
  private readonly announcing = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly jail: JailPort,
    private readonly clock: Clock,
    private readonly options: SessionOptions,
  ) {}

  async start(owner: string, request: StartRequest): Promise<SessionInfo> {
    const poolable = this.options.poolSize > 0 && owner !== POOL_OWNER && request.repo !== undefined && !request.withChanges && request.limits === undefined;
    if (poolable) {
      const claimed = await this.claimFromPool(owner, request);
      if (claimed) return claimed;
    }
    const started = await this.startFresh(owner, request);
    if (poolable && started.repoRoot) {
      this.poolKeys.set(`${started.repoRoot}\0${started.image}`, { folder: started.repoRoot, image: started.image });
      this.refillPool();
    }
    return started;
  }

  /**
   * A ready pooled session of the same repo, HEAD and image, handed to `owner` in one store write;
   * the pool refills in the background. Undefined when there is none.
   */
  private async claimFromPool(owner: string, request: StartRequest): Promise<SessionInfo | undefined> {
    const folder = this.checkFolder(owner, request.repo!).real;
    const head = await currentHead(folder);
    if (!head) return undefined;
    const image = request.image ?? (await this.environmentFor(owner, request, head.root))?.image ?? this.options.defaultImage;
    // The pooled session holds the whole repository: its top must be allowed too.
    this.checkFolder(owner, head.root);
    const now = this.now();
    const claimed = await this.store.write((w) => {
      const row = w.get<SessionRow>("SELECT * FROM sessions WHERE owner = ? AND state = 'ready' AND repo_root = ? AND base_commit = ? AND image = ? ORDER BY created_at LIMIT 1", [
        POOL_OWNER, head.root, head.commit, image,
      ]);
      if (!row) return undefined;
      w.run('UPDATE sessions SET owner = ?, name = ?, repo = ?, created_at = ?, updated_at = ?, last_active_at = ? WHERE id = ?', [owner, request.name ?? null, folder, now, now, now, row.id]);
      writeEvent(w, row.id, now, owner, 'claimed', 'ready', 'ready', 'from the warm pool');
      return row.id;
    });
    if (claimed === undefined) return undefined;
    this.refillPool();
    const info = toInfo(this.row(owner, claimed));
    this.options.announce(owner, info);
    return info;
  }

  /** Tops every known pool key up to `poolSize` ready sessions, one start at a time, in the background. */
  private refillPool(): void {
    for (const [key, { folder, image }] of this.poolKeys) {
      if (this.refilling.has(key) || this.poolClosed) continue;
      const run = (async () => {
        const head = await currentHead(folder);
        if (!head) return;
        const pooled = this.store.read((r) => listRows(r, POOL_OWNER)).filter((row) => row.repo_root === head.root && row.image === image);
        for (const stale of pooled.filter((row) => row.base_commit !== head.commit || row.state !== 'ready')) {
          await this.remove(POOL_OWNER, stale.id, true);
        }
        let ready = pooled.filter((row) => row.base_commit === head.commit && row.state === 'ready').length;
        while (ready < this.options.poolSize && !this.poolClosed) {
          await this.startFresh(POOL_OWNER, { repo: folder, image });
          ready++;
        }
      })()
        .catch((error: unknown) => this.options.logger.warn('warm pool refill failed', { key, error: describeError(error) }))
        .finally(() => this.refilling.delete(key));
      this.refilling.set(key, run);
    }
  }

  /** Removes every pooled session (on shutdown, and at start-up: the pool's config may have changed). */
  async drainPool(): Promise<void> {
    this.poolClosed = true;
    await Promise.allSettled([...this.refilling.values()]);
    for (const row of this.store.read((r) => listRows(r, POOL_OWNER))) await this.remove(POOL_OWNER, row.id, true).catch(() => undefined);
    this.poolClosed = false;
  }

  private async startFresh(owner: string, request: StartRequest): Promise<SessionInfo> {
    const active = this.store.read((r) => listRows(r, owner)).filter((row) => hasContainer(row.state));
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
    const checked = request.repo === undefined ? undefined : this.checkFolder(owner, request.repo);
    const folder = checked?.real;
    // Git reads the folder through the descriptor held since the check, not by its path again.
    const held = checked === undefined ? undefined : HeldDirectory.open(checked);
    let repo: Awaited<ReturnType<typeof inspectRepo>>;
    let allowed: CheckedFolder[];
    let environment: SessionEnvironment | undefined;
    try {
      repo = held === undefined ? undefined : await inspectRepo(held.path);
      // Git may find the repository above the folder, or its objects elsewhere (a `.git` file):
      // the session reads and mounts those, so they are checked as well.
      allowed = [...(checked ? [checked] : []), ...(repo ? [this.checkFolder(owner, repo.root), this.checkFolder(owner, repo.objectsDir)] : [])];
      environment = await this.environmentFor(owner, request, repo?.root ?? folder);
    } catch (error) {
      held?.close();
      throw error;
    }
    const id = randomBytes(5).toString('hex');
    const paths: CheckoutPaths = { workspace: path.join(this.options.worktrees, id), trusted: path.join(this.options.trusted, `${id}.git`) };
    const image = request.image ?? environment?.image ?? this.options.defaultImage;
    const now = this.now();
    // What the start could not do as asked, told to the caller with the session.
    const warnings: string[] = [];
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
      else if (held) warnings.push(...describeSkipped(copyPlainFolder(held.path, paths.workspace)));
      else fs.mkdirSync(paths.workspace);
      // Checkout and mounts go by path: refused if a checked folder was swapped meanwhile.
      assertStillNamed(allowed);
      if (environment) linkDependencies(paths, environment.dependencyFolders);
      if (process.getuid?.() === 0) chownTree(paths.workspace, 1000, 1000);
      const info = await this.jail.create({
        sessionId: id,
        owner,
        home: this.options.home,
        image,
        workspace: paths.workspace,
        limits,
        ...(repo ? { readOnlyMounts: [{ host: repo.objectsDir, container: JAIL_OBJECTS }] } : {}),
        env: [...(repo ? [`GIT_ALTERNATE_OBJECT_DIRECTORIES=${JAIL_OBJECTS}`] : []), ...(environment?.env ?? [])],
      });
      await this.store.write((w) => w.run('UPDATE sessions SET container_id = ? WHERE id = ?', [info.containerId, id]));
      await this.move(owner, id, { type: 'created' }, owner);
      this.shellFor(this.row(owner, id)).warm();
    } catch (error) {
      fs.rmSync(paths.workspace, { recursive: true, force: true });
      fs.rmSync(paths.trusted, { recursive: true, force: true });
      await this.move(owner, id, { type: 'fail', reason: describeError(error) }, owner).catch(() => undefined);
      throw error;
    } finally {
      held?.close();
    }
    return { ...toInfo(this.row(owner, id)), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  /**
   * The environment of the repository at `root` for a session without --image (the warm pool's
   * refills name the image they fill for, and get the same environment).
   */
  private async environmentFor(owner: string, request: StartRequest, root: string | undefined): Promise<SessionEnvironment | undefined> {
    if (root === undefined || !this.options.environment || (request.image !== undefined && owner !== POOL_OWNER)) return undefined;
    if (request.image === undefined) return this.options.environment(root, request.progress);
    // A refill names its image: a definition broken since must not stop the pool, it just gets no links.
    const environment = await this.options.environment(root).catch(() => undefined);
    return environment?.image === request.image ? environment : undefined;
  }

  list(owner: string): SessionInfo[] {
    return this.store.read((r) => listRows(r, owner)).map(toInfo);
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
    return (await this.readyRow(owner, ref)).container_id!;
  }

  private async readyRow(owner: string, ref: string): Promise<SessionRow> {
    let row = this.row(owner, ref);
    if (row.state === 'paused') {
      await this.resume(owner, row.id, 'idle');
      row = this.row(owner, row.id);
    }
    if (row.container_id === null || (row.state !== 'ready' && row.state !== 'busy')) {
      throw new CorralError(ErrorCode.Conflict, `session ${row.id} is ${row.state}${row.state_reason ? ` (${row.state_reason})` : ''}`, 'start a new session with `corral session start`');
    }
    return row;
  }

  async exec(owner: string, ref: string, command: string, options: Partial<RunOptions>): Promise<ShellResult> {
    const row = await this.readyRow(owner, ref);
    const shell = this.shellFor(row);
    const startedAt = this.now();
    let record: ((w: Writer) => void) | undefined;
    if (this.bump(row.id, +1) === 1) this.moveQuietly(owner, row.id, { type: 'command-started' }, owner);
    try {
      const result = await shell.run(command, {
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const bytesOut = result.stdout.length + result.stderr.length + result.truncated.stdout + result.truncated.stderr;
      record = (w) => recordCommand(w, { sessionId: row.id, user: owner, command: redact(command, this.options.redactions), startedAt, durationMs: result.durationMs, exitCode: result.exitCode, timedOut: result.timedOut, bytesOut });
      return result;
    } finally {
      // The command's row goes with the busy → ready flip: one journal record, not awaited.
      if (this.bump(row.id, -1) === 0) this.moveQuietly(owner, row.id, { type: 'command-finished' }, owner, record);
      else if (record) this.store.write(record).catch(() => undefined);
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
    // Apply writes the user's repository: allowed only while its folder is (a revoke ends it),
    // only where it was at start, and through the folder held open, not its path again.
    const checked = this.checkFolder(owner, row.repo_root!);
    if (checked.real !== row.repo_root) {
      throw new CorralError(ErrorCode.Forbidden, `${row.repo_root} now leads to ${checked.real}; refused to apply there`, 'put the repository back where the session was started, or apply the patch by hand (`corral diff`)');
    }
    const held = HeldDirectory.open(checked);
    let result: { files: number; commit?: string };
    try {
      result = await applyToRepo(held.path, diff.patch, mode, `corral: session ${row.id}\n\nChanges made in Corral session ${row.id} from ${row.base_commit}.`);
    } finally {
      held.close();
    }
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

  private moveQuietly(owner: string, id: string, event: SessionEvent, actor: string, extra?: (w: Writer) => void): void {
    // busy ⇄ ready flips with every command: written (with the command's own row) but nobody
    // waits for the fsync, and announced at most once per ANNOUNCE_MS per session.
    try {
      const row = this.row(owner, id);
      const next = transition(stateOf(row), event);
      this.store
        .write((w) => {
          extra?.(w);
          writeTransition(w, row, next, this.now(), actor, event.type, null);
        })
        .catch((error: unknown) => this.options.logger.error('could not record a state change', { error: describeError(error) }));
      this.announceSoon(owner, id);
    } catch {
      // The session moved on meanwhile (stopped, lost): nothing to flip; still keep the record.
      if (extra) this.store.write(extra).catch(() => undefined);
    }
  }

  /** Trailing-edge announcement: a session busy with a command loop is not announced per command. */
  private announceSoon(owner: string, id: string): void {
    if (this.announcing.has(id)) return;
    this.announcing.add(id);
    setTimeout(() => {
      this.announcing.delete(id);
      try {
        this.options.announce(owner, toInfo(this.row(owner, id)));
      } catch {
        // Removed meanwhile: its removal was announced.
      }
    }, ANNOUNCE_MS).unref();
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

  /**
   * A folder `sessionUser` wants a session over, authorized on its real path (the warm pool's
   * starts reuse a folder a user was allowed). Corral's own state is refused to everyone.
   */
  private checkFolder(sessionUser: string, repo: string): CheckedFolder {
    const checked = sessionUser === POOL_OWNER ? checkFolderIdentity(resolveReal(path.resolve(repo)).real) : this.options.authorizeFolder(sessionUser, repo);
    const resolved = checked.real;
    const home = path.resolve(this.options.home);
    if (resolved === home || resolved.startsWith(home + path.sep) || home.startsWith(resolved + path.sep)) {
      throw new CorralError(ErrorCode.InvalidParams, `${resolved} overlaps Corral's own state in ${home}`, 'pick a folder outside $CORRAL_HOME');
    }
    return checked;
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

/** The repository top and HEAD commit of `folder` in one git call, or undefined outside a repo. */
async function currentHead(folder: string): Promise<{ root: string; commit: string } | undefined> {
  const result = await git(['rev-parse', '--show-toplevel', 'HEAD'], { cwd: folder });
  const [root, commit] = result.stdout.trim().split('\n');
  return result.code === 0 && root && commit ? { root, commit } : undefined;
}
