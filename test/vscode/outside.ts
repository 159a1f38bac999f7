import { connectDaemon, type DaemonConnection } from '../../server/protocol/client';
import { readToken } from '../../server/protocol/launch';
import { homePaths, resolveHome } from '../../server/protocol/paths';

/** A client of the daemon of `home` (default: $CORRAL_HOME), as the CLI would connect. */
export function outsideClientFor(home?: string): Promise<DaemonConnection> {
  const paths = homePaths(resolveHome(home ? { CORRAL_HOME: home } : process.env));
  return connectDaemon({ socketPath: paths.socket, token: readToken(paths.token), client: { kind: 'cli', name: 'vscode-test' } });
}
