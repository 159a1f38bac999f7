import * as assert from 'node:assert/strict';
import { SessionShow, SessionStart, ShellExec, type SessionInfo } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';

const IMAGE = 'corral/fake:latest';

/**
 * The background pass's idle pause (server/sessions/maintenance.ts) on the fake clock, which is
 * the daemon's scheduler: a pass runs when the clock passes its interval, and pauses the sessions
 * idle for CORRAL_IDLE_PAUSE_S — no real waiting, no Docker.
 */
describe('service: idle pause on the fake clock (in-process harness)', () => {
  let h: Harness;
  let owner: HarnessClient;

  before(async () => {
    h = await startHarness({ settings: { idlePauseMs: 60_000, maintenanceMs: 50_000 } });
    owner = await h.connect();
  });
  after(async () => h?.close());

  it('pauses a session idle past the limit, by actor idle, and leaves one that ran a command since', async () => {
    // The pass looks at sessions oldest first: `busy` is looked at before `idle` is paused.
    const busy = await owner.rpc.sendRequest(SessionStart, { image: IMAGE });
    const idle = await owner.rpc.sendRequest(SessionStart, { image: IMAGE });
    h.clock.advance(40_000);
    await owner.rpc.sendRequest(ShellExec, { session: busy.id, command: 'true' });
    const calls = h.jail.calls.length;
    // The pass falls due at 50 s and runs at 70 s: `idle` has been idle 70 s, `busy` 30 s.
    h.clock.advance(30_000);
    await owner.next('session/changed', (p) => (p as SessionInfo).id === idle.id && (p as SessionInfo).state === 'paused');
    assert.equal(h.jail.stateOf(idle.containerId!), 'paused');
    const pause = (await owner.rpc.sendRequest(SessionShow, { session: idle.id })).events.find((e) => e.kind === 'pause');
    assert.deepEqual([pause?.actor, pause?.at], ['idle', h.clock.now().toISOString()]);
    assert.equal((await owner.rpc.sendRequest(SessionShow, { session: busy.id })).session.state, 'ready');
    assert.deepEqual(
      h.jail.calls.slice(calls).filter((c) => c.startsWith('pause')),
      [`pause ${idle.containerId}`],
    );
  });
});
