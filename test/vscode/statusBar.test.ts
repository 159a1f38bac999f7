import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AgentRun, SessionRemove, UsageAlerts, UsageQuery, type UsageAlert } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import type { CorralApi } from '../../extension/main';
import { PROVIDER, startFakeProvider, writeThenFinish, type FakeProvider } from './fakeProvider';
import { bounded, corral, outsideClient, waitFor, workspaceFolder } from './support';

const IMAGE = process.env.CORRAL_VSCODE_IMAGE ?? 'corral/tiny:latest';

describe('Status bar: spend today against the daily budget', () => {
  let api: CorralApi;
  let outside: DaemonConnection;
  let fake: FakeProvider;
  let session: string | undefined;
  const shown: UsageAlert[] = [];
  let watch: vscode.Disposable | undefined;
  const item = (): vscode.StatusBarItem => api.agent.usage.item;
  // A ThemeColor keeps its id (the typings do not declare it).
  const background = (): string | undefined => {
    const color: unknown = item().backgroundColor;
    return typeof color === 'object' && color !== null && 'id' in color ? String(color.id) : undefined;
  };

  before(async () => {
    api = await corral();
    outside = await outsideClient();
    fake = await startFakeProvider();
    // Every alert the extension puts up, from the start: the daemon's own periodic evaluation may raise one first.
    watch = api.agent.alerts.onDidShow((alert) => shown.push(alert));
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'the extension to connect');
  });

  after(async () => {
    if (session) await bounded(outside.rpc.sendRequest(SessionRemove, { session, purge: true }), 'cleanup session/remove', 30_000).catch(() => undefined);
    watch?.dispose();
    outside?.dispose();
    await fake?.close();
  });

  it("follows a run's spend live (usage/changed), with the breakdown by model in the tooltip", async () => {
    const before = (await outside.rpc.sendRequest(UsageQuery, { since: new Date(new Date().setHours(0, 0, 0, 0)).toISOString(), by: 'model' })).total.costUsd;
    fake.llm.play(writeThenFinish('SPEND.txt', 'spent\n'));
    const summary = await bounded(outside.rpc.sendRequest(AgentRun, { prompt: 'Spend a little', repo: workspaceFolder(), image: IMAGE, provider: PROVIDER }), 'agent/run', 90_000);
    session = summary.sessionId;
    const expected = before + (summary.costUsd ?? 0);
    const shown = `$(pulse) $${expected.toFixed(2)}`;
    await waitFor(
      api.agent.usage.onDidChange,
      () => item().text === shown,
      `the item to show ${shown}`,
      20_000,
      () => item().text,
    );
    const tooltip = item().tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.match(tooltip.value, /no daily budget set/);
    assert.match(tooltip.value, /\| fake\/fake-coder \| \d+ \| [\d,]+ \/ [\d,]+ \| \$\d+\.\d\d \|/);
    assert.equal(item().command, 'corral.openUsage');
    assert.equal(background(), undefined);
  });

  it('shows the share of the daily budget, with the warning background from 80 % and the error one from 100 %', async () => {
    const spent = api.agent.usage.usage?.costUsd;
    assert.ok(spent !== undefined && spent > 0, 'the first test spent something');
    fake.setDayBudget(spent / 0.9);
    await api.agent.usage.refresh();
    assert.match(item().text, / · 90 %$/);
    assert.equal(background(), 'statusBarItem.warningBackground');
    fake.setDayBudget(spent / 1.5);
    await api.agent.usage.refresh();
    assert.match(item().text, / · 150 %$/);
    assert.equal(background(), 'statusBarItem.errorBackground');
    fake.setDayBudget(spent * 4);
    await api.agent.usage.refresh();
    assert.match(item().text, / · 25 %$/);
    assert.equal(background(), undefined);
  });

  it('shows a usage alert as a notification, and its Acknowledge makes the daemon raise it no more (usage/alerts ack)', async () => {
    const spent = api.agent.usage.usage?.costUsd;
    assert.ok(spent !== undefined && spent > 0, 'the first test spent something');
    // Budgets just above today's spend: the budget-course detector sees the day (and the month) going over.
    // (It projects to midnight UTC and to the month's end, so it could stay silent in the last minutes of a month.)
    fake.setDayBudget(spent * 1.05, spent * 1.01);
    // usage/alerts evaluates the detectors now; what is new is sent to every connection of the user (usage/alert).
    const { alerts } = await bounded(outside.rpc.sendRequest(UsageAlerts, {}), 'usage/alerts');
    const raised = alerts.find((alert) => alert.kind === 'budget-course');
    assert.ok(raised, `a budget-course alert: ${JSON.stringify(alerts)}`);
    const alert = await waitFor(
      api.agent.alerts.onDidShow,
      () => shown.find((a) => a.id === raised.id),
      'the alert as a notification',
      20_000,
      () => JSON.stringify(shown),
    );
    assert.match(alert.message, /budget/);
    await bounded(api.agent.alerts.acknowledge(alert), 'acknowledge');
    const after = await bounded(outside.rpc.sendRequest(UsageAlerts, { includeAcked: true }), 'usage/alerts');
    assert.ok(after.alerts.find((a) => a.id === alert.id)?.ackedAt, 'the daemon has it acknowledged');
    assert.equal(
      (await outside.rpc.sendRequest(UsageAlerts, {})).alerts.some((a) => a.id === alert.id),
      false,
      'no longer open',
    );
  });
});
