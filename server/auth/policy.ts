import { CorralError } from '../errors';
import { ErrorCode, type Identity } from '../protocol';
import { within } from './realPath';

/** Who may call a method at all: anyone (only `corral/hello`), any authenticated user, or the daemon's owner. */
export type Caller = 'anyone' | 'user' | 'owner';

/** What a service checks on the resource itself, after the edge let the call in. */
export type PathAction = 'folder.use' | 'board.read' | 'board.write';

export interface MethodRule {
  caller: Caller;
  /** The path checks the service behind the method makes (documentation of who checks what, and tested). */
  paths: readonly PathAction[];
}

/**
 * The one table of every RPC method. A method without a row is refused to everyone (at the
 * edge, see rpc/router.ts); a unit test fails when a declared method has none. Session,
 * attach, kv and run records are scoped to their `sessionUser` by the services' queries, so
 * their rows need no path check.
 */
export const METHOD_RULES: Readonly<Record<string, MethodRule>> = {
  'corral/hello': { caller: 'anyone', paths: [] },
  'auth/issue': { caller: 'owner', paths: [] },
  'auth/grant': { caller: 'owner', paths: [] },
  'auth/revoke': { caller: 'owner', paths: [] },
  'auth/list': { caller: 'owner', paths: [] },
  'daemon/status': { caller: 'user', paths: [] },
  'daemon/doctor': { caller: 'user', paths: [] },
  'daemon/shutdown': { caller: 'owner', paths: [] },
  'kv/put': { caller: 'user', paths: [] },
  'kv/get': { caller: 'user', paths: [] },
  'kv/list': { caller: 'user', paths: [] },
  'kv/delete': { caller: 'user', paths: [] },
  'session/start': { caller: 'user', paths: ['folder.use'] },
  'session/list': { caller: 'user', paths: [] },
  'session/show': { caller: 'user', paths: [] },
  'session/metrics': { caller: 'user', paths: [] },
  'session/pause': { caller: 'user', paths: [] },
  'session/resume': { caller: 'user', paths: [] },
  'session/stop': { caller: 'user', paths: [] },
  'session/remove': { caller: 'user', paths: [] },
  'session/diff': { caller: 'user', paths: [] },
  // Writes into the session's own repository only, which its start checked.
  'session/apply': { caller: 'user', paths: [] },
  'shell/exec': { caller: 'user', paths: [] },
  'attach/open': { caller: 'user', paths: [] },
  'attach/input': { caller: 'user', paths: [] },
  'attach/resize': { caller: 'user', paths: [] },
  'attach/close': { caller: 'user', paths: [] },
  'image/build': { caller: 'owner', paths: [] },
  'image/list': { caller: 'user', paths: [] },
  // Environments (server/env): builds run setup commands with network, so only the owner starts
  // one directly; other users' sessions get theirs through session/start's folder check.
  'image/pull': { caller: 'owner', paths: [] },
  'env/show': { caller: 'owner', paths: [] },
  'env/build': { caller: 'owner', paths: [] },
  'env/list': { caller: 'user', paths: [] },
  'env/prune': { caller: 'owner', paths: [] },
  // Preview ports of the caller's own sessions (scoped by the service's query).
  'session/port': { caller: 'user', paths: [] },
  'session/ports': { caller: 'user', paths: [] },
  'agent/run': { caller: 'user', paths: ['folder.use', 'board.write'] },
  'agent/stop': { caller: 'user', paths: [] },
  // Runs of the caller's own (their sessions, checked when the run started).
  'agent/list': { caller: 'user', paths: [] },
  'agent/resume': { caller: 'user', paths: [] },
  'agent/steps': { caller: 'user', paths: [] },
  // The caller's own ledger; everyone's (`allUsers`) is checked by the handler: owner only.
  'usage/query': { caller: 'user', paths: [] },
  'usage/alerts': { caller: 'user', paths: [] },
  'usage/forecast': { caller: 'user', paths: [] },
  'usage/report': { caller: 'user', paths: [] },
  'usage/import': { caller: 'user', paths: [] },
  'usage/export': { caller: 'user', paths: [] },
  'tasks/list': { caller: 'user', paths: ['board.read'] },
  'tasks/show': { caller: 'user', paths: ['board.read'] },
  'tasks/update': { caller: 'user', paths: ['board.write'] },
  'tasks/init': { caller: 'user', paths: ['board.write'] },
  'tasks/next': { caller: 'user', paths: ['board.read'] },
  // Picks and claims (the `start` edit): a write.
  'tasks/claimNext': { caller: 'user', paths: ['board.write'] },
  // A sign-in link for the caller's own identity; the browser then calls as them (server/web).
  'web/open': { caller: 'user', paths: [] },
  // Provider API keys into the daemon's memory: the keys pay for every user's runs.
  'provider/setKey': { caller: 'owner', paths: [] },
  'provider/keys': { caller: 'owner', paths: [] },
};

