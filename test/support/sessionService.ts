import * as path from 'node:path';
import { checkFolderIdentity } from '../../server/auth/heldDirectory';
import { resolveReal } from '../../server/auth/realPath';
import { DEFAULT_MAXIMA } from '../../server/jail/policy';
import { memoryLogger } from '../../server/log';
import type { SessionInfo } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { SessionService, type SessionOptions } from '../../server/sessions/service';
import { Store } from '../../server/store/store';
import { gitHostRepo } from '../../server/workspace/hostRepo';
import { FakeClock } from './fakeClock';
import { FakeJail } from './fakeJail';
import { tempHome } from './home';

/**
 * A SessionService alone, for tests of its parts (repository, warm pool, removal, reconciliation)
 * that need no RPC: a real sql.js store with its journal in a temporary home, the fake jail
 * (test/support/fakeJail.ts), real git on the host, a fake clock that is also the scheduler, and
 * every announcement kept. Folders are allowed as
 * the daemon's owner's are (the policy itself is test/unit/authorization.test.ts's).
 */
export interface SessionServiceFixture {
  home: string;
  worktrees: string;
  trusted: string;
  store: Store;
  jail: FakeJail;
  clock: FakeClock;
  logger: ReturnType<typeof memoryLogger>;
  sessions: SessionService;
  announced: { owner: string; session: SessionInfo }[];
  close(): Promise<void>;
}

export const FAKE_IMAGE = 'corral/fake:latest';

export async function openSessionService(options: Partial<SessionOptions> = {}): Promise<SessionServiceFixture> {
  const temp = tempHome('ss');
  const paths = homePaths(temp.home);
  const logger = memoryLogger();
  const store = await Store.open({ dbPath: paths.db, previousPath: paths.dbPrevious, journalDir: paths.journal, logger });
  const clock = new FakeClock();
  const jail = new FakeJail();
  const announced: { owner: string; session: SessionInfo }[] = [];
  const trusted = path.join(temp.home, 'trusted');
  const sessions = new SessionService(store, jail, clock, {
    home: temp.home,
    worktrees: paths.worktrees,
    trusted,
    defaultImage: FAKE_IMAGE,
    maxima: DEFAULT_MAXIMA,
    maxKeptBytes: 1024 * 1024,
    maxSessionsPerUser: 20,
    poolSize: 0,
    redactions: [],
    logger,
    announce: (owner, session) => announced.push({ owner, session }),
    authorizeFolder: (_user, folder) => checkFolderIdentity(resolveReal(path.resolve(folder)).real),
    hostRepo: gitHostRepo,
    // Coalesced announcements go out when the test moves the clock.
    after: (ms, task) => clock.after(ms, task),
    ...options,
  });
  return {
    home: temp.home,
    worktrees: paths.worktrees,
    trusted,
    store,
    jail,
    clock,
    logger,
    sessions,
    announced,
    async close() {
      await sessions.drainPool();
      sessions.close();
      await store.close();
      temp.cleanup();
    },
  };
}
