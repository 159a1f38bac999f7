import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonStatusRequest, SessionList } from '../../server/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { readToken } from '../../server/protocol/launch';
import { homePaths } from '../../server/protocol/paths';
import { distServer, requireBuild } from './home';
import { checkWire } from './wire';

/** A daemon process of the built bundle, over a test home. */
export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  output(): string;
  kill9(): Promise<void>;
  terminate(): Promise<number | string>;
}

export function spawnDaemon(home: string, env: NodeJS.ProcessEnv = {}): DaemonProcess {
  requireBuild();
  const child = spawn(process.execPath, [distServer], {
    env: { ...process.env, ...env, CORRAL_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    pid: child.pid!,
    exited,
    output: () => output,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Spawns a daemon and waits until it answers a call that needs its store. */
export async function startDaemon(home: string, env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const daemon = spawnDaemon(home, env);
  let ended: number | string | undefined;
  void daemon.exited.then((code) => (ended = code));
  for (let waited = 0; waited < 15_000; waited += 10) {
    if (ended !== undefined) throw new Error(`daemon exited (${ended}) while starting: ${daemon.output()}`);
    if (fs.existsSync(homePaths(home).socket)) {
      try {
        const client = await connect(home);
        // Answered once the store is open; session methods also wait for start-up
        // reconciliation with the engine (T-17): after both the daemon is fully ready.
        await client.rpc.sendRequest(DaemonStatusRequest, {});
        await client.rpc.sendRequest(SessionList, {});
        client.dispose();
        return daemon;
      } catch {
        // Not accepting yet.
      }
    }
    await sleep(10);
  }
  await daemon.kill9();
  throw new Error(`daemon did not answer within 15 s: ${daemon.output()}`);
}

/**
 * A client of the daemon of `home` whose every result and notification is checked against its
 * declaration (test/support/wire.ts). Benchmarks that time round trips pass `{ checked: false }`:
 * their floor (a bare JSON-RPC stack) parses nothing either.
 */
export async function connect(home: string, kind: 'test' | 'cli' = 'test', options: { checked?: boolean } = {}): Promise<DaemonConnection> {
  const paths = homePaths(home);
  const connection = await connectDaemon({ socketPath: paths.socket, token: readToken(paths.token), client: { kind } });
  if (options.checked !== false) checkWire(connection.rpc);
  return connection;
}