/** What the policy needs to know about the daemon; read at each decision (grants change). */
export interface PolicyFacts {
  /** The user the daemon runs as (holder of `$CORRAL_HOME/token`): may use everything. */
  daemonOwner: string;
  /** Corral's own state: never a resource of anyone but the daemon's owner. */
  corralHome: string;
  /** Real paths of the folders the daemon's owner granted `user`. */
  grantsOf(user: string): readonly string[];
  /** Real paths of the repositories of `sessionUser`'s sessions (boards there are theirs to use). */
  sessionReposOf(sessionUser: string): readonly string[];
}

export type Resource = { kind: 'method'; method: string } | { kind: 'path'; real: string; /** As the caller wrote it: refusals name this, not where links lead. */ given?: string };
export type Action = 'call' | PathAction;

/** True for the daemon's owner: the role from the token and the name must agree. */
export function isDaemonOwner(identity: Identity, facts: PolicyFacts): boolean {
  return identity.role === 'owner' && identity.user === facts.daemonOwner;
}

/**
 * The one decision: may `identity` do `action` on `resource`? Returns nothing or throws
 * `Forbidden` saying why and what to do. `resource.real` must come from `resolveReal`.
 */
export function authorize(identity: Identity, action: Action, resource: Resource, facts: PolicyFacts): void {
  if (action === 'call') {
    if (resource.kind !== 'method') throw new TypeError('a call is authorized on a method');
    const rule = METHOD_RULES[resource.method];
    if (rule === undefined)
      throw new CorralError(
        ErrorCode.Forbidden,
        `${resource.method} has no authorization rule, so nobody may call it`,
        'this is a bug in the daemon: every method needs a row in server/auth/policy.ts',
      );
    if (rule.caller === 'owner' && !isDaemonOwner(identity, facts))
      throw new CorralError(ErrorCode.Forbidden, `${resource.method} is for the daemon's owner only`, 'ask the owner of this Corral home to do it');
    return;
  }
  if (resource.kind !== 'path') throw new TypeError(`${action} is authorized on a path`);
  if (isDaemonOwner(identity, facts)) return;
  const real = resource.real;
  const shown = resource.given ?? real;
  const what = action === 'folder.use' ? 'folder' : 'board';
  if (within(real, facts.corralHome) || within(facts.corralHome, real)) {
    throw new CorralError(ErrorCode.Forbidden, `${shown} is in Corral's own state (${facts.corralHome}); only the daemon's owner may use it`, 'pick a folder outside $CORRAL_HOME');
  }
  if (facts.grantsOf(identity.user).some((dir) => within(real, dir))) return;
  if (action !== 'folder.use' && facts.sessionReposOf(identity.user).some((repo) => within(real, repo))) return;
  throw new CorralError(
    ErrorCode.Forbidden,
    `${identity.user} may not use the ${what} ${shown}: it is not in a folder the daemon's owner granted${action === 'folder.use' ? '' : ' nor in a repository of your sessions'}`,
    `ask the daemon's owner to run \`corral auth grant ${identity.user} DIR\``,
  );
}
