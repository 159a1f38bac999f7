import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorReport } from '../../extension/health';
import type { CorralApi } from '../../extension/main';
import { bounded, corral, EXTENSION_ID, waitFor } from './support';

interface WalkthroughStep {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}

describe('health: Corral: Doctor, the walkthrough, no Docker engine', () => {
  let api: CorralApi;

  before(async () => {
    api = await corral();
    await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection, 'a connection');
  });

  afterEach(() => vscode.commands.executeCommand('workbench.action.closeQuickOpen'));

  it('"Corral: Doctor" reports the daemon, its store, the Docker engine and the image as they are', async () => {
    const report = await bounded(Promise.resolve(vscode.commands.executeCommand<DoctorReport>('corral.doctor')), 'corral.doctor');
    const status = Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
    assert.equal(status.daemon, 'ok', JSON.stringify(report.checks));
    assert.equal(status.store, 'ok');
    assert.equal(status.docker, 'ok');
    assert.ok(status.image === 'ok' || status.image === 'warn', `the image check is there: ${JSON.stringify(report.checks)}`);
    assert.equal(report.ok, true);
    assert.equal(api.health.engineUnavailable, false);
  });

  it('the walkthrough has at most five steps, each linking commands the extension registers and a page it ships', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const walkthroughs = (extension.packageJSON as { contributes: { walkthroughs: { id: string; steps: WalkthroughStep[] }[] } }).contributes.walkthroughs;
    const start = walkthroughs.find((walkthrough) => walkthrough.id === 'corral.start');
    assert.ok(start, 'the corral.start walkthrough is contributed');
    assert.ok(start.steps.length >= 1 && start.steps.length <= 5, `${start.steps.length} steps`);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of start.steps) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((match) => match[1]!);
      const completing = (step.completionEvents ?? []).map((event) => event.replace(/^onCommand:/, ''));
      assert.ok(linked.length > 0, `step ${step.id} links a command`);
      for (const command of [...linked, ...completing]) assert.ok(registered.has(command), `step ${step.id}: ${command} is registered`);
      assert.ok(step.media.markdown, `step ${step.id} has a page`);
      const page = path.join(extension.extensionPath, step.media.markdown);
      assert.ok(fs.readFileSync(page, 'utf8').startsWith('# '), `step ${step.id}: ${page} ships with the extension`);
    }
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#corral.start`, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('with no Docker engine: the doctor names the engine with its fix and the views switch to their welcome message', async () => {
    // A daemon of its own home whose DOCKER_HOST leads nowhere: the extension starts it (it starts
    // the bundled daemon with its own environment) when `corral.home` points there.
    const home = fs.mkdtempSync('/tmp/cr-noeng-');
    const config = vscode.workspace.getConfiguration('corral');
    const first = api.ctx.connection;
    const dockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${home}/no-engine.sock`;
    try {
      await config.update('home', home, vscode.ConfigurationTarget.Global);
      await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection !== undefined && api.ctx.connection !== first, 'a connection to the daemon without an engine', 40_000);
      const report = await bounded(api.health.report(), 'the doctor report');
      const engine = report.checks.find((check) => check.id === 'docker');
      assert.equal(engine?.status, 'fail', JSON.stringify(report.checks));
      assert.match(engine.detail, /no-engine\.sock|ENOENT|connect/i);
      assert.ok(engine.hint && engine.hint.length > 10, 'the engine check says what to do');
      assert.equal(report.ok, false);
      assert.equal(api.health.engineUnavailable, true, 'the views show the no-engine welcome message');
    } finally {
      if (dockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = dockerHost;
      const noEngine = api.ctx.connection;
      await config.update('home', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(api.ctx.onDidChangeState, () => api.ctx.connection !== undefined && api.ctx.connection !== noEngine, "the connection back to the test run's daemon", 40_000);
      stopDaemonOf(home);
    }
    const back = await bounded(api.health.report(), 'the doctor report after');
    assert.equal(back.checks.find((check) => check.id === 'docker')?.status, 'ok');
    assert.equal(api.health.engineUnavailable, false);
  });
});

/** Kills the daemon the extension started in `home` (its pid is the lock file's first line) and removes the home. */
function stopDaemonOf(home: string): void {
  try {
    const pid = Number(fs.readFileSync(path.join(home, 'daemon.lock'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // No lock: no daemon started there.
  }
  fs.rmSync(home, { recursive: true, force: true });
}
