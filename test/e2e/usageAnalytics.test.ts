import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DaemonConnection } from '../../server/protocol/client';
import { UsageAlertRaised, UsageAlerts, UsageChanged, UsageForecastResult, UsageMonthReport, type UsageAlert } from '../../server/protocol/usage';
import { UsageImportDocument } from '../../cli/documents';
import { runCli } from '../support/cli';
import { connect } from '../support/daemon';
import { repoRoot, tempHome } from '../support/home';
import { parseAs, resultOf } from '../support/cliJson';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'usage');
const HOUR = 3_600_000;

// `usage import` prints the CLI's own sums; the others print the daemon's answer as it is.
const importShape = UsageImportDocument;
const alertsShape = resultOf(UsageAlerts);
const forecastShape = UsageForecastResult;
const reportShape = UsageMonthReport;

/** A Codex CLI session log in its real shape: one call per hour at $1, then one at $`spikeUsd` an hour before now. */
function spikyCodexLog(dir: string, now: number, spikeUsd: number): void {
  const lines: unknown[] = [{ timestamp: new Date(now - 8 * 24 * HOUR).toISOString(), type: 'turn_context', payload: { model: 'spiky-model' } }];
  let total = 0;
  for (let h = 8 * 24; h >= 1; h--) {
    const input = (h === 1 ? spikeUsd : 1) * 1000;
    total += input;
    const usage = (n: number): Record<string, number> => ({ input_tokens: n, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: n });
    lines.push({
      timestamp: new Date(now - h * HOUR).toISOString(),
      type: 'event_msg',
      payload: { type: 'token_count', info: { last_token_usage: usage(input), total_token_usage: usage(total) } },
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'rollout-spiky.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

describe('corral usage analytics, import and export', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let hook: http.Server;
  const received: { status: number; body: unknown }[] = [];
  let client: DaemonConnection | undefined;
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-usage-logs-'));

  before(async () => {
    home = tempHome('usage');
    env = { CORRAL_HOME: home.home, NO_COLOR: '1' };
    // A Slack-like webhook that fails once, then accepts.
    hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = received.length === 0 ? 503 : 200;
        received.push({ status, body: JSON.parse(Buffer.concat(chunks).toString()) as unknown });
        res.writeHead(status).end(status === 200 ? 'ok' : 'busy');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const config = {
      prices: { 'openai/spiky-model': { inputPerMTok: 1000, outputPerMTok: 0 } },
      usage: { webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, retries: 3, backoffMs: 20 } },
    };
    fs.writeFileSync(path.join(home.home, 'config.json'), JSON.stringify(config));
  });
  after(async () => {
    client?.dispose();
    await runCli(['daemon', 'stop'], env);
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    fs.rmSync(logs, { recursive: true, force: true });
    home.cleanup();
  });

  it('imports Claude Code logs once: streamed lines of one message and a second import add nothing', async () => {
    const first = await runCli(['--json', 'usage', 'import', '--from', 'claude-code', path.join(fixtures, 'claude', 'projects')], env);
    assert.equal(first.code, 0, first.stderr);
    const one = parseAs(importShape, first.stdout, 'usage import --json');
    assert.deepEqual({ files: one.files, rows: one.rows, added: one.added, duplicates: one.duplicates }, { files: 2, rows: 5, added: 4, duplicates: 1 });
    assert.ok(one.costUsd > 0, 'Claude models are priced from the table');
    const again = parseAs(importShape, (await runCli(['--json', 'usage', 'import', '--from', 'claude-code', path.join(fixtures, 'claude')], env)).stdout, 'usage import --json');
    assert.deepEqual({ added: again.added, duplicates: again.duplicates, costUsd: again.costUsd }, { added: 0, duplicates: 5, costUsd: 0 });
  });

  it('imports Codex CLI sessions once: last_token_usage, running totals, repeated events skipped', async () => {
    const first = parseAs(
      importShape,
      (await runCli(['--json', 'usage', 'import', '--from', 'codex', path.join(fixtures, 'codex', 'sessions')], env)).stdout,
      'usage import --json',
    );
    assert.deepEqual({ files: first.files, rows: first.rows, added: first.added }, { files: 1, rows: 3, added: 3 });
    const again = parseAs(importShape, (await runCli(['--json', 'usage', 'import', '--from', 'codex', path.join(fixtures, 'codex')], env)).stdout, 'usage import --json');
    assert.equal(again.added, 0);
    const missing = await runCli(['usage', 'import', '--from', 'codex', path.join(logs, 'nothing-here')], env);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /no \.jsonl logs/);
    assert.equal((await runCli(['usage', 'import', '--from', 'cursor', logs], env)).code, 2);
  });

  it('exports every row with its source, as JSON lines and CSV', async () => {
    const jsonl = await runCli(['usage', 'export', '--format', 'jsonl'], env);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const rows = jsonl.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            source: string;
            model: string;
            inputTokens: number;
            outputTokens: number;
            cacheReadTokens: number;
            cacheWriteTokens: number;
            reasoningTokens: number;
            sessionId: string;
          },
      );
    assert.equal(rows.length, 7);
    const claude = rows.filter((r) => r.source === 'claude-code');
    const codex = rows.filter((r) => r.source === 'codex');
    const sum = (list: typeof rows, k: 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'reasoningTokens'): number => list.reduce((s, r) => s + r[k], 0);
    // Anthropic's input_tokens leave out cache reads and writes; Corral's input counts them.
    assert.deepEqual([sum(claude, 'inputTokens'), sum(claude, 'cacheReadTokens'), sum(claude, 'cacheWriteTokens'), sum(claude, 'outputTokens')], [57_827, 24_913, 32_891, 3_658]);
    assert.deepEqual([sum(codex, 'inputTokens'), sum(codex, 'cacheReadTokens'), sum(codex, 'outputTokens'), sum(codex, 'reasoningTokens')], [30_120, 16_128, 1_352, 700]);
    assert.deepEqual(
      codex.map((r) => r.model),
      ['gpt-5-codex', 'gpt-5-codex', 'gpt-5'],
    );
    assert.equal(claude[0]!.sessionId, 'claude-code:8f0c2a61-5b7e-4d8a-9d1e-2f6b7c1a9e30');
    const csv = (await runCli(['usage', 'export'], env)).stdout.trim().split('\n');
    assert.equal(csv.length, 8);
    assert.match(csv[0]!, /^id,at,user,source,provider,model,/);
    assert.equal((await runCli(['usage', 'export', '--format', 'xml'], env)).code, 2);
  });

  it('writes the monthly review as JSON, markdown and CSV', async () => {
    const json = await runCli(['usage', 'report', '--month', '2026-11', '--format', 'json'], env);
    assert.equal(json.code, 0, json.stderr);
    const report = parseAs(reportShape, json.stdout, 'usage report --format json');
    assert.equal(report.total.calls, 7);
    assert.equal(report.total.inputTokens, 57_827 + 30_120);
    assert.equal(report.tokens.cached, 24_913 + 16_128);
    assert.equal(report.tokens.input, 57_827 + 30_120 - 24_913 - 16_128 - 32_891);
    assert.deepEqual(report.bySource.map((s) => s.key).sort(), ['claude-code', 'codex']);
    assert.equal(report.topSessions.length, 3);
    assert.equal(report.forecastVsActual, null);
    const md = (await runCli(['usage', 'report', '--month', '2026-11'], env)).stdout;
    assert.match(md, /^# Usage review 2026-11$/m);
    assert.match(md, /^## Tokens by kind$/m);
    assert.match(md, /\| anthropic\/claude-opus-4-1-20250805 \| 1 \|/);
    const csv = (await runCli(['usage', 'report', '--month', '2026-11', '--format', 'csv'], env)).stdout.split('\n');
    assert.equal(csv[0], 'month,section,key,calls,input_tokens,cache_read_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd,unpriced_calls');
    assert.match(csv[1]!, /^2026-11,total,,7,87947,/);
    assert.equal((await runCli(['usage', 'report', '--month', '2026-13'], env)).code, 2);
  });

  it('raises a planted spend spike once: stored with evidence, pushed to clients and the webhook, gone once acknowledged', async () => {
    const now = Date.now();
    spikyCodexLog(path.join(logs, 'spiky'), now, 30);
    client = await connect(home.home, 'cli');
    const changed = new Promise<{ reason: string }>((resolve) => client!.rpc.onNotification(UsageChanged, resolve));
    assert.equal((await runCli(['usage', 'import', '--from', 'codex', path.join(logs, 'spiky')], env)).code, 0);
    assert.deepEqual(await changed, { reason: 'import' });
    const pushed = new Promise<UsageAlert>((resolve) => client!.rpc.onNotification(UsageAlertRaised, resolve));
    const listed = await runCli(['--json', 'usage', 'alerts'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const { alerts } = parseAs(alertsShape, listed.stdout, 'usage alerts --json');
    const spikes = alerts.filter((a) => a.kind === 'spend-spike');
    assert.equal(spikes.length, 1, JSON.stringify(alerts));
    const spike = spikes[0]!;
    assert.equal(spike.evidence.spentUsd, 30);
    assert.equal(spike.evidence.baselineMedianUsd, 1);
    assert.equal((await pushed).id, spike.id);
    // Delivered to the webhook: the first attempt got a 503, the retry went through.
    assert.deepEqual(
      received.map((r) => r.status),
      [503, 200],
    );
    const body = received[1]!.body as { text: string; blocks: { type: string }[] };
    assert.match(body.text, /spent \$30\.00 in the hour/);
    assert.deepEqual(
      body.blocks.map((b) => b.type),
      ['section', 'context'],
    );

    const text = await runCli(['usage', 'alerts'], env);
    assert.match(text.stdout, new RegExp(`^${spike.id}\\s+.*spend-spike`, 'm'));
    const acked = parseAs(alertsShape, (await runCli(['--json', 'usage', 'alerts', '--ack', String(spike.id)], env)).stdout, 'usage alerts --ack --json');
    assert.equal(acked.acked?.id, spike.id);
    assert.ok(acked.acked?.ackedAt);
    const after = parseAs(alertsShape, (await runCli(['--json', 'usage', 'alerts'], env)).stdout, 'usage alerts --json');
    assert.deepEqual(
      after.alerts.filter((a) => a.kind === 'spend-spike'),
      [],
    );
    const all = parseAs(alertsShape, (await runCli(['--json', 'usage', 'alerts', '--acked'], env)).stdout, 'usage alerts --acked --json');
    assert.equal(all.alerts.filter((a) => a.kind === 'spend-spike').length, 1);
    assert.equal(received.length, 2, 'an alert goes to the webhook once');
    const bad = await runCli(['usage', 'alerts', '--ack', '99999'], env);
    assert.equal(bad.code, 4);
    assert.match(bad.stderr, /no alert 99999/);
  });

  it('forecasts the month in its documented shape', async () => {
    const result = await runCli(['--json', 'usage', 'forecast'], env);
    assert.equal(result.code, 0, result.stderr);
    const f = parseAs(forecastShape, result.stdout, 'usage forecast --json');
    assert.equal(f.month, new Date().toISOString().slice(0, 7));
    assert.ok(f.lowUsd <= f.projectedUsd && f.projectedUsd <= f.highUsd);
    assert.ok(f.burn.usdPerHour >= 0);
    const text = await runCli(['usage', 'forecast'], env);
    assert.match(text.stdout, /^forecast: \$[\d,.]+ \(90% interval /m);
  });
});
