import * as path from 'node:path';
import type { DaemonConnection } from '../server/protocol/client';
import { connectDaemon } from '../server/protocol/client';
import { ensureDaemon, readToken } from '../server/protocol/launch';
import { homePaths, resolveHome } from '../server/protocol/paths';
import { Output } from './output';

/** What every command gets: where the home is, how to print, how to reach the daemon. */
export interface CliContext {
  home: string;
  out: Output;
  verbose: boolean;
  /** Connects, starting the daemon on demand (said once on stderr). */
  connect(): Promise<DaemonConnection>;
  /** Connects only to a running daemon; rejects with `DaemonUnreachableError` otherwise. */
  connectExisting(): Promise<DaemonConnection>;
}

export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
}

export function createContext(options: GlobalOptions, version: string): CliContext {
  const home = resolveHome();
  const out = new Output(options.json === true);
  let connection: Promise<DaemonConnection> | undefined;
  return {
    home,
    out,
    verbose: options.verbose === true,
    connect: () =>
      (connection ??= ensureDaemon({
        home,
        serverScript: path.join(__dirname, 'server.js'),
        client: { kind: 'cli', name: 'corral', version },
        onStart: () => out.note(`starting the daemon for ${home}`),
      })),
    connectExisting: async () => {
      const paths = homePaths(home);
      let token = '';
      try {
        token = readToken(paths.token);
      } catch {
        // No token yet: the daemon never ran here; connecting reports it as unreachable.
      }
      return connectDaemon({ socketPath: paths.socket, token, client: { kind: 'cli', name: 'corral', version } });
    },
  };
}
