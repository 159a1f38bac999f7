import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDaemon, DaemonUnreachableError, type ConnectOptions, type DaemonConnection } from './client';
import { homePaths } from './paths';

export interface EnsureDaemonOptions extends Omit<ConnectOptions, 'socketPath' | 'token'> {
  home: string;
  /** Path of the bundled daemon entry (`dist/server.js`). */
  serverScript: string;
  /** The Node binary to run it with (in VS Code: `process.execPath` with ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Told once when a daemon had to be started. */
  onStart?: () => void;
  startTimeoutMs?: number;
}

/**
 * Connects to the daemon of `home`, starting it detached first when nothing answers. Two clients
 * racing here both spawn a daemon; the daemon's lock lets exactly one of them serve.
 */
export async function ensureDaemon(options: EnsureDaemonOptions): Promise<DaemonConnection> {
  const paths = homePaths(options.home);
  const attempt = async (): Promise<DaemonConnection> => connectDaemon({ ...options, socketPath: paths.socket, token: readToken(paths.token) });
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError) && !isMissingToken(error)) throw error;
  }
  options.onStart?.();
  const child = startDaemonProcess(options);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    await sleep(15);
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DaemonUnreachableError) && !isMissingToken(error)) throw error;
      // A child that lost the start race exits 0 (another daemon owns the home): keep polling.
      if ((exited !== null && exited !== 0) || Date.now() > deadline) {
        throw new DaemonStartError(paths.daemonLog, exited);
      }
    }
  }
}

export class DaemonStartError extends Error {
  constructor(
    readonly logPath: string,
    readonly exitCode: number | null,
  ) {
    super(exitCode === null ? 'the corral daemon did not start listening in time' : `the corral daemon exited with status ${exitCode} while starting`);
    this.name = 'DaemonStartError';
  }
}

/** Spawns the daemon detached, its output appended to `logs/daemon.log`. */
export function startDaemonProcess(options: EnsureDaemonOptions): ReturnType<typeof spawn> {
  const paths = homePaths(options.home);
  fs.mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  const out = fs.openSync(paths.daemonLog, 'a', 0o600);
  try {
    const child = spawn(options.execPath ?? process.execPath, [options.serverScript], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...(options.env ?? process.env), CORRAL_HOME: options.home, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.unref();
    return child;
  } finally {
    fs.closeSync(out);
  }
}

/** The owner's token; absent until the daemon's first start creates it. */
export function readToken(tokenPath: string): string {
  return fs.readFileSync(tokenPath, 'utf8').trim();
}

function isMissingToken(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
