import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROTOCOL_DOCUMENT_COMMAND, protocolDeclarations, protocolDocument, protocolDocumentText } from '../../server/protocol/document';
import { readProtocolComments } from '../../scripts/protocolComments';
import { repoRoot } from '../support/home';
import { startHarness, type Harness } from '../support/harness';

/**
 * docs/protocol.json is generated from the declarations in server/protocol: this is the test
 * command's drift check, and the checks that every declaration is whole (a result schema, a
 * payload schema) and that the daemon serves exactly what is declared.
 */
describe('protocol document (docs/protocol.json)', () => {
  const declarations = protocolDeclarations();

  it('is what the declarations generate', () => {
    const file = path.join(repoRoot, 'docs', 'protocol.json');
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    assert.ok(
      current === protocolDocumentText(readProtocolComments()),
      `docs/protocol.json is out of date with server/protocol: run \`${PROTOCOL_DOCUMENT_COMMAND}\` and commit it`,
    );
  });

  it('says something of every result and payload (no bare unknown or any at the top)', () => {
    const document = protocolDocument(declarations) as {
      methods: { name: string; result: { schema: object } }[];
      'x-notifications': { name: string; params: { schema: object }[] }[];
    };
    const empty = (schema: object | undefined): boolean => schema === undefined || Object.keys(schema).length === 0;
    assert.deepEqual(
      document.methods.filter((m) => empty(m.result.schema)).map((m) => m.name),
      [],
      'requests whose result schema allows anything',
    );
    assert.deepEqual(
      document['x-notifications'].filter((n) => empty(n.params[0]?.schema)).map((n) => n.name),
      [],
      'notifications whose payload schema allows anything',
    );
  });

  it('declares each method once, every reference resolving to a component', () => {
    const names = [...declarations.requests, ...declarations.notifications].map((d) => d.method);
    assert.deepEqual(
      names.filter((name, i) => names.indexOf(name) !== i),
      [],
      'methods declared twice',
    );
    const document = protocolDocument(declarations);
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length > 50, 'shared types are components, not copies');
    assert.deepEqual([...new Set(refs.filter((id) => !(id in schemas)))], [], 'references to no component');
    const session = (document.methods as { name: string; params: { name: string; required: boolean }[] }[]).find((m) => m.name === 'session/start');
    assert.deepEqual(
      session?.params.filter((p) => p.required),
      [],
      'session/start takes only optional params',
    );
    assert.ok(session?.params.some((p) => p.name === 'progressToken'));
  });

  describe('against the daemon', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(async () => h?.close());

    it('serves every declared request and declares every method it serves', () => {
      const served = new Set(h.daemon.router.methods);
      // corral/hello is the connection's own; web/open is added by server/main.ts, which owns the web server's lifetime.
      const declared = new Set(declarations.requests.map((r) => r.method).filter((m) => m !== 'corral/hello' && m !== 'web/open'));
      assert.deepEqual(
        [...declared].filter((m) => !served.has(m)),
        [],
        'declared but not served',
      );
      assert.deepEqual(
        [...served].filter((m) => !declared.has(m)),
        [],
        'served but not declared (not exported from server/protocol/index.ts?)',
      );
    });
  });
});
