import { randomBytes } from 'node:crypto';
import type { Authorizer } from '../auth/authorizer';
import type { Grants } from '../auth/grants';
import type { Store } from '../store/store';
import type { KvService } from '../services/kv';
import type { SessionService } from '../sessions/service';
import type { IssuedTokens } from '../services/auth';
import type { ImageService } from '../services/images';
import type { UsageQueries } from '../services/usage';
import type { AttachService } from '../services/attach';
import type { EnginePort } from '../ports/engine';
import { daemonChecks } from '../services/doctor';
import type { AgentService } from '../agent/service';
import { followRun, type RunFeed } from '../agent/runFeed';
import type { Caller, TasksService } from '../tasks/service';
import { TasksClaimNext, TasksNext } from '../protocol/taskQueue';
import {
  AgentList,
  AgentProgress,
  AgentResume,
  AgentRun,
  AgentStop,
  TasksInit,
  TasksList,
  TasksShow,
  TasksUpdate,
  UsageQuery,
  AttachClose,
  AttachClosedNotification,
  AttachInput,
  AttachOpen,
  AttachOutputNotification,
  AttachResize,
  DaemonDoctor,
  DaemonShutdown,
  DaemonStatusRequest,
  EnvProgress,
  ImageBuild,
  ImageList,
  ImageProgress,
  KvDelete,
  KvGet,
  KvList,
  KvPut,
  AuthIssue,
  AuthGrant,
  AuthList,
  AuthRevoke,
  SessionApply,
  SessionDiff,
  SessionList,
  SessionMetrics,
  SessionPause,
  SessionRemove,
  SessionResume,
  SessionShow,
  SessionStart,
  SessionStop,
  ShellExec,
  ShellOutputNotification,
  type DaemonStatus,
  type Identity,
  type RunEvent,
} from '../protocol';
import type { OutputChunk } from '../jail/shell';
import { progressLine, Router } from './router';

export interface Services {
  store: Store;
  /** The one authorization policy: asked at the edge for every call, and by services for paths. */
  authorizer: Authorizer;
  grants: Grants;
  kv: KvService;
  sessions: SessionService;
  attach: AttachService;
  agent: AgentService;
  /** Broadcasts runs' changes to their owners' clients (agent/changed); absent: the caller's agent/progress only. */
  runFeed?: RunFeed;
  tasks: TasksService;
  engine: EnginePort;
  /** Tokens the daemon's owner issues to other users. */
  tokens: IssuedTokens;
  images: ImageService;
  /** `usage/query` over the ledger (the analytics methods are rpc/usageHandlers.ts). */
  usage: UsageQueries;
  /** Image of sessions started without --image. */
  defaultImage: string;
  /** Process facts for `daemon/status`, without the store (added here). */
  status(): Omit<DaemonStatus, 'store'>;
  /** Starts a graceful shutdown after the reply has gone out. */
  requestShutdown(): void;
}

