import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { checkFolderIdentity, type CheckedFolder } from '../auth/heldDirectory';
import { resolveReal } from '../auth/realPath';
import { CorralError, describeError } from '../errors';
import type { Clock } from '../ports/clock';
import { ErrorCode, type SessionEventRow, type SessionInfo } from '../protocol';
import type { JailPort } from '../jail/port';
import type { RunOptions, ShellResult } from '../jail/shell';
import type { Store, Writer } from '../store/store';
import type { ApplyMode } from '../workspace/apply';
import type { SessionEnvironment } from '../env/service';
import type { WorkspaceDiff } from '../workspace/diff';
import { Announcer } from './announcer';
import { metrics, recordCommand, redact, summarize } from './instrumentation';
import { hasContainer, transition, type SessionEvent } from './lifecycle';
import type { SessionOptions } from './options';
import { gitOf, isRunning, stateOf, toInfo, type RunningRecord, type SessionRecord } from './record';
import { SessionRepository } from './repository';
import { ShellRegistry } from './shells';
import { limitsOf, type StartRequest } from './startRequest';
import { POOL_OWNER, WarmPool } from './warmPool';
import { Workspaces, type Origin } from './workspaces';

export { POOL_OWNER } from './warmPool';

export type { SessionOptions } from './options';
export type { StartRequest } from './startRequest';

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Sessions: a record with a lifecycle (lifecycle.ts) kept by the repository, a hardened jail
 * over a private workspace (workspaces.ts), a persistent shell (shells.ts), diff and apply, and
 * the warm pool (warmPool.ts). Every state change is one transition written with its event row
 * and announced to the owner's clients (announcer.ts). A user sees and touches only their own
 * sessions; a failed store write is logged, never dropped unseen.
 */
export class SessionService {
  readonly repository: SessionRepository;
  readonly pool: WarmPool;
  private readonly shells: ShellRegistry;
  private readonly workspaces: Workspaces;
  private readonly announcer: Announcer;

  constructor(
    private readonly store: Store,
    private readonly jail: JailPort,
    private readonly clock: Clock,
    private readonly options: SessionOptions,
  ) {
    this.repository = new SessionRepository(store);
    this.workspaces = new Workspaces(
      {
        worktrees: options.worktrees,
        trusted: options.trusted,
        ...(process.getuid?.() === 0 ? { chownTo: { uid: 1000, gid: 1000 } } : {}),
      },
      options.hostRepo,
    );
    this.shells = new ShellRegistry(jail, {
      maxKeptBytes: options.maxKeptBytes,
      onRestart: (sessionId, reason) => {
        options.logger.warn('shell restarted', { session: sessionId, reason });
        this.note(sessionId, 'daemon', 'shell-restarted', reason);
      },
    });
    this.announcer = new Announcer({
      announce: options.announce,
      current: (owner, id) => this.lookup(owner, id),
      logger: options.logger,
      ...(options.after ? { after: options.after } : {}),
    });
    this.pool = new WarmPool({
      size: options.poolSize,
      repository: this.repository,
      logger: options.logger,
      head: (folder) => this.workspaces.head(folder),
      start: (root, image) => this.startFresh(POOL_OWNER, { repo: root, image }),
      remove: (id) => this.remove(POOL_OWNER, id, true),
    });
  }

  async start(owner: string, request: StartRequest): Promise<SessionInfo> {
    const poolable = this.pool.enabled && owner !== POOL_OWNER && request.repo !== undefined && !request.withChanges && request.limits === undefined;
    if (poolable && request.repo !== undefined) {
      const claimed = await this.claimFromPool(owner, request.repo, request);
      if (claimed) return claimed;
    }
    const started = await this.startFresh(owner, request);
    if (poolable && started.repoRoot) this.pool.remember(started.repoRoot, started.image);
    return started;
  }

  /** A ready pooled session of the same repository, HEAD and image, handed to `owner`; undefined when there is none. */
  private async claimFromPool(owner: string, repo: string, request: StartRequest): Promise<SessionInfo | undefined> {
    const folder = this.checkFolder(owner, repo).real;
    const head = await this.workspaces.head(folder);
    if (!head) return undefined;
    const image = request.image ?? (await this.environmentFor(owner, request, head.root))?.image ?? this.options.defaultImage;
    // The pooled session holds the whole repository: its top must be allowed too.
    this.checkFolder(owner, head.root);
    const claimed = await this.pool.claim(head, image, { owner, name: request.name ?? null, repo: folder }, this.now());
    if (!claimed) return undefined;
    const info = toInfo(claimed);
    this.announcer.now(owner, info);
    return info;
  }

