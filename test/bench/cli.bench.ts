import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { distCli } from '../support/home';
import { startDaemon } from '../support/daemon';
import { tempHome } from '../support/home';
import { percentile, report, timeCalls } from './support/report';

/** Spawn to the first byte on stdout (the user's "it answered"), then to exit. */
function firstOutput(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let first = 0;
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => (first = performance.now() - start));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 && first > 0 ? resolve(first) : reject(new Error(`exit ${code}`))));
  });
}

describe('benchmark: CLI start-up', function () {
  this.timeout(120_000);

  it('measures `corral session ls` against a running daemon, and bare Node', async () => {
    const home = tempHome('clib');
    const daemon = await startDaemon(home.home);
    try {
      const env = { CORRAL_HOME: home.home };
      const node = await timeCalls(10, () => firstOutput(['-e', 'process.stdout.write("x")'], env));
      const version = await timeCalls(10, () => firstOutput([distCli, '--version'], env));
      const ls = await timeCalls(15, () => firstOutput([distCli, 'session', 'ls'], env));
      assert.equal(ls.length, 15);
      const floor = { name: 'node printing one byte', value: percentile(node, 50) };
      const p50 = percentile(ls, 50);
      report('cli', [
        { metric: '`corral --version` to first output (p50)', value: percentile(version, 50), unit: 'ms', floor },
        { metric: '`corral session ls` to first output, daemon running (p50)', value: p50, unit: 'ms', floor, target: { text: '≤ 150 ms', met: p50 <= 150 } },
      ]);
    } finally {
      await daemon.terminate();
      home.cleanup();
    }
  });
});
