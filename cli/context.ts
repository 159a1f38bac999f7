import * as path from 'node:path';
import type { CancellationToken, RequestParam, RequestType } from 'vscode-jsonrpc';
import type { DaemonConnection } from '../server/protocol/client';
import { connectDaemon } from '../server/protocol/client';
import { ensureDaemon, readToken } from '../server/protocol/launch';
import { homePaths, resolveHome } from '../server/protocol/paths';
import { Output } from './output';

export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; isRaw?: boolean; setRawMode?(mode: boolean): unknown };
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

/** Something to undo when its owner is done with it. */
export interface Disposable {
  dispose(): void;
}

/** The process a command runs in, as main.ts sees it (and a test builds it: memory streams, its own env). */
export interface CliProcess {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Calls `handler` on the first Ctrl-C while registered; main.ts ends the process on the second. */
  onInterrupt(handler: () => void): Disposable;
  /** Calls `handler` when the process is asked to end (SIGTERM, SIGHUP) while registered. */
  onTerminate(handler: () => void): Disposable;
  /** The daemon bundle started on demand (`dist/server.js` beside the CLI bundle). */
  serverScript?: string;
}

export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
}

/**
 * What a command gets: where it runs (cwd, env, streams), how to print, and the daemon. The
 * context owns the connection: `call` and `connection` open it once, on first use, and it is
 * disposed when the command ends, however it ends.
 */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: InputStream;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly isTTY: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
  readonly home: string;
  readonly out: Output;
  readonly verbose: boolean;
  /** One request to the daemon, connecting first (starting the daemon on demand) when needed. */
  call<P, R, E>(type: RequestType<P, R, E>, params: RequestParam<P>, token?: CancellationToken): Promise<R>;
  /**
   * The raw connection, for notifications (exec, attach, run, progress). `start` (the default)
   * starts the daemon when none answers, said once on stderr; `existing` rejects with
   * `DaemonUnreachableError` instead. The first connection made is the one every later use gets.
   */
  connection(mode?: 'start' | 'existing'): Promise<DaemonConnection>;
  /** Ctrl-C while `handler` is registered calls it (the second Ctrl-C ends the process). */
  onInterrupt(handler: () => void): Disposable;
  /** SIGTERM or SIGHUP while `handler` is registered calls it instead of ending the process at once. */
  onTerminate(handler: () => void): Disposable;
  /** A path the user typed, against the command's working folder. */
  resolve(given: string): string;
  /** Closes the connection, if one was made. Called by main.ts when the command ends. */
  dispose(): void;
}

export function createContext(io: CliProcess, options: GlobalOptions, version: string): CliContext {
  const home = resolveHome(io.env);
  const out = new Output(options.json === true, io.stdout, io.stderr, io.env);
  const client = { kind: 'cli' as const, name: 'corral', version };
  // A token the daemon's owner issued (`corral auth issue`): connect as that user, never start a
  // daemon of one's own (whoever can start it would own it).
  const issued = io.env.CORRAL_TOKEN?.trim() || undefined;
  const paths = homePaths(home);
  let connecting: Promise<DaemonConnection> | undefined;
  let disposed = false;

  const open = (mode: 'start' | 'existing'): Promise<DaemonConnection> => {
    if (issued) return connectDaemon({ socketPath: paths.socket, token: issued, client });
    if (mode === 'start') {
      return ensureDaemon({
        home,
        serverScript: io.serverScript ?? path.join(__dirname, 'server.js'),
        env: io.env,
        client,
        onStart: () => out.note(`starting the daemon for ${home}`),
      });
    }
    let token = '';
    try {
      token = readToken(paths.token);
    } catch {
      // No token yet: the daemon never ran here; connecting reports it as unreachable.
    }
    return connectDaemon({ socketPath: paths.socket, token, client });
  };

  const connection = (mode: 'start' | 'existing' = 'start'): Promise<DaemonConnection> => {
    if (disposed) return Promise.reject(new Error('the command has ended: its daemon connection is closed'));
    if (connecting === undefined) {
      const attempt = open(mode);
      connecting = attempt;
      // A failed attempt is not kept: a later use may try again (e.g. doctor after a refusal).
      attempt.catch(() => {
        if (connecting === attempt) connecting = undefined;
      });
    }
    return connecting;
  };

  return {
    cwd: io.cwd,
    env: io.env,
    // stdin is looked at only by the commands that read it (see main.ts).
    get stdin() {
      return io.stdin;
    },
    stdout: io.stdout,
    stderr: io.stderr,
    isTTY: {
      get stdin() {
        return io.stdin.isTTY === true;
      },
      stdout: io.stdout.isTTY === true,
      stderr: io.stderr.isTTY === true,
    },
    home,
    out,
    verbose: options.verbose === true,
    call: async (type, params, token) => (await connection()).rpc.sendRequest(type, params, token),
    connection,
    onInterrupt: (handler) => io.onInterrupt(handler),
    onTerminate: (handler) => io.onTerminate(handler),
    resolve: (given) => path.resolve(io.cwd, given),
    dispose: () => {
      disposed = true;
      const pending = connecting;
      connecting = undefined;
      void pending?.then(
        (made) => made.dispose(),
        () => undefined,
      );
    },
  };
}
