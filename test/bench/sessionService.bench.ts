import { PersistentShell } from '../../server/jail/shell';
import type { SessionInfo } from '../../server/protocol';
import { FAKE_IMAGE, openSessionService } from '../support/sessionService';
import { percentile, report, type BenchRow } from './support/report';

const SESSIONS = 10;
const COMMANDS = 300;
const ROUNDS = 8;

/**
 * What the session service adds to a command, without Docker: `SessionService.exec` (the record
 * read, busy ⇄ ready written with the command's row, the coalesced announcement) against the same
 * persistent shell run bare, both over the fake jail (test/support/fakeJail.ts) in this process.
 * CPU time per command, not wall time, so a busy machine changes it less; the median of rounds
 * after two warm-up rounds. Measured before and after the SessionService split (docs/benchmarks.md).
 */
describe('benchmark: session service overhead per command (no Docker)', function () {
  this.timeout(300_000);

  it('measures CPU per command through SessionService.exec and through a bare persistent shell', async () => {
    const f = await openSessionService({ maxSessionsPerUser: SESSIONS });
    try {
      const sessions: SessionInfo[] = [];
      for (let i = 0; i < SESSIONS; i++) sessions.push(await f.sessions.start('alice', { image: FAKE_IMAGE }));
      const service = await cpuPerCommand((i, n) => f.sessions.exec('alice', sessions[i]!.id, `echo ${n}`, {}));
      const shells = sessions.map(
        (s) =>
          new PersistentShell({
            spawnShell: (env) => f.jail.spawn(s.containerId!, ['sh'], { tty: false, env }),
            kill: async () => undefined,
            maxKeptBytes: 1024 * 1024,
          }),
      );
      const bare = await cpuPerCommand((i, n) => shells[i]!.run(`echo ${n}`, { timeoutMs: 60_000 }));
      for (const shell of shells) shell.close();
      const rows: BenchRow[] = [
        {
          metric: `SessionService.exec, CPU per command (${SESSIONS} sessions at once, median of ${ROUNDS - 2} rounds)`,
          value: service.cpuUs,
          unit: 'µs',
          floor: { name: 'bare persistent shell', value: bare.cpuUs },
        },
        { metric: 'SessionService.exec, commands per second (wall)', value: service.perSecond, unit: 'cmd/s', floor: { name: 'bare persistent shell', value: bare.perSecond } },
      ];
      report('sessionService', rows);
    } finally {
      await f.close();
    }
  });
});

async function cpuPerCommand(run: (session: number, n: number) => Promise<unknown>): Promise<{ cpuUs: number; perSecond: number }> {
  const cpu: number[] = [];
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        for (let n = 0; n < COMMANDS; n++) await run(i, n);
      }),
    );
    const used = process.cpuUsage(before);
    if (round < 2) continue;
    cpu.push((used.user + used.system) / (SESSIONS * COMMANDS));
    rates.push((SESSIONS * COMMANDS) / ((performance.now() - started) / 1000));
  }
  return { cpuUs: percentile(cpu, 50), perSecond: percentile(rates, 50) };
}
