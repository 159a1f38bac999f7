import { CorralError } from '../errors';
import { ErrorCode, SESSION_STATES } from '../protocol';

/**
 * Every state a session can be in, in lifecycle order: the one list, declared beside the wire's
 * `SessionInfo.state` (server/protocol/session.ts); the store and the table below use these words.
 * `removed` is final: its container, workspace and branch are gone and only its record stays.
 */
export { SESSION_STATES };

export type StateKind = (typeof SESSION_STATES)[number];

/** A session's state. `failed` and `lost` carry why. */
export type SessionState =
  | { kind: 'creating' }
  | { kind: 'ready' }
  | { kind: 'busy' }
  | { kind: 'paused' }
  | { kind: 'stopped' }
  | { kind: 'failed'; reason: string }
  | { kind: 'lost'; reason: string }
  | { kind: 'removed' };

/** What can happen to a session. */
export type SessionEvent =
  | { type: 'created' }
  | { type: 'command-started' }
  | { type: 'command-finished' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'fail'; reason: string }
  | { type: 'lose'; reason: string }
  | { type: 'recover' }
  | { type: 'remove' };

/** The states, for tests and callers that walk them all (same list as SESSION_STATES). */
export const STATE_KINDS: readonly StateKind[] = SESSION_STATES;
export const EVENT_TYPES: readonly SessionEvent['type'][] = ['created', 'command-started', 'command-finished', 'pause', 'resume', 'stop', 'fail', 'lose', 'recover', 'remove'];

/** States whose container is expected to exist (they also count against the per-user maximum). */
export const CONTAINER_STATES = ['creating', 'ready', 'busy', 'paused'] as const satisfies readonly StateKind[];

/** States in which a session takes commands (a paused one is resumed first): its record has a container id. */
export const RUNNING_STATES = ['ready', 'busy', 'paused'] as const satisfies readonly StateKind[];

/** from-state → event → to-state. Anything absent is not allowed; `removed` allows nothing. */
const TABLE: Record<StateKind, Partial<Record<SessionEvent['type'], StateKind>>> = {
  creating: { created: 'ready', fail: 'failed', lose: 'lost', stop: 'stopped', remove: 'removed' },
  ready: { 'command-started': 'busy', pause: 'paused', stop: 'stopped', fail: 'failed', lose: 'lost', remove: 'removed' },
  busy: { 'command-finished': 'ready', 'command-started': 'busy', stop: 'stopped', fail: 'failed', lose: 'lost', remove: 'removed' },
  paused: { resume: 'ready', stop: 'stopped', lose: 'lost', remove: 'removed' },
  stopped: { remove: 'removed' },
  failed: { stop: 'stopped', remove: 'removed' },
  lost: { recover: 'ready', stop: 'stopped', remove: 'removed' },
  removed: {},
};

/** The one place session states change. Throws a clear Conflict for a move the table forbids. */
export function transition(state: SessionState, event: SessionEvent): SessionState {
  const next = TABLE[state.kind][event.type];
  if (next === undefined) {
    throw new CorralError(ErrorCode.Conflict, `cannot ${describe(event.type)} a session that is ${state.kind}`, hintFor(state.kind));
  }
  if (next === 'failed' || next === 'lost') return { kind: next, reason: 'reason' in event ? event.reason : '' };
  return { kind: next };
}

export function isStateKind(value: string): value is StateKind {
  return (SESSION_STATES as readonly string[]).includes(value);
}

export function hasContainer(state: StateKind): boolean {
  return (CONTAINER_STATES as readonly StateKind[]).includes(state);
}

function describe(event: SessionEvent['type']): string {
  return {
    created: 'finish creating',
    'command-started': 'run a command in',
    'command-finished': 'finish a command in',
    pause: 'pause',
    resume: 'resume',
    stop: 'stop',
    fail: 'fail',
    lose: 'lose',
    recover: 'recover',
    remove: 'remove',
  }[event];
}

function hintFor(state: StateKind): string {
  switch (state) {
    case 'stopped':
      return 'a stopped session keeps its record and branch but has no container; start a new session';
    case 'paused':
      return 'resume it first with `corral session resume`';
    case 'failed':
    case 'lost':
      return '`corral session show` says why; stop or remove it and start a new one';
    case 'creating':
      return 'wait until it is ready';
    case 'removed':
      return 'a removed session has no container, workspace or branch left; start a new session';
    default:
      return 'see `corral session show`';
  }
}
