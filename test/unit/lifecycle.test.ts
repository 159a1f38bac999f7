import * as assert from 'node:assert/strict';
import { CorralError } from '../../server/errors';
import { EVENT_TYPES, SESSION_STATES, STATE_KINDS, transition, type SessionEvent, type SessionState, type StateKind } from '../../server/sessions/lifecycle';

/** The whole table, written out: every (state, event) pair and where it must lead, or `-`. */
const EXPECTED: Record<StateKind, Record<SessionEvent['type'], StateKind | '-'>> = {
  creating: {
    created: 'ready',
    'command-started': '-',
    'command-finished': '-',
    pause: '-',
    resume: '-',
    stop: 'stopped',
    fail: 'failed',
    lose: 'lost',
    recover: '-',
    remove: 'removed',
  },
  ready: {
    created: '-',
    'command-started': 'busy',
    'command-finished': '-',
    pause: 'paused',
    resume: '-',
    stop: 'stopped',
    fail: 'failed',
    lose: 'lost',
    recover: '-',
    remove: 'removed',
  },
  busy: {
    created: '-',
    'command-started': 'busy',
    'command-finished': 'ready',
    pause: '-',
    resume: '-',
    stop: 'stopped',
    fail: 'failed',
    lose: 'lost',
    recover: '-',
    remove: 'removed',
  },
  paused: { created: '-', 'command-started': '-', 'command-finished': '-', pause: '-', resume: 'ready', stop: 'stopped', fail: '-', lose: 'lost', recover: '-', remove: 'removed' },
  stopped: { created: '-', 'command-started': '-', 'command-finished': '-', pause: '-', resume: '-', stop: '-', fail: '-', lose: '-', recover: '-', remove: 'removed' },
  failed: { created: '-', 'command-started': '-', 'command-finished': '-', pause: '-', resume: '-', stop: 'stopped', fail: '-', lose: '-', recover: '-', remove: 'removed' },
  lost: { created: '-', 'command-started': '-', 'command-finished': '-', pause: '-', resume: '-', stop: 'stopped', fail: '-', lose: '-', recover: 'ready', remove: 'removed' },
  // Final: nothing happens to a removed session, not even a second removal.
  removed: { created: '-', 'command-started': '-', 'command-finished': '-', pause: '-', resume: '-', stop: '-', fail: '-', lose: '-', recover: '-', remove: '-' },
};

function stateOf(kind: StateKind): SessionState {
  return kind === 'failed' || kind === 'lost' ? { kind, reason: 'earlier' } : ({ kind } as SessionState);
}

function eventOf(type: SessionEvent['type']): SessionEvent {
  return type === 'fail' || type === 'lose' ? { type, reason: 'because' } : ({ type } as SessionEvent);
}

describe('session lifecycle', () => {
  it('walks every state and every event (the table above is the whole lifecycle)', () => {
    assert.deepEqual([...STATE_KINDS].sort(), Object.keys(EXPECTED).sort());
    assert.deepEqual([...SESSION_STATES], ['creating', 'ready', 'busy', 'paused', 'stopped', 'failed', 'lost', 'removed']);
  });

  for (const kind of STATE_KINDS) {
    for (const type of EVENT_TYPES) {
      const expected = EXPECTED[kind][type];
      it(`${kind} + ${type} → ${expected === '-' ? 'refused' : expected}`, () => {
        if (expected === '-') {
          assert.throws(
            () => transition(stateOf(kind), eventOf(type)),
            (error: unknown) => error instanceof CorralError && /cannot .* a session that is/.test(error.message) && error.hint.length > 0,
          );
        } else {
          const next = transition(stateOf(kind), eventOf(type));
          assert.equal(next.kind, expected);
          if (next.kind === 'failed' || next.kind === 'lost') assert.equal(next.reason, 'because');
        }
      });
    }
  }
});