  /** Removes every pooled session (on shutdown, and at start-up: the pool's config may have changed). */
  drainPool(): Promise<void> {
    return this.pool.drain();
  }

  private async startFresh(owner: string, request: StartRequest): Promise<SessionInfo> {
    const active = this.repository.list(owner).filter((s) => hasContainer(s.state));
    if (active.length >= this.options.maxSessionsPerUser) {
      throw new CorralError(
        ErrorCode.Conflict,
        `you have ${active.length} sessions running, the most allowed`,
        'stop or remove one (`corral session ls`), or have the admin raise CORRAL_MAX_SESSIONS',
      );
    }
    const limits = limitsOf(request, this.options.maxima);
    const checked = request.repo === undefined ? undefined : this.checkFolder(owner, request.repo);
    const origin: Origin | undefined = checked === undefined ? undefined : await this.workspaces.open(checked, (folder) => this.checkFolder(owner, folder));
    try {
      const environment = await this.environmentFor(owner, request, origin?.repo?.root ?? origin?.folder);
      const id = randomBytes(5).toString('hex');
      const paths = this.workspaces.pathsOf(id);
      const image = request.image ?? environment?.image ?? this.options.defaultImage;
      await this.repository.insert(
        { id, owner, name: request.name ?? null, repo: origin?.folder ?? null, git: this.workspaces.gitOrigin(id, origin), workspace: paths.workspace, image, limits },
        this.now(),
      );
      try {
        const made = await this.workspaces.make(id, origin, { withChanges: request.withChanges === true, dependencyFolders: environment?.dependencyFolders ?? [] });
        const jailed = await this.jail.create({
          sessionId: id,
          owner,
          home: this.options.home,
          image,
          workspace: paths.workspace,
          limits,
          ...(made.mounts.length > 0 ? { readOnlyMounts: made.mounts } : {}),
          env: [...made.env, ...(environment?.env ?? [])],
        });
        await this.repository.setContainer(id, jailed.containerId);
        const ready = await this.move(owner, id, { type: 'created' }, owner);
        this.warmShell(owner, id);
        return { ...ready, ...(made.warnings.length > 0 ? { warnings: made.warnings } : {}) };
      } catch (error) {
        this.workspaces.discard(paths);
        await this.move(owner, id, { type: 'fail', reason: describeError(error) }, owner).catch(this.logFailure('could not record a failed start', id));
        throw error;
      }
    } finally {
      origin?.close();
    }
  }

  /**
   * The environment of the repository at `root` for a session without --image (the warm pool's
   * refills name the image they fill for, and get the same environment).
   */
  private async environmentFor(owner: string, request: StartRequest, root: string | undefined): Promise<SessionEnvironment | undefined> {
    if (root === undefined || !this.options.environment || (request.image !== undefined && owner !== POOL_OWNER)) return undefined;
    if (request.image === undefined) return this.options.environment(root, request.progress);
    // A refill names its image: a definition broken since must not stop the pool, it just gets no links.
    const environment = await this.options.environment(root).catch((error: unknown) => {
      this.options.logger.warn('the warm pool starts without the environment', { root, error: describeError(error) });
      return undefined;
    });
    return environment?.image === request.image ? environment : undefined;
  }

  list(owner: string): SessionInfo[] {
    return this.repository.list(owner).map(toInfo);
  }

  show(owner: string, ref: string): { session: SessionInfo; events: SessionEventRow[]; summary: ReturnType<typeof summarize> } {
    const record = this.repository.find(owner, ref);
    return { session: toInfo(record), events: this.repository.events(record.id), summary: this.store.read((r) => summarize(r, record.id)) };
  }

  metrics(owner: string, ref: string, since?: string): ReturnType<typeof metrics> {
    const record = this.repository.find(owner, ref);
    return this.store.read((r) => metrics(r, record.id, since));
  }

  /** The container of a session ready for commands; a paused one is resumed first. */
  async readyContainer(owner: string, ref: string): Promise<string> {
    return (await this.readyRecord(owner, ref)).containerId;
  }

