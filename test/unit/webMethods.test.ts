import { strict as assert } from 'node:assert';
import * as protocol from '../../server/protocol';
import { Methods, Notices, WEB_PROTOCOL_VERSION } from '../../webview/methods';

// The web app imports only types from server/protocol; these names are what it sends.
describe('web app methods', () => {
  it('names each method and notification as its declaration does', () => {
    const declared = new Set(
      Object.values(protocol as Record<string, unknown>).flatMap((value) =>
        value instanceof protocol.CorralRequest || value instanceof protocol.CorralNotification ? [value.method] : [],
      ),
    );
    for (const { method } of [...Object.values(Methods), ...Object.values(Notices)]) assert.ok(declared.has(method), `${method} is not declared in server/protocol`);
    assert.equal(Methods.tasksUpdate.method, protocol.TasksUpdate.method);
    assert.equal(Notices.sessionChanged.method, protocol.SessionChanged.method);
  });

  it('speaks the protocol version of the daemon', () => {
    assert.equal(WEB_PROTOCOL_VERSION, protocol.PROTOCOL_VERSION);
  });
});
