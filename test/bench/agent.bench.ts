import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ledger, type LedgerEntry } from '../../server/ledger/ledger';
import { queryUsage } from '../../server/ledger/usage';
import { memoryLogger } from '../../server/log';
import { AgentRun, ShellExec, UsageQuery } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { Store } from '../../server/store/store';
import { connect, startDaemon } from '../support/daemon';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, startSession, TINY } from '../support/jail';
import { percentile, report, timeCalls } from './support/report';

const INGEST = 50_000;
const OUTSTANDING = 2_000;
const SYNTHETIC = 1_000_000;
const STEPS = 60;

function openStore(home: string): Promise<Store> {
  const paths = homePaths(home);
  return Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger: memoryLogger() });
}

function entry(i: number): LedgerEntry {
  return {
    at: new Date(Date.UTC(2026, 10, 1) + i * 1000),
    user: `user${i % 5}`,
    sessionId: `s${Math.floor(i / 50)}`,
    runId: `r${Math.floor(i / 50)}`,
    task: null,
    persona: null,
    provider: 'openai',
    model: i % 3 === 0 ? 'gpt-4o' : 'gpt-4.1-mini',
    usage: { inputTokens: 1500 + (i % 700), outputTokens: 40 + (i % 90), cacheReadTokens: 1024, cacheWriteTokens: 0, reasoningTokens: 0 },
    costUsd: 0.001,
    priceVersion: 'bench',
    latencyMs: 800,
    outcome: 'ok',
    estimated: false,
    replay: false,
  };
}

async function concurrently(count: number, write: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  let inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    inFlight.push(write(i));
    if (inFlight.length >= OUTSTANDING) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return (count / (performance.now() - start)) * 1000;
}

/**
 * 1,000,000 ledger rows as a long-used install would have them: 20,000 agent sessions of 50 calls,
 * each session one user, one model, one task, one persona, within a day or two, over 90 days.
 * Generated inside SQLite (one journaled statement), the daily roll-up computed from them.
 */
