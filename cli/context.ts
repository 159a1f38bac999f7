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

export function createContext(options: GlobalOptions, version: string, env: NodeJS.ProcessEnv = process.env): CliContext {
  const home = resolveHome();
  const out = new Output(options.json === true);
  let connection: Promise<DaemonConnection> | undefined;
  const client = { kind: 'cli' as const, name: 'corral', version };
  // A token the daemon's owner issued (`corral auth issue`): connect as that user, never start a
  // daemon of one's own (whoever can start it would own it).
  const issued = env.CORRAL_TOKEN?.trim() || undefined;
  return {
    home,
    out,
    verbose: options.verbose === true,
    connect: () =>
      (connection ??= issued
        ? connectDaemon({ socketPath: homePaths(home).socket, token: issued, client })
        : ensureDaemon({
            home,
            serverScript: path.join(__dirname, 'server.js'),
            client,
            onStart: () => out.note(`starting the daemon for ${home}`),
          })),
    connectExisting: async () => {
      const paths = homePaths(home);
      if (issued) return connectDaemon({ socketPath: paths.socket, token: issued, client });
      let token = '';
      try {
        token = readToken(paths.token);
      } catch {
        // No token yet: the daemon never ran here; connecting reports it as unreachable.
      }
      return connectDaemon({ socketPath: paths.socket, token, client });
    },
  };
}
