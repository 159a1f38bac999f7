import * as assert from 'node:assert/strict';
import { FrameError, FrameGuard } from '../../server/rpc/frameGuard';

const limits = { maxMessageBytes: 100, maxHeaderBytes: 64 };

function frame(body: string, headers = ''): Buffer {
  return Buffer.from(`${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** Feeds chunks through a guard; resolves with what passed, or the error it failed with. */
async function feed(chunks: Buffer[]): Promise<{ passed: Buffer; error?: Error }> {
  const guard = new FrameGuard(limits);
  const out: Buffer[] = [];
  guard.on('data', (d: Buffer) => out.push(d));
  return new Promise((resolve) => {
    guard.on('error', (error) => resolve({ passed: Buffer.concat(out), error }));
    guard.on('end', () => resolve({ passed: Buffer.concat(out) }));
    for (const chunk of chunks) guard.write(chunk);
    guard.end();
  });
}

describe('FrameGuard', () => {
  it('passes well-formed frames through unchanged, split at every byte boundary', async () => {
    const stream = Buffer.concat([frame('{"a":1}'), frame('{"b":2}', 'Content-Type: application/json\r\n'), frame('')]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const { passed, error } = await feed([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.equal(error, undefined, `cut at ${cut}`);
      assert.deepEqual(passed, stream);
    }
  });

  it('passes a stream fed one byte at a time', async () => {
    const stream = Buffer.concat([frame('{"x":"y"}'), frame('{"z":3}')]);
    const { passed, error } = await feed([...stream].map((b) => Buffer.from([b])));
    assert.equal(error, undefined);
    assert.deepEqual(passed, stream);
  });

  it('refuses a declared length over the limit before the body arrives', async () => {
    const { error } = await feed([Buffer.from('Content-Length: 101\r\n\r\n')]);
    assert.ok(error instanceof FrameError);
    assert.match(error.message, /101 bytes exceeds the limit of 100/);
  });

  it('refuses a header block that never ends', async () => {
    const { error } = await feed([Buffer.from('X-Padding: ' + 'a'.repeat(80))]);
    assert.ok(error instanceof FrameError);
    assert.match(error.message, /header block too long/);
  });

  it('refuses a missing or malformed Content-Length and garbage header lines', async () => {
    for (const [header, pattern] of [
      ['Content-Type: x\r\n\r\n', /missing Content-Length/],
      ['Content-Length: -5\r\n\r\n', /malformed Content-Length/],
      ['Content-Length: 1e3\r\n\r\n', /malformed Content-Length/],
      ['{"jsonrpc":"2.0"}\r\n\r\n', /malformed header line/],
    ] as const) {
      const { error } = await feed([Buffer.from(header)]);
      assert.ok(error instanceof FrameError, header);
      assert.match(error.message, pattern);
    }
  });
});
