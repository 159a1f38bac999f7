import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

/** A session's state. `failed` and `lost` carry why. */
export type SessionState =
  | { kind: 'creating' }
  | { kind: 'ready' }
  | { kind: 'busy' }
  | { kind: 'paused' }
  | { kind: 'stopped' }
  | { kind: 'failed'; reason: string }
  | { kind: 'lost'; reason: string };

export type StateKind = SessionState['kind'];

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
  | { type: 'recover' };

export const STATE_KINDS: readonly StateKind[] = ['creating', 'ready', 'busy', 'paused', 'stopped', 'failed', 'lost'];
export const EVENT_TYPES: readonly SessionEvent['type'][] = ['created', 'command-started', 'command-finished', 'pause', 'resume', 'stop', 'fail', 'lose', 'recover'];

/** from-state → event → to-state. Anything absent is not allowed. */
const TABLE: Record<StateKind, Partial<Record<SessionEvent['type'], StateKind>>> = {
  creating: { created: 'ready', fail: 'failed', lose: 'lost', stop: 'stopped' },
  ready: { 'command-started': 'busy', pause: 'paused', stop: 'stopped', fail: 'failed', lose: 'lost' },
  busy: { 'command-finished': 'ready', 'command-started': 'busy', stop: 'stopped', fail: 'failed', lose: 'lost' },
  paused: { resume: 'ready', stop: 'stopped', lose: 'lost' },
  stopped: {},
  failed: { stop: 'stopped' },
  lost: { recover: 'ready', stop: 'stopped' },
};

/** The one place session states change. Throws a clear Conflict for a move the table forbids. */
export function transition(state: SessionState, event: SessionEvent): SessionState {
  const next = TABLE[state.kind][event.type];
  if (next === undefined) {
    throw new CorralError(ErrorCode.Conflict, `cannot ${describe(event.type)} a session that is ${state.kind}`, hintFor(state.kind));
  }
  if (next === 'failed' || next === 'lost') return { kind: next, reason: 'reason' in event ? event.reason : '' };
  return { kind: next } as SessionState;
}

/** States whose container is expected to exist (they also count against the per-user maximum). */
export function hasContainer(state: string): boolean {
  return state === 'ready' || state === 'busy' || state === 'paused' || state === 'creating';
}

function describe(event: SessionEvent['type']): string {
  return { created: 'finish creating', 'command-started': 'run a command in', 'command-finished': 'finish a command in', pause: 'pause', resume: 'resume', stop: 'stop', fail: 'fail', lose: 'lose', recover: 'recover' }[event];
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
    default:
      return 'see `corral session show`';
  }
}

export function parseState(kind: string, reason: string | null): SessionState {
  if (kind === 'failed' || kind === 'lost') return { kind, reason: reason ?? '' };
  if ((STATE_KINDS as readonly string[]).includes(kind)) return { kind } as SessionState;
  return { kind: 'failed', reason: `unknown state ${kind}` };
}
