import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { ErrorCode } from '../../server/protocol';
import { AuthService, hashToken, newToken } from '../../server/services/auth';
import { tempHome } from '../support/home';

describe('AuthService', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => (home = tempHome('auth')));
  afterEach(() => home.cleanup());

  it('creates a private token once and accepts only it', async () => {
    const tokenPath = path.join(home.home, 'token');
    const auth = AuthService.loadOrCreate(tokenPath, 'alice', 1);
    assert.equal(fs.statSync(tokenPath).mode & 0o777, 0o600);
    const token = fs.readFileSync(tokenPath, 'utf8').trim();
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.deepEqual(await auth.authenticate({ protocolVersion: 1, token }), { user: 'alice', role: 'owner' });
    AuthService.loadOrCreate(tokenPath, 'alice', 1);
    assert.equal(fs.readFileSync(tokenPath, 'utf8').trim(), token, 'a second start keeps the token');
  });

  it('refuses a wrong token and a wrong protocol version with codes and hints', async () => {
    const auth = AuthService.loadOrCreate(path.join(home.home, 'token'), 'alice', 2);
    const token = fs.readFileSync(path.join(home.home, 'token'), 'utf8').trim();
    const refused = async (params: { protocolVersion: number; token: string }): Promise<CorralError> => {
      try {
        await auth.authenticate(params);
      } catch (error) {
        assert.ok(error instanceof CorralError);
        return error;
      }
      assert.fail('accepted');
    };
    const bad = await refused({ protocolVersion: 2, token: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) });
    assert.equal(bad.code, ErrorCode.BadToken);
    assert.equal((await refused({ protocolVersion: 2, token: 'short' })).code, ErrorCode.BadToken);
    const older = await refused({ protocolVersion: 1, token });
    assert.equal(older.code, ErrorCode.VersionMismatch);
    assert.match(older.hint, /update the client/);
    assert.match((await refused({ protocolVersion: 3, token })).hint, /daemon is older/);
  });

  it('accepts an issued token as its user, found by hash, and never as the owner', async () => {
    const issued = newToken();
    const auth = AuthService.loadOrCreate(path.join(home.home, 'token'), 'alice', 1, async (hash) => (hash === hashToken(issued) ? 'bob' : undefined));
    assert.deepEqual(await auth.authenticate({ protocolVersion: 1, token: issued }), { user: 'bob', role: 'user' });
    await assert.rejects(auth.authenticate({ protocolVersion: 1, token: newToken() }), (error: unknown) => error instanceof CorralError && error.code === ErrorCode.BadToken);
  });
});
