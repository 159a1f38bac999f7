import * as assert from 'node:assert/strict';
import * as z from 'zod/mini';
import { CorralRequest, KvGetParams, KvPut } from '../../server/protocol';
import { startHarness, type Harness } from '../support/harness';
import { WireMismatch } from '../support/wire';

/** The test clients' wire check (test/support/wire.ts) refuses an answer its declaration does not allow. */
describe('test clients check the wire', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  it('passes an answer that matches, and rejects one that does not, naming the method and the field', async () => {
    const client = await h.connect();
    try {
      await client.rpc.sendRequest(KvPut, { key: 'wire', value: 1 });
      // kv/get as declared elsewhere, with a result schema the daemon's answer does not match.
      const misdeclared = new CorralRequest('kv/get', KvGetParams, z.strictObject({ key: z.string(), value: z.string() }));
      await assert.rejects(client.rpc.sendRequest(misdeclared, { key: 'wire' }), (error: unknown) => {
        assert.ok(error instanceof WireMismatch, String(error));
        assert.match(error.message, /the result of kv\/get does not match .*value: /);
        return true;
      });
    } finally {
      client.dispose();
    }
  });
});
