import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import * as z from 'zod/mini';
import { toCliError } from '../../cli/errors';
import { ExitCode } from '../../cli/exitCodes';
import { readConfig } from '../../server/config';
import { memoryLogger } from '../../server/log';
import { ClientConnection } from '../../server/rpc/connection';
import { Router } from '../../server/rpc/router';
import { CorralError } from '../../server/errors';
import { AgentRun, CorralRequest, ErrorCode, Hello, KvPut, PROTOCOL_VERSION, ProviderSetKey, SessionShow, type ErrorData } from '../../server/protocol';
import { startHarness, type Harness } from '../support/harness';

const KEY = 'sk-edge-7f3a9c1e5b2d4068-SECRET';

/** The error a request was refused with. */
async function refusal(request: Promise<unknown>): Promise<ResponseError<ErrorData>> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ResponseError) return error as ResponseError<ErrorData>;
    throw error;
  }
  assert.fail('the request was answered, not refused');
}

/**
 * The daemon's edge through the real connection and router (in-process harness): the debug
 * request log (sizes, never contents) and a bad config.json as `ConfigInvalid`.
 */
describe('protocol edge: request log and config errors', () => {
  describe('CORRAL_LOG_LEVEL=debug', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
      h.logger.minLevel = 'debug';
    });
    after(async () => h?.close());

    it('logs each request with method, duration, sizes and error code, and never a token or a key', async () => {
      const client = await h.connect();
      const token = fs.readFileSync(h.paths.token, 'utf8').trim();
      await client.rpc.sendRequest(ProviderSetKey, { provider: 'openai', key: KEY });
      await client.rpc.sendRequest(KvPut, { key: 'edge', value: { secret: KEY } });
      const missing = await refusal(client.rpc.sendRequest(SessionShow, { session: 'nosuchsession' }));
      await client.rpc.sendRequest(ProviderSetKey, { provider: 'openai', key: null });

      const requests = h.logger.lines.filter((line) => line.level === 'debug' && line.msg === 'request').map((line) => line.fields ?? {});
      const byMethod = (method: string): Record<string, unknown>[] => requests.filter((fields) => fields.method === method);
      const [hello] = byMethod('corral/hello');
      assert.ok(hello, 'corral/hello is logged');
      assert.ok(typeof hello.paramsBytes === 'number' && hello.paramsBytes > token.length, 'its params size counts the token');
      assert.ok(typeof hello.resultBytes === 'number' && hello.resultBytes > 0);
      const [setKey] = byMethod('provider/setKey');
      assert.ok(setKey && typeof setKey.ms === 'number' && setKey.ms >= 0, 'provider/setKey is logged with its duration');
      assert.equal(setKey.user, h.owner);
      const [failed] = byMethod('session/show');
      assert.equal(failed?.code, missing.code, 'a refused request is logged with its error code');
      assert.equal(failed?.resultBytes, undefined);

      const log = JSON.stringify(h.logger.lines);
      assert.ok(!log.includes(token), 'the hello token is not in the log');
      assert.ok(!log.includes(KEY), 'the provider key is not in the log');
      client.dispose();
    });
  });

  describe('a result its declaration does not allow', () => {
    const logger = memoryLogger('debug');
    const served: ClientConnection[] = [];
    let dir: string;
    let server: net.Server;

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-edge-'));
      // A method table of its own, every call let in: the service below answers off its declaration.
      const router = new Router(() => undefined);
      const Declared = new CorralRequest('test/drift', z.optional(z.strictObject({})), z.strictObject({ count: z.int() }));
      router.on(Declared, () => ({ count: 'three' }) as unknown as { count: number });
      router.on(new CorralRequest('test/fine', z.optional(z.strictObject({})), z.strictObject({ count: z.int() })), () => ({ count: 3 }));
      server = net.createServer((socket) => {
        served.push(
          new ClientConnection(socket, {
            router: Promise.resolve(router),
            limits: { maxMessageBytes: 1 << 20, maxHeaderBytes: 8192, maxInFlight: 8 },
            logger,
            authenticate: async () => ({ user: 'alice', role: 'owner' }),
            serverVersion: 'test',
            protocolVersion: PROTOCOL_VERSION,
            isStopping: () => false,
          }),
        );
      });
      await new Promise<void>((resolve) => server.listen(path.join(dir, 's.sock'), resolve));
    });
    after(async () => {
      for (const connection of served) connection.close();
      await new Promise((resolve) => server?.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('is answered as the service gave it, and logged under debug as a warning naming the field', async () => {
      const socket = net.connect(path.join(dir, 's.sock'));
      const rpc = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
      rpc.listen();
      try {
        await rpc.sendRequest(Hello, { protocolVersion: PROTOCOL_VERSION, token: 'x'.repeat(64), client: { kind: 'test' } });
        assert.deepEqual(await rpc.sendRequest('test/fine', {}), { count: 3 });
        assert.deepEqual(await rpc.sendRequest('test/drift', {}), { count: 'three' });
        const warnings = logger.lines.filter((line) => line.level === 'warn' && line.msg === 'result does not match its declaration');
        assert.deepEqual(
          warnings.map((line) => line.fields),
          [{ conn: served[0]!.id, method: 'test/drift', field: 'count', problem: 'invalid_type', issues: 1 }],
        );
        assert.ok(!JSON.stringify(logger.lines).includes('three'), 'the value itself is not logged');
      } finally {
        rpc.dispose();
        socket.destroy();
      }
    });
  });

  describe('at the default level', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(async () => h?.close());

    it('logs no request line', async () => {
      const client = await h.connect();
      await client.rpc.sendRequest(KvPut, { key: 'quiet', value: 1 });
      assert.deepEqual(
        h.logger.lines.filter((line) => line.msg === 'request'),
        [],
      );
      client.dispose();
    });

    it('answers a request that reads a bad config.json with ConfigInvalid, naming the file and the key', async () => {
      const client = await h.connect();
      fs.writeFileSync(h.paths.config, JSON.stringify({ budgets: { runUsd: 1 }, agnet: { maxSteps: 3 } }));
      try {
        const error = await refusal(client.rpc.sendRequest(AgentRun, { prompt: 'anything' }));
        assert.equal(error.code, ErrorCode.ConfigInvalid);
        assert.match(error.message, new RegExp(`${h.paths.config.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a valid Corral config: agnet`));
        assert.match(error.data?.hint ?? '', /fix agnet in .*config\.json/);

        const cli = toCliError(error);
        assert.equal(cli.exitCode, ExitCode.Failure, 'not a usage error: the command line was fine');
        assert.equal(cli.message, error.message);
        assert.match(cli.hint, /config\.json/);
      } finally {
        fs.rmSync(h.paths.config, { force: true });
      }
    });
  });

  describe('readConfig', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-config-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const configError = (text: string): CorralError => {
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, text);
      try {
        readConfig(file);
      } catch (error) {
        if (error instanceof CorralError) return error;
        throw error;
      }
      assert.fail('the config was accepted');
    };

    it('names the nested key of a bad value', () => {
      const error = configError(JSON.stringify({ providers: { local: { type: 'openai', baseURL: 'not a url' } } }));
      assert.equal(error.code, ErrorCode.ConfigInvalid);
      assert.match(error.message, /providers\.local\.baseURL: /);
      assert.match(error.hint, /^fix providers\.local\.baseURL in .*config\.json/);
    });

    it('refuses a file that is not JSON with ConfigInvalid', () => {
      const error = configError('{ "budgets": ');
      assert.equal(error.code, ErrorCode.ConfigInvalid);
      assert.match(error.message, /config\.json is not valid JSON/);
    });

    it('treats a missing file as no settings', () => {
      assert.deepEqual(readConfig(path.join(dir, 'absent.json')), {});
    });
  });
});
