import * as os from 'node:os';
import * as path from 'node:path';

/** Where everything of one daemon lives. Clients and the daemon derive paths from here only. */
export interface HomePaths {
  home: string;
  socket: string;
  token: string;
  lock: string;
  config: string;
  logs: string;
  daemonLog: string;
  /** sql.js snapshot, the previous snapshot, and the journal folder. */
  db: string;
  dbPrevious: string;
  journal: string;
  worktrees: string;
}

/** `$CORRAL_HOME`, or `~/.corral`. Always absolute. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CORRAL_HOME;
  return path.resolve(configured && configured.length > 0 ? configured : path.join(os.homedir(), '.corral'));
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    socket: path.join(home, 'corral.sock'),
    token: path.join(home, 'token'),
    lock: path.join(home, 'daemon.lock'),
    config: path.join(home, 'config.json'),
    logs: path.join(home, 'logs'),
    daemonLog: path.join(home, 'logs', 'daemon.log'),
    db: path.join(home, 'corral.db'),
    dbPrevious: path.join(home, 'corral.db.prev'),
    journal: path.join(home, 'journal'),
    worktrees: path.join(home, 'worktrees'),
  };
}
