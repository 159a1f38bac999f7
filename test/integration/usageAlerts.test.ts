import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageService } from '../../server/analytics/service';
import { postWebhook, slackMessage } from '../../server/analytics/webhook';
import { appendEntry, type LedgerEntry } from '../../server/ledger/ledger';
import { memoryLogger } from '../../server/log';
import { homePaths } from '../../server/protocol/paths';
import type { UsageAlert } from '../../server/protocol/usage';
import { recordCommand } from '../../server/sessions/instrumentation';
import { Store } from '../../server/store/store';
import { tempHome } from '../support/home';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function call(at: number, costUsd: number, user = 'ann', model = 'gpt-4o'): LedgerEntry {
  return {
    at: new Date(at),
    user,
    sessionId: 's1',
    runId: null,
    task: null,
    persona: null,
    provider: 'openai',
    model,
    usage: { inputTokens: 1000, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    costUsd,
    priceVersion: 'test',
    latencyMs: 10,
    outcome: 'ok',
    estimated: false,
    replay: false,
  };
}

/** A webhook receiver answering each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The usage service over a real sql.js store, with a clock the test moves. */
describe('usage alerts on a real store', function () {
  this.timeout(30_000);
  let home: ReturnType<typeof tempHome>;
  let store: Store;
  let now = Date.parse('2026-12-12T10:30:00Z');
  const announced: { user: string; method: string; params: unknown }[] = [];
  let service: UsageService;

  beforeEach(async () => {
    home = tempHome('alerts');
    const paths = homePaths(home.home);
    store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
    announced.length = 0;
    now = Date.parse('2026-12-12T10:30:00Z');
    service = new UsageService({
      store,
      clock: { now: () => new Date(now) },
      logger: memoryLogger(),
      configFile: paths.config,
      announce: (user, method, params) => announced.push({ user, method, params }),
    });
  });
  afterEach(async () => {
    await service.close();
    await store.close();
    home.cleanup();
  });

  const config = (value: unknown): void => fs.writeFileSync(homePaths(home.home).config, JSON.stringify(value));
  const open = (kind: string, all = false): Promise<UsageAlert[]> =>
    service.alerts({ user: 'ann', owner: true }, all ? { includeAcked: true } : {}).then((r) => r.alerts.filter((a) => a.kind === kind));

  it('stores a spike once, announces it, and never raises it again once acknowledged', async () => {
    await store.write((w) => {
      for (let h = 8 * 24; h >= 1; h--) appendEntry(w, call(now - h * HOUR, h === 2 ? 40 : 1));
    });
    const [spike] = await open('spend-spike');
    assert.ok(spike, 'the planted spike is flagged');
    assert.equal(spike.evidence.spentUsd, 40);
    assert.deepEqual(
      announced.map((a) => a.method),
      ['usage/alert', 'usage/changed'],
    );
    const seq = store.status().lastSeq;
    assert.equal((await service.evaluate()).length, 0, 'a second evaluation adds nothing');
    assert.equal(store.status().lastSeq, seq, 'and writes nothing: the forecast of the day is kept, the alert known');
    await service.alerts({ user: 'ann', owner: false }, { ack: spike.id });
    now += 30 * 60_000;
    assert.equal((await service.evaluate()).length, 0);
    assert.deepEqual(await open('spend-spike'), []);
    assert.equal((await open('spend-spike', true))[0]?.ackedBy, 'ann');
    // Another user may not acknowledge ann's alerts, nor learn they exist.
    await assert.rejects(service.alerts({ user: 'bob', owner: false }, { ack: spike.id }), /there is no alert/);
  });

  it('fires the monthly budget alert while the budget is not yet spent', async () => {
    config({ budgets: { monthUsd: 200 } });
    await store.write((w) => {
      for (let d = 28; d >= 1; d--) for (let h = 0; h < 10; h++) appendEntry(w, call(Date.parse('2026-12-12T00:00:00Z') - d * DAY + h * HOUR, 1));
    });
    const [budget] = await open('budget-course');
    assert.ok(budget);
    assert.equal(budget.evidence.spentUsd, 110, 'eleven days of $10: well under the $200');
    assert.ok(Number(budget.evidence.projectedUsd) > 200);
    const forecast = service.forecast({ user: 'ann', owner: false }, false);
    assert.equal(forecast.budgets.monthUsd, 200);
    assert.equal(forecast.days.filter((d) => !d.forecast).length, 12);
  });

  it('flags an hour of failing commands and a model switch from the instrumentation and the ledger', async () => {
    await store.write((w) => {
      for (let h = 8 * 24; h >= 25; h--) appendEntry(w, call(now - h * HOUR, 0.1));
      for (let h = 12; h >= 1; h--) appendEntry(w, call(now - h * HOUR, 0.5, 'ann', 'o1-pro'));
      for (let k = 0; k < 8; k++)
        recordCommand(w, {
          sessionId: 's9',
          user: 'ann',
          command: 'npm test',
          startedAt: new Date(now - HOUR + k * 1000).toISOString(),
          durationMs: 5,
          exitCode: 1,
          timedOut: false,
          bytesOut: 0,
        });
    });
    const [failing] = await open('failing-commands');
    assert.deepEqual(failing?.evidence.sessions, ['s9']);
    const [switched] = await open('model-switch');
    assert.equal(switched?.evidence.to, 'openai/o1-pro');
  });

  it('posts to a Slack-compatible webhook, retrying 5xx with backoff, not 4xx', async () => {
    const hook = await receiver([500, 502]);
    const alert: UsageAlert = {
      id: 7,
      kind: 'spend-spike',
      user: 'ann',
      at: new Date(now).toISOString(),
      severity: 'critical',
      message: 'ann spent $40.00',
      evidence: { spentUsd: 40 },
      ackedAt: null,
      ackedBy: null,
    };
    const waits: number[] = [];
    const wait = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    try {
      const ok = await postWebhook({ url: hook.url, retries: 3, backoffMs: 100, timeoutMs: 5000 }, slackMessage(alert), wait);
      assert.deepEqual(ok, { delivered: true, attempts: 3 });
      assert.deepEqual(waits, [100, 200]);
      assert.deepEqual(hook.bodies[2], slackMessage(alert));
      assert.match(slackMessage(alert).text, /^Corral critical: ann spent \$40\.00$/);
    } finally {
      await hook.close();
    }
    const refusing = await receiver([404, 404]);
    try {
      assert.deepEqual(await postWebhook({ url: refusing.url, retries: 3, backoffMs: 1, timeoutMs: 5000 }, slackMessage(alert), wait), {
        delivered: false,
        attempts: 1,
        error: 'HTTP 404',
      });
    } finally {
      await refusing.close();
    }
  });

  it('keeps an alert for the next evaluation when the webhook is down, and delivers it once', async () => {
    const hook = await receiver([503, 503]);
    config({ usage: { webhook: { url: hook.url, retries: 1, backoffMs: 1 } } });
    try {
      await store.write((w) => {
        for (let h = 8 * 24; h >= 1; h--) appendEntry(w, call(now - h * HOUR, h === 1 ? 30 : 1));
      });
      await service.evaluate();
      assert.equal(hook.bodies.length, 2, 'two attempts, both refused');
      now += 60_000;
      await service.evaluate();
      assert.equal(hook.bodies.length, 3, 'delivered at the next evaluation');
      now += 60_000;
      await service.evaluate();
      assert.equal(hook.bodies.length, 3, 'and only once');
    } finally {
      await hook.close();
    }
  });
});
