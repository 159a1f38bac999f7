import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { AttachClose, AttachInput, AttachOpen, AttachOutputNotification, SessionRemove, SessionStart, ShellExec, ShellOutputNotification } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { runCli } from '../support/cli';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, TINY } from '../support/jail';
import { percentile, report, timeCalls, type BenchRow } from './support/report';

const run = promisify(execFile);
const docker = new Dockerode();

/** dockerode exec of `cmd`, read to the end and inspected: the floor for a fresh exec. */
async function rawExec(container: Dockerode.Container, cmd: string[]): Promise<number> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  let bytes = 0;
  stream.on('data', (d: Buffer) => (bytes += d.length));
  await new Promise((resolve) => stream.once('end', resolve));
  await exec.inspect();
  return bytes;
}

describe('benchmark: jailed workspaces', function () {
  this.timeout(600_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let raw: Dockerode.Container;

  before(async () => {
    home = tempHome('jbench');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache });
    client = await connect(home.home);
    await ensureImage(client, 'tiny');
    raw = await docker.createContainer({ Image: TINY, Cmd: ['sleep', '2147483647'], HostConfig: { Init: true, NetworkMode: 'none' } });
    await raw.start();
  });
  after(async () => {
    await raw.remove({ force: true });
    client.dispose();
    await daemon.terminate();
    home.cleanup();
  });

  it('measures start, command round trip, throughput and keystroke echo against raw Docker', async () => {
    const rows: BenchRow[] = [];
    // Ready: raw create + start, against session/start (hardened, workspace, store) and to first command.
    const createStart: number[] = [];
    const ready: number[] = [];
    const firstCommand: number[] = [];
    for (let i = 0; i < 8; i++) {
      let start = performance.now();
      const c = await docker.createContainer({ Image: TINY, Cmd: ['sleep', '2147483647'], HostConfig: { Init: true, NetworkMode: 'none' } });
      await c.start();
      createStart.push(performance.now() - start);
      await c.remove({ force: true });
      start = performance.now();
      const session = await client.rpc.sendRequest(SessionStart, { image: TINY });
      ready.push(performance.now() - start);
      const result = await client.rpc.sendRequest(ShellExec, { session: session.id, command: 'true' });
      firstCommand.push(performance.now() - start);
      assert.equal(result.exitCode, 0);
      await client.rpc.sendRequest(SessionRemove, { session: session.id });
    }
    const floorReady = { name: 'raw create+start', value: percentile(createStart, 50) };
    const readyP50 = percentile(ready, 50);
    rows.push({ metric: 'session/start to ready (p50)', value: readyP50, unit: 'ms', floor: floorReady, target: { text: '≤ 1.3× raw', met: readyP50 <= 1.3 * floorReady.value } });
    rows.push({ metric: 'session/start to first command answered (p50)', value: percentile(firstCommand, 50), unit: 'ms', floor: floorReady });

    // Command round trip.
    const session = (await client.rpc.sendRequest(SessionStart, { image: TINY })).id;
    await client.rpc.sendRequest(ShellExec, { session, command: 'true' });
    const spawnTimes = await timeCalls(30, () => new Promise((resolve) => spawn('true').once('exit', resolve)));
    const rawExecTimes = await timeCalls(30, () => rawExec(raw, ['true']));
    const builtin = await timeCalls(200, () => client.rpc.sendRequest(ShellExec, { session, command: 'true' }));
    const binTrue = await timeCalls(200, () => client.rpc.sendRequest(ShellExec, { session, command: '/bin/true' }));
    const env = { CORRAL_HOME: home.home };
    const cli = await timeCalls(15, async () => assert.equal((await runCli(['exec', session, '--', 'true'], env)).code, 0));
    const dockerCli = await timeCalls(15, () => run('docker', ['exec', raw.id, 'true']));
    const rtt = percentile(builtin, 50);
    const rawFloor = { name: 'raw dockerode exec', value: percentile(rawExecTimes, 50) };
    rows.push({ metric: 'shell/exec `true` via RPC (p50)', value: rtt, unit: 'ms', floor: rawFloor, target: { text: '≤ 5 ms', met: rtt <= 5 } });
    rows.push({
      metric: 'shell/exec `true` via RPC (p99)',
      value: percentile(builtin, 99),
      unit: 'ms',
      floor: { name: 'raw dockerode exec p99', value: percentile(rawExecTimes, 99) },
    });
    rows.push({
      metric: 'shell/exec `/bin/true` via RPC (p50)',
      value: percentile(binTrue, 50),
      unit: 'ms',
      floor: { name: "child_process.spawn('true')", value: percentile(spawnTimes, 50) },
    });
    const cliP50 = percentile(cli, 50);
    const dockerP50 = percentile(dockerCli, 50);
    rows.push({
      metric: '`corral exec ID -- true`, end to end (p50)',
      value: cliP50,
      unit: 'ms',
      floor: { name: '`docker exec c true`', value: dockerP50 },
      target: { text: '≤ 0.5× docker exec', met: cliP50 <= 0.5 * dockerP50 },
    });

    // Streamed output throughput: 100 MB through the persistent shell (streamed to this client) vs raw exec.
    const bytes = 100 * 1024 * 1024;
    let start = performance.now();
    // The raw stream carries Docker's 8-byte frame headers on top of the output.
    assert.ok((await rawExec(raw, ['sh', '-c', `head -c ${bytes} /dev/zero`])) >= bytes);
    const rawSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    const kept = await client.rpc.sendRequest(ShellExec, { session, command: `head -c ${bytes} /dev/zero` });
    const keptSeconds = (performance.now() - start) / 1000;
    assert.equal(kept.stdout.length + kept.truncated.stdout, bytes);
    let streamed = 0;
    const sub = client.rpc.onNotification(ShellOutputNotification, (chunk) => {
      streamed += chunk.data.length;
    });
    start = performance.now();
    const flood = await client.rpc.sendRequest(ShellExec, { session, command: `head -c ${bytes} /dev/zero`, execId: 'flood' });
    const streamSeconds = (performance.now() - start) / 1000;
    sub.dispose();
    assert.equal(flood.exitCode, 0);
    assert.equal(flood.stdout.length + flood.truncated.stdout, bytes);
    const ours = bytes / 1e6 / keptSeconds;
    const floorTput = { name: 'raw dockerode exec, no TTY', value: bytes / 1e6 / rawSeconds };
    const withStream = bytes / 1e6 / streamSeconds;
    rows.push({
      metric: 'output throughput through the persistent shell',
      value: ours,
      unit: 'MB/s',
      floor: floorTput,
      target: { text: '≥ 0.8× raw', met: ours >= 0.8 * floorTput.value },
    });
    rows.push({
      metric: '… while streaming it to this client as notifications',
      value: withStream,
      unit: 'MB/s',
      floor: floorTput,
      target: { text: '≥ 0.8× raw', met: withStream >= 0.8 * floorTput.value },
    });
    rows.push({ metric: '… of which the client received', value: streamed / 1e6 / streamSeconds, unit: 'MB/s' });

    // Keystroke echo through attach.
    let screen = '';
    const out = client.rpc.onNotification(AttachOutputNotification, (chunk) => {
      screen += chunk.data;
    });
    const { attachId } = await client.rpc.sendRequest(AttachOpen, { session, rows: 24, cols: 80 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const echo: number[] = [];
    for (let i = 0; i < 50; i++) {
      const key = String.fromCharCode(97 + (i % 26));
      const before = screen.length;
      const t = performance.now();
      await client.rpc.sendRequest(AttachInput, { attachId, data: key });
      while (!screen.slice(before).includes(key)) await new Promise((resolve) => setImmediate(resolve));
      echo.push(performance.now() - t);
    }
    await client.rpc.sendRequest(AttachClose, { attachId });
    out.dispose();
    rows.push({ metric: 'keystroke echo through attach (p50)', value: percentile(echo, 50), unit: 'ms' });
    rows.push({ metric: 'keystroke echo through attach (p99)', value: percentile(echo, 99), unit: 'ms' });
    await client.rpc.sendRequest(SessionRemove, { session });
    report('jail', rows);
  });
});