const SEED = [
  `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${SYNTHETIC - 1})
   INSERT INTO llm_calls (at, user, session_id, run_id, task, persona, provider, model, input_tokens, output_tokens,
     cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, price_version, latency_ms, outcome, estimated, replay)
   SELECT strftime('%Y-%m-%dT%H:%M:%fZ', '2026-08-26', '+' || (i * 7.776) || ' seconds'),
     'user' || ((i / 50) % 7), 's' || (i / 50), 'r' || (i / 50), 'T-' || ((i / 50) % 300), 'p' || ((i / 50) % 4),
     CASE WHEN (i / 50) % 3 = 0 THEN 'anthropic' ELSE 'openai' END,
     'model-' || ((i / 50) % 12), 1000 + (i % 5000), 20 + (i % 400), (i % 5000) / 2, 0, 0,
     CASE WHEN (i / 50) % 12 = 11 THEN NULL ELSE 0.0005 + (i % 100) / 100000.0 END, 'bench', 900, 'ok', (i % 997 = 0), 0
   FROM n`,
  `INSERT INTO usage_daily SELECT substr(at, 1, 10), user, provider, model, COALESCE(session_id, ''), COALESCE(task, ''), COALESCE(persona, ''), replay,
     COUNT(*), SUM(estimated), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
     COALESCE(SUM(cost_usd), 0), SUM(cost_usd IS NULL)
   FROM llm_calls GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
];

describe('benchmark: token ledger, usage reports, agent loop', function () {
  this.timeout(900_000);

  it('measures durable ledger rows per second against plain durable writes', async () => {
    const home = tempHome('ledger');
    const store = await openStore(home.home);
    try {
      const floor = await concurrently(INGEST, (i) =>
        store.write((w) => w.run(`INSERT INTO kv (owner, key, value, version, updated_at) VALUES ('b', ?, '{}', 1, 'now')`, [`k${i}`])),
      );
      const ledger = new Ledger(store);
      const rows = await concurrently(INGEST, (i) => ledger.append(entry(i)));
      assert.equal(store.read((r) => r.get<{ n: number }>('SELECT COUNT(*) AS n FROM llm_calls'))!.n, INGEST);
      report('ledger', [
        {
          metric: `ledger rows, durable (${INGEST.toLocaleString('en-US')} appends, ${OUTSTANDING} in flight)`,
          value: rows,
          unit: 'rows/s',
          floor: { name: 'one-row durable writes', value: floor },
        },
      ]);
    } finally {
      await store.close();
      home.cleanup();
    }
  });

  it('measures usage reports over 1,000,000 ledger rows, through the daemon', async () => {
    const home = tempHome('usage');
    let store = await openStore(home.home);
    try {
      const seedStart = performance.now();
      await store.write((w) => SEED.forEach((sql) => w.run(sql)));
      const seedMs = performance.now() - seedStart;
      // Floor: the same report scanning every raw row (what the daily roll-up saves).
      const scan = await timeCalls(3, async () =>
        store.read((r) =>
          r.all("SELECT substr(at, 1, 10) AS key, COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd) FROM llm_calls WHERE at >= '2026-08-01' GROUP BY 1"),
        ),
      );
      // The roll-up and the raw rows agree.
      const since = new Date('2026-08-01T00:00:00Z');
      const viaRollup = store.read((r) => queryUsage(r, { user: null, since, by: 'model' }));
      const raw = store.read((r) => r.get<{ calls: number; input: number }>('SELECT COUNT(*) AS calls, SUM(input_tokens) AS input FROM llm_calls'))!;
      assert.equal(viaRollup.total.calls, SYNTHETIC);
      assert.equal(viaRollup.total.inputTokens, raw.input);
      await store.close();

      const daemon = await startDaemon(home.home);
      const client = await connect(home.home);
      try {
        const byDay = await timeCalls(20, () => client.rpc.sendRequest(UsageQuery, { since: '2026-08-01', by: 'day', allUsers: true }));
        const byModel = await timeCalls(20, () => client.rpc.sendRequest(UsageQuery, { since: '2026-08-01', by: 'model', allUsers: true }));
        const partial = await timeCalls(20, () => client.rpc.sendRequest(UsageQuery, { since: '2026-11-20T12:00:00Z', by: 'session', allUsers: true }));
        const floor = { name: 'GROUP BY day over the raw rows', value: percentile(scan, 50) };
        const target = (p50: number): { text: string; met: boolean } => ({ text: '≤ 100 ms', met: p50 <= 100 });
        report('usage', [
          {
            metric: `usage by day, ${SYNTHETIC.toLocaleString('en-US')} rows, via RPC (p50)`,
            value: percentile(byDay, 50),
            unit: 'ms',
            floor,
            target: target(percentile(byDay, 50)),
          },
          { metric: 'usage by model, same rows, via RPC (p50)', value: percentile(byModel, 50), unit: 'ms', floor, target: target(percentile(byModel, 50)) },
          { metric: 'usage by session since a mid-day time (raw part + roll-up, p50)', value: percentile(partial, 50), unit: 'ms', floor },
          { metric: 'seeding 1,000,000 rows and the roll-up (one transaction)', value: seedMs, unit: 'ms' },
        ]);
      } finally {
        client.dispose();
        await daemon.terminate();
      }
    } finally {
      home.cleanup();
      store = undefined as unknown as Store;
    }
  });

  it('measures the agent loop overhead per step, model time excluded (replayed turns), against a bare command', async () => {
    const home = tempHome('loop');
    const transcript = path.join(home.home, 'steps.jsonl');
    const turn = (i: number): string =>
      JSON.stringify({
        turn: {
          text: '',
          toolCalls: [{ id: `c${i}`, name: i === STEPS ? 'finish' : 'shell', arguments: JSON.stringify(i === STEPS ? { summary: 'done' } : { command: 'true' }) }],
          stopReason: 'tool_use',
          usage: { inputTokens: 1000 + i * 50, outputTokens: 20, cacheReadTokens: 900 + i * 50, cacheWriteTokens: 0, reasoningTokens: 0 },
          model: 'bench',
        },
        latencyMs: 0,
      });
    fs.writeFileSync(
      transcript,
      [
        JSON.stringify({ corralTranscript: 1, provider: 'bench', model: 'bench', recordedAt: new Date().toISOString(), goal: 'bench' }),
        ...Array.from({ length: STEPS }, (_, i) => turn(i + 1)),
      ].join('\n') + '\n',
    );
    const daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache });
    const client = await connect(home.home);
    try {
      await ensureImage(client, 'tiny');
      const session = await startSession(client, TINY);
      const floor = await timeCalls(STEPS, () => client.rpc.sendRequest(ShellExec, { session, command: 'true' }));
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        const summary = await client.rpc.sendRequest(AgentRun, { prompt: 'bench', session, provider: 'replay', transcript, maxSteps: STEPS });
        runs.push((performance.now() - start) / summary.steps);
        assert.equal(summary.steps, STEPS);
      }
      const perStep = percentile(runs, 50);
      const overhead = perStep - percentile(floor, 50);
      report('agent-loop', [
        {
          metric: `agent step, replayed model, tool \`shell true\` (${STEPS} steps, median of 3 runs)`,
          value: perStep,
          unit: 'ms',
          floor: { name: 'shell/exec `true` via RPC (p50)', value: percentile(floor, 50) },
        },
        { metric: 'loop overhead per step (step − bare command)', value: overhead, unit: 'ms', target: { text: '≤ 20 ms', met: overhead <= 20 } },
      ]);
    } finally {
      client.dispose();
      await daemon.terminate();
      home.cleanup();
    }
  });
});
