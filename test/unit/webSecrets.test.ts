import { strict as assert } from 'node:assert';
import type { Identity } from '../../server/protocol';
import { SecretTable } from '../../server/web/secrets';

const ann: Identity = { user: 'ann', role: 'owner' };
const bob: Identity = { user: 'bob', role: 'user' };

describe('web sign-in secrets', () => {
  it('spends a code on its first use', () => {
    const codes = new SecretTable(60_000);
    const { secret } = codes.mint(ann);
    assert.deepEqual(codes.take(secret), ann);
    assert.equal(codes.take(secret), undefined);
    assert.equal(codes.take('not-a-code'), undefined);
  });

  it('keeps a browser session for its lifetime, then forgets it', () => {
    let now = 1_000;
    const sessions = new SecretTable(10_000, 1000, () => now);
    const { secret, expiresAt } = sessions.mint(bob);
    assert.equal(expiresAt, 11_000);
    assert.deepEqual(sessions.peek(secret), bob);
    assert.deepEqual(sessions.peek(secret), bob, 'looking does not spend it');
    now = 11_000;
    assert.equal(sessions.peek(secret), undefined);
    assert.equal(sessions.take(secret), undefined, 'an expired code does not sign in');
  });

  it('holds at most its bound, dropping the oldest', () => {
    const table = new SecretTable(60_000, 3);
    const first = table.mint(ann).secret;
    const rest = [table.mint(ann).secret, table.mint(bob).secret, table.mint(bob).secret];
    assert.equal(table.peek(first), undefined);
    for (const secret of rest) assert.ok(table.peek(secret));
  });
});
