import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageImport, type ImportRow } from '../../server/protocol';
import { startHarness, type Harness, type HarnessClient } from '../support/harness';
import { until } from '../support/until';

const PRICE = { inputPerMTok: 3, outputPerMTok: 15 };
const EVERY_S = 60;
const BACKOFF_MS = 30_000;

/** $3 of calls an hour ago (the harness's clock starts at 10:00). */
const SPEND: ImportRow[] = [
  {
    externalId: 'a',
    at: '2026-11-16T09:10:00.000Z',
    provider: 'acme',
    model: 'acme-1',
    session: 's-1',
    inputTokens: 500_000,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  },
  {
    externalId: 'b',
    at: '2026-11-16T09:40:00.000Z',
    provider: 'acme',
    model: 'acme-1',
    session: 's-1',
    inputTokens: 500_000,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  },
];

/** A webhook answering each POST with the next of `statuses` (then 200), telling the test of each. */
async function webhook(statuses: number[]): Promise<{ url: string; posts: number; close(): Promise<void> }> {
  const hook = { url: '', posts: 0, close: (): Promise<void> => new Promise((resolve) => server.close(() => resolve())) };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hook.posts++;
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return hook;
}

/**
 * The usage service's timers on the scheduler port: with the harness's fake clock, the alert
 * evaluation runs when the clock passes `usage.alerts.everyS` and not before, and a webhook
 * retry waits for the clock to pass its backoff — no real minute or half-minute goes by.
 */
describe('service: usage timers on the fake clock (in-process harness)', function () {
  // Above `until`'s deadline, so a broken timer fails with what was awaited.
  this.timeout(20_000);
  let h: Harness;
  let owner: HarnessClient;
  let hook: Awaited<ReturnType<typeof webhook>>;
  const alerts = (): { id: number; delivered_at: string | null }[] =>
    h.store.read((r) => r.all<{ id: number; delivered_at: string | null }>('SELECT id, delivered_at FROM usage_alerts'));

  before(async () => {
    hook = await webhook([503]);
    h = await startHarness({
      config: { prices: { 'acme-1': PRICE }, budgets: { dayUsd: 5 }, usage: { alerts: { everyS: EVERY_S }, webhook: { url: hook.url, retries: 2, backoffMs: BACKOFF_MS } } },
    });
    owner = await h.connect();
  });
  after(async () => {
    await h?.close();
    await hook?.close();
  });

  it('evaluates when the clock passes everyS, and retries the webhook after the backoff on the clock', async () => {
    await owner.rpc.sendRequest(UsageImport, { source: 'claude-code', rows: SPEND });
    // The evaluation at start-up found nothing and set the next one on the clock (other services,
    // the sessions' background pass, keep timers of their own there).
    await until(() => h.clock.dueIn().includes(EVERY_S * 1000), { what: 'the next evaluation to be set' });
    h.clock.advance(EVERY_S * 1000 - 1);
    assert.deepEqual(alerts(), [], 'no evaluation before everyS');

    h.clock.advance(1);
    const raised = (await owner.next('usage/alert')) as { kind: string };
    assert.equal(raised.kind, 'budget-course');
    await until(() => hook.posts === 1, { what: 'the first webhook POST' });
    // The 503 is retried after BACKOFF_MS on the clock: nothing more is sent while it stands still.
    // The evaluation's timer ran (and left the clock's list); the next is set once this one ends.
    await until(() => h.clock.dueIn().includes(BACKOFF_MS), { what: 'the retry to wait on the clock' });
    assert.equal(hook.posts, 1);
    assert.equal(alerts()[0]?.delivered_at, null);

    h.clock.advance(BACKOFF_MS);
    await until(() => alerts()[0]?.delivered_at, { what: 'the alert marked delivered' });
    assert.equal(hook.posts, 2);
  });
});
