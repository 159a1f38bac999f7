import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock, LockHeldError } from '../../server/daemon/lock';
import { tempHome } from '../support/home';

describe('daemon lock', () => {
  let home: ReturnType<typeof tempHome>;
  let lockPath: string;
  beforeEach(() => {
    home = tempHome('lock');
    lockPath = path.join(home.home, 'daemon.lock');
  });
  afterEach(() => home.cleanup());

  it('is held by one owner and released', async () => {
    const lock = await acquireLock(lockPath, { isDaemonAlive: () => false });
    assert.equal(fs.readFileSync(lockPath, 'utf8'), `${process.pid}\n`);
    lock.release();
    assert.equal(fs.existsSync(lockPath), false);
  });

  it('refuses while a live daemon holds it, naming its pid', async () => {
    fs.writeFileSync(lockPath, '4242\n');
    await assert.rejects(acquireLock(lockPath, { isDaemonAlive: (pid) => pid === 4242 }), (error: unknown) => {
      assert.ok(error instanceof LockHeldError);
      assert.equal(error.pid, 4242);
      return true;
    });
    assert.equal(fs.readFileSync(lockPath, 'utf8'), '4242\n', 'a live lock is left alone');
  });

  it('takes over a stale lock', async () => {
    fs.writeFileSync(lockPath, '4242\n');
    const lock = await acquireLock(lockPath, { isDaemonAlive: () => false });
    assert.equal(fs.readFileSync(lockPath, 'utf8'), `${process.pid}\n`);
    lock.release();
  });

  it('takes over a lock left half-written by a starter that died', async () => {
    fs.writeFileSync(lockPath, '');
    const lock = await acquireLock(lockPath, { isDaemonAlive: () => false });
    assert.equal(fs.readFileSync(lockPath, 'utf8'), `${process.pid}\n`);
    lock.release();
  });

  it('abandons a takeover mutex whose holder died', async () => {
    fs.writeFileSync(lockPath, '4242\n');
    fs.mkdirSync(`${lockPath}.takeover`);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${lockPath}.takeover`, old, old);
    const lock = await acquireLock(lockPath, { isDaemonAlive: () => false, takeoverStaleMs: 1000 });
    lock.release();
    assert.equal(fs.existsSync(`${lockPath}.takeover`), false);
  });
});