  private async readyRecord(owner: string, ref: string): Promise<RunningRecord> {
    let record = this.repository.find(owner, ref);
    if (record.state === 'paused') {
      await this.resume(owner, record.id, 'idle');
      record = this.repository.find(owner, record.id);
    }
    if (record.state !== 'ready' && record.state !== 'busy') {
      const reason = record.state === 'failed' || record.state === 'lost' ? ` (${record.reason})` : '';
      throw new CorralError(ErrorCode.Conflict, `session ${record.id} is ${record.state}${reason}`, 'start a new session with `corral session start`');
    }
    return record;
  }

  async exec(owner: string, ref: string, command: string, options: Partial<RunOptions>): Promise<ShellResult> {
    const session = await this.readyRecord(owner, ref);
    const shell = this.shells.for(session);
    const startedAt = this.now();
    let record: ((w: Writer) => void) | undefined;
    if (this.shells.begin(session.id)) this.moveQuietly(owner, session.id, { type: 'command-started' }, owner);
    try {
      const result = await shell.run(command, {
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const bytesOut = result.stdout.length + result.stderr.length + result.truncated.stdout + result.truncated.stderr;
      record = (w) =>
        recordCommand(w, {
          sessionId: session.id,
          user: owner,
          command: redact(command, this.options.redactions),
          startedAt,
          durationMs: result.durationMs,
          exitCode: result.exitCode,
          timedOut: result.timedOut,
          bytesOut,
        });
      return result;
    } finally {
      // The command's row goes with the busy → ready flip: one journal record, not awaited.
      if (this.shells.end(session.id)) this.moveQuietly(owner, session.id, { type: 'command-finished' }, owner, record);
      else if (record) this.writeLater(record, 'could not record a command', session.id);
    }
  }

  async pause(owner: string, ref: string, actor = owner): Promise<SessionInfo> {
    const record = this.repository.find(owner, ref);
    if (this.shells.running(record.id) > 0) {
      throw new CorralError(ErrorCode.Conflict, `session ${record.id} is running a command`, 'wait for it to finish, or stop the session');
    }
    await this.jail.pause(this.withContainer(record, { type: 'pause' }).containerId);
    return this.move(owner, record.id, { type: 'pause' }, actor);
  }

  async resume(owner: string, ref: string, actor = owner): Promise<SessionInfo> {
    const record = this.repository.find(owner, ref);
    await this.jail.resume(this.withContainer(record, { type: 'resume' }).containerId);
    return this.move(owner, record.id, { type: 'resume' }, actor);
  }

  /** Removes the container; record, workspace and branch stay (diff and apply still work). */
  async stop(owner: string, ref: string, actor = owner): Promise<SessionInfo> {
    const record = this.repository.find(owner, ref);
    transition(stateOf(record), { type: 'stop' });
    this.shells.close(record.id);
    if (record.containerId) await this.jail.remove(record.containerId);
    return this.move(owner, record.id, { type: 'stop' }, actor);
  }

  /** Container, workspace and branch go; the record stays as `removed`, or goes too with `purge`. */
  async remove(owner: string, ref: string, purge: boolean): Promise<string> {
    const record = this.repository.find(owner, ref);
    const next = transition(stateOf(record), { type: 'remove' });
    this.shells.close(record.id);
    if (record.containerId) await this.jail.remove(record.containerId);
    this.workspaces.discard({ workspace: record.workspace, trusted: record.git?.trustedDir ?? null });
    if (purge) {
      await this.repository.purge(record.id);
      this.announcer.now(owner, { ...toInfo(record), state: 'removed', stateReason: null, containerId: null });
    } else {
      await this.repository.transition(record, next, this.now(), { actor: owner, kind: 'removed', detail: null });
      const removed = this.repository.byId(record.id);
      if (removed) this.announcer.now(owner, toInfo(removed));
    }
    return record.id;
  }

  async diff(owner: string, ref: string): Promise<WorkspaceDiff> {
    const record = this.repository.find(owner, ref);
    return this.workspaces.diff(record.workspace, gitOf(record));
  }

  async apply(owner: string, ref: string, mode: ApplyMode): Promise<{ files: number; commit?: string }> {
    const record = this.repository.find(owner, ref);
    const git = gitOf(record);
    const diff = await this.workspaces.diff(record.workspace, git);
    // Apply writes the user's repository: allowed only while its folder is (a revoke ends it),
    // only where it was at start, and through the folder held open, not its path again.
    const checked = this.checkFolder(owner, git.root);
    const message = `corral: session ${record.id}\n\nChanges made in Corral session ${record.id} from ${git.baseCommit}.`;
    const result = await this.workspaces.apply(git, checked, diff.patch, mode, message);
    await this.repository.note(record.id, this.now(), owner, 'applied', `${mode}: ${result.files} files${result.commit ? ` as ${result.commit}` : ''}`, record.state);
    return result;
  }

  /** Closes every shell (containers stay; the next daemon adopts them) and drops pending announcements. */
  close(): void {
    this.announcer.close();
    this.shells.closeAll();
  }

  /** For reconciliation and the background loop: every live session of every user. */
  all(): SessionRecord[] {
    return this.repository.list();
  }

  /** Applies one lifecycle event: state, event row, announcement. */
  async move(owner: string, id: string, event: SessionEvent, actor: string, detail: string | null = null): Promise<SessionInfo> {
    const record = this.repository.find(owner, id);
    const next = transition(stateOf(record), event);
    await this.repository.transition(record, next, this.now(), { actor, kind: event.type, detail });
    const info = toInfo(this.repository.byId(record.id) ?? record);
    this.announcer.now(owner, info);
    return info;
  }

  /** A shell that belongs to a container that is gone or restarted must not be reused. */
  closeShell(id: string): void {
    this.shells.close(id);
  }

  /** Records a note about a session (reconciliation, restarts) in its event rows; not awaited, a failure is logged. */
  note(id: string, actor: string, kind: string, detail: string): void {
    this.repository.note(id, this.now(), actor, kind, detail).catch(this.logFailure(`could not record ${kind}`, id));
  }

  /** Checks `event` (pause, resume) against the table: both are allowed only from states that have their container. */
  private withContainer(record: SessionRecord, event: SessionEvent): RunningRecord {
    transition(stateOf(record), event);
    if (!isRunning(record)) throw new CorralError(ErrorCode.Internal, `session ${record.id} is ${record.state} without a container`, 'see `corral session show`');
    return record;
  }

  /** Starts the shell of a session that just became ready, so that its first command is fast. */
  private warmShell(owner: string, id: string): void {
    const record = this.repository.find(owner, id);
    if (isRunning(record)) this.shells.for(record).warm();
  }

  /**
   * busy ⇄ ready flips with every command: written (with the command's own row) but nobody
   * waits for the fsync, and announced at most once per COALESCE_MS per session.
   */
  private moveQuietly(owner: string, id: string, event: SessionEvent, actor: string, also?: (w: Writer) => void): void {
    let record: SessionRecord;
    let next: ReturnType<typeof transition>;
    try {
      record = this.repository.find(owner, id);
      next = transition(stateOf(record), event);
    } catch (error) {
      // The session moved on meanwhile (stopped, lost, removed): nothing to flip; still keep the command's row.
      this.options.logger.log('debug', 'no busy/ready flip', { session: id, event: event.type, error: describeError(error) });
      if (also) this.writeLater(also, 'could not record a command', id);
      return;
    }
    const at = this.now();
    const flip = (extra?: (w: Writer) => void): Promise<unknown> =>
      this.repository.transition(record, next, at, extra ? { actor, kind: event.type, detail: null, also: extra } : { actor, kind: event.type, detail: null });
    flip(also).catch((error: unknown) => {
      if (!also) return this.logFailure('could not record a state change', id)(error);
      // The command's row failed the write it shared: the flip alone, or the session would stay busy.
      this.logFailure('could not record a command', id)(error);
      flip().catch(this.logFailure('could not record a state change', id));
    });
    this.announcer.soon(owner, id);
  }

  /** A write nobody waits for (a command's row): a failure, thrown or rejected, is logged. */
  private writeLater(write: (w: Writer) => void, what: string, session: string): void {
    (async () => this.store.write(write))().catch(this.logFailure(what, session));
  }

  /** The session as its owner sees it now, or undefined once it is removed. */
  private lookup(owner: string, id: string): SessionInfo | undefined {
    const record = this.repository.byId(id);
    return record && record.owner === owner && record.state !== 'removed' ? toInfo(record) : undefined;
  }

  /** A catch handler for a write nobody awaits: the failure goes to the log with the session. */
  private logFailure(what: string, session: string): (error: unknown) => void {
    return (error) => this.options.logger.error(what, { session, error: describeError(error) });
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