/** Every RPC method and the service call behind it: the daemon's whole surface in one table. */
export function buildRouter(services: Services): Router {
  // The daemon's owner by token and name (server/auth/policy.ts), not the owner of a board or session.
  const caller = (identity: Identity): Caller => ({ user: identity.user, daemonOwner: services.authorizer.isDaemonOwner(identity) });
  return (
    new Router((identity, method) => services.authorizer.call(identity, method))
      .on(DaemonStatusRequest, () => ({ ...services.status(), store: services.store.status() }))
      .on(DaemonDoctor, async () => ({ checks: await daemonChecks(services.store.status(), services.engine, services.defaultImage) }))
      .on(DaemonShutdown, () => {
        setImmediate(() => services.requestShutdown());
        return { stopping: true as const };
      })
      .on(KvPut, (params, { identity }) => services.kv.put(identity.user, params.key, params.value))
      .on(KvGet, (params, { identity }) => services.kv.get(identity.user, params.key))
      .on(KvList, (params, { identity }) => services.kv.list(identity.user, params.prefix))
      .on(KvDelete, async (params, { identity }) => ({ deleted: await services.kv.delete(identity.user, params.key) }))
      // An environment built on the way streams its setup as env/progress.
      .on(SessionStart, (params, { identity, notify }) =>
        services.sessions.start(identity.user, { ...params, progress: (message) => void notify(EnvProgress, progressLine(params, message)) }),
      )
      .on(SessionList, (_params, { identity }) => services.sessions.list(identity.user))
      .on(SessionRemove, async (params, { identity }) => ({ removed: await services.sessions.remove(identity.user, params.session, params.purge === true) }))
      .on(SessionShow, (params, { identity }) => services.sessions.show(identity.user, params.session))
      .on(SessionMetrics, (params, { identity }) => services.sessions.metrics(identity.user, params.session, params.since))
      .on(SessionPause, (params, { identity }) => services.sessions.pause(identity.user, params.session))
      .on(SessionResume, (params, { identity }) => services.sessions.resume(identity.user, params.session))
      .on(SessionStop, (params, { identity }) => services.sessions.stop(identity.user, params.session))
      .on(SessionDiff, async (params, { identity }) => {
        const { patch, ...rest } = await services.sessions.diff(identity.user, params.session);
        return params.patch ? { ...rest, patch } : rest;
      })
      .on(SessionApply, (params, { identity }) => services.sessions.apply(identity.user, params.session, params.mode))
      .on(AuthIssue, (params) => services.tokens.issue(params.user))
      .on(AuthGrant, async (params) => ({ user: params.user, dirs: await services.grants.grant(params.user, params.dirs) }))
      .on(AuthRevoke, async (params) => ({ user: params.user, revoked: await services.grants.revoke(params.user, params.dirs) }))
      .on(AuthList, () => ({ daemonOwner: services.authorizer.daemonOwner, grants: services.grants.list() }))
      .on(ShellExec, async (params, { identity, notify, token }) => {
        const execId = params.execId ?? randomBytes(6).toString('hex');
        let dropped = 0;
        const cancel = new AbortController();
        const subscription = token.onCancellationRequested(() => cancel.abort());
        const result = await services.sessions.exec(identity.user, params.session, params.command, {
          signal: cancel.signal,
          ...(params.timeoutMs === undefined ? {} : { timeoutMs: params.timeoutMs }),
          ...(params.execId === undefined
            ? {}
            : {
                onOutput: (chunk: OutputChunk) => {
                  if (!notify(ShellOutputNotification, { execId, ...chunk })) dropped++;
                },
              }),
        });
        subscription.dispose();
        return { execId, ...result, droppedNotifications: dropped };
      })
      .on(AttachOpen, async (params, { identity, connectionId, notify }) => {
        const containerId = await services.sessions.readyContainer(identity.user, params.session);
        const attachId = await services.attach.open(identity.user, connectionId, containerId, params, {
          output: (id, data, seq) => void notify(AttachOutputNotification, { attachId: id, seq, data }),
          closed: (id, exitCode) => void notify(AttachClosedNotification, { attachId: id, exitCode }),
        });
        return { attachId };
      })
      .on(AttachInput, (params, { identity }) => {
        services.attach.input(identity.user, params.attachId, params.data);
        return null;
      })
      .on(AttachResize, async (params, { identity }) => {
        await services.attach.resize(identity.user, params.attachId, params.rows, params.cols);
        return null;
      })
      .on(AttachClose, async (params, { identity }) => {
        await services.attach.close(identity.user, params.attachId);
        return null;
      })
      .on(ImageBuild, (params, { notify }) => services.images.build(params, (message) => notify(ImageProgress, progressLine(params, message))))
      .on(ImageList, () => services.images.list())
      .on(AgentRun, async (params, { identity, notify, token }) => {
        const cancel = new AbortController();
        const subscription = token.onCancellationRequested(() => cancel.abort());
        try {
          const toCaller = (runId: string, event: RunEvent): void => void notify(AgentProgress, { runId, event });
          // Every change of the run also goes to all of the user's clients (agent/changed).
          return await followRun(services.runFeed, identity.user, toCaller, (emit) =>
            services.agent.run(identity.user, params, emit, cancel.signal, services.authorizer.isDaemonOwner(identity)),
          );
        } finally {
          subscription.dispose();
        }
      })
      .on(TasksList, (params, { identity }) => services.tasks.list(caller(identity), params.board, params))
      .on(TasksShow, (params, { identity }) => services.tasks.show(caller(identity), params.board, params.id))
      .on(TasksUpdate, (params, { identity }) => services.tasks.update(caller(identity), params))
      .on(TasksInit, (params, { identity }) => services.tasks.init(caller(identity), params.board))
      .on(TasksNext, (params, { identity }) => services.tasks.next(caller(identity), params.board))
      .on(TasksClaimNext, (params, { identity }) => services.tasks.claimNext(caller(identity), params.board))
      .on(AgentStop, (params, { identity }) => ({ stopping: services.agent.stop(identity.user, params.run) }))
      .on(AgentResume, async (params, { identity, notify, token }) => {
        const cancel = new AbortController();
        const subscription = token.onCancellationRequested(() => cancel.abort());
        try {
          const toCaller = (runId: string, event: RunEvent): void => void notify(AgentProgress, { runId, event });
          return await followRun(services.runFeed, identity.user, toCaller, (emit) =>
            services.agent.resume(identity.user, params.run, emit, cancel.signal, services.authorizer.isDaemonOwner(identity)),
          );
        } finally {
          subscription.dispose();
        }
      })
      .on(AgentList, async (params, { identity }) => ({ runs: await services.agent.list(identity.user, params) }))
      .on(UsageQuery, (params, { identity }) => services.usage.query({ user: identity.user, daemonOwner: identity.role === 'owner' }, params))
  );
}
