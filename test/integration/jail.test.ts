import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc';
import {
  AttachClose,
  AttachClosedNotification,
  AttachInput,
  AttachOpen,
  AttachOutputNotification,
  AttachResize,
  ErrorCode,
  SessionList,
  SessionRemove,
  SessionStart,
  ShellExec,
  ShellOutputNotification,
  type ShellOutput,
} from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, sampleRepo, sh, startSession, TINY } from '../support/jail';
import { until } from '../support/until';

describe('jailed workspace: persistent shell through the RPC API', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let session: string;
  let repo: ReturnType<typeof sampleRepo>;

  before(async () => {
    home = tempHome('jail');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_MAX_OUTPUT_BYTES: '65536' });
    client = await connect(home.home);
    await ensureImage(client, 'tiny');
    repo = sampleRepo({ 'hello.txt': 'hello from the host\n', 'src/a.js': 'console.log(1)\n' });
    session = await startSession(client, TINY, { repo: repo.dir });
  });
  after(async () => {
    await client.rpc.sendRequest(SessionRemove, { session }).catch(() => undefined);
    client.dispose();
    await daemon.terminate();
    repo.cleanup();
    home.cleanup();
  });

  it('runs a command in /workspace over a copy of the repo, as uid 1000', async () => {
    const result = await sh(client, session, 'pwd; id -u; cat hello.txt; ls src');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, '/workspace\n1000\nhello from the host\na.js\n');
    assert.equal(result.stderr, '');
    assert.equal(result.timedOut, false);
  });

  it('keeps cwd, exported variables and functions between commands', async () => {
    await sh(client, session, 'mkdir -p /tmp/deep/er && cd /tmp/deep/er; export GREETING=hi; greet() { echo "$GREETING $1"; }');
    const result = await sh(client, session, 'pwd; greet there');
    assert.equal(result.stdout, '/tmp/deep/er\nhi there\n');
    await sh(client, session, 'cd /workspace');
  });

  it('returns every exit status from 0 to 255', async () => {
    for (let code = 0; code <= 255; code++) {
      const result = await sh(client, session, `(exit ${code})`);
      assert.equal(result.exitCode, code);
    }
  });

  it('keeps stdout and stderr apart, byte for byte, without adding newlines', async () => {
    const result = await sh(client, session, "printf 'out1'; printf 'err1' >&2; printf '\\nout2\\n'; printf 'err2\\n' >&2");
    assert.equal(result.stdout, 'out1\nout2\n');
    assert.equal(result.stderr, 'err1err2\n');
  });

  it('streams output as numbered notifications to the caller while the command runs', async () => {
    const chunks: ShellOutput[] = [];
    const subscription = client.rpc.onNotification(ShellOutputNotification, (chunk) => {
      chunks.push(chunk);
    });
    const result = await client.rpc.sendRequest(ShellExec, { session, command: 'for i in 1 2 3; do echo line$i; sleep 0.1; done; echo oops >&2', execId: 'stream-test' });
    subscription.dispose();
    const mine = chunks.filter((c) => c.execId === 'stream-test');
    assert.ok(mine.length >= 3, 'output arrived in pieces');
    assert.deepEqual(
      mine.map((c) => c.seq),
      mine.map((_, i) => i),
    );
    assert.equal(
      mine
        .filter((c) => c.stream === 'stdout')
        .map((c) => c.data)
        .join(''),
      result.stdout,
    );
    assert.equal(
      mine
        .filter((c) => c.stream === 'stderr')
        .map((c) => c.data)
        .join(''),
      'oops\n',
    );
  });

  it('kills a command at its timeout, says so, and keeps the shell and its state', async () => {
    await sh(client, session, 'cd src');
    const started = Date.now();
    const result = await sh(client, session, 'echo before; sleep 30; echo after', 500);
    assert.equal(result.timedOut, true);
    assert.equal(result.shellRestarted, false);
    assert.equal(result.stdout, 'before\n');
    assert.ok(Date.now() - started < 10_000, 'did not wait for sleep');
    assert.equal((await sh(client, session, 'pwd')).stdout, '/workspace/src\n', 'cwd survived');
    await sh(client, session, 'cd /workspace');
  });

  it('interrupts a command when the request is cancelled (Ctrl-C), keeping the shell and its state', async () => {
    await sh(client, session, 'export KEEP_ME=yes');
    const cancel = new CancellationTokenSource();
    // Cancelled once the command is running (its first output arrived), not after a guessed delay.
    const running = new Promise<void>((resolve) => {
      const subscription = client.rpc.onNotification(ShellOutputNotification, (chunk) => {
        if (chunk.execId !== 'cancel-test' || !chunk.data.includes('started')) return;
        subscription.dispose();
        resolve();
      });
    });
    const pending = client.rpc.sendRequest(ShellExec, { session, command: 'echo started; sleep 30; echo never', execId: 'cancel-test' }, cancel.token);
    await running;
    cancel.cancel();
    const result = await pending;
    assert.equal(result.interrupted, true);
    assert.equal(result.exitCode, 130);
    assert.equal(result.stdout, 'started\n');
    assert.equal(result.shellRestarted, false);
    assert.equal((await sh(client, session, 'echo $KEEP_ME')).stdout, 'yes\n');
  });

  it('kills also what a timed-out command started in the background', async () => {
    const result = await sh(client, session, 'sleep 300 & sleep 300', 500);
    assert.equal(result.timedOut, true);
    const left = await sh(client, session, 'ps -o comm | grep -c "^sleep" || true');
    assert.equal(left.stdout.trim(), '1', 'only the container main process sleeps');
  });

  it('interrupts a timed-out loop running inside the shell itself, keeping the shell', async () => {
    await sh(client, session, 'export MARK=kept');
    const result = await sh(client, session, 'while :; do :; done; echo never', 500);
    assert.equal(result.timedOut, true);
    assert.equal(result.shellRestarted, false);
    assert.equal(result.stdout, '');
    assert.equal((await sh(client, session, 'echo $MARK')).stdout, 'kept\n');
  });

  it('replaces the shell when a timed-out command disabled the interrupt, and says so', async () => {
    const result = await sh(client, session, "trap '' USR1; while :; do :; done", 500);
    assert.equal(result.timedOut, true);
    assert.equal(result.shellRestarted, true);
    assert.equal((await sh(client, session, 'echo alive; echo "[$MARK]"')).stdout, 'alive\n[]\n', 'a fresh shell');
  });

  it('caps the output it keeps and reports what it dropped', async () => {
    const result = await sh(client, session, "head -c 1000000 /dev/zero | tr '\\0' x");
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout.length, 65536);
    assert.equal(result.truncated.stdout, 1000000 - 65536);
  });

  it('runs commands sent at once to one session one after another, in order', async () => {
    await sh(client, session, 'rm -f /tmp/order');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sh(client, session, `echo ${i} >> /tmp/order; sleep 0.0${i % 3}; echo ${i}`)));
    assert.deepEqual(
      results.map((r) => r.stdout.trim()),
      results.map((_, i) => String(i)),
    );
    const order = await sh(client, session, 'cat /tmp/order');
    assert.deepEqual(
      order.stdout.trim().split('\n'),
      Array.from({ length: 20 }, (_, i) => String(i)),
    );
  });

  it('restarts a shell that exits, reports it, and carries on', async () => {
    const result = await sh(client, session, 'echo bye; exit 7');
    assert.equal(result.exitCode, 7);
    assert.equal(result.stdout, 'bye\n');
    assert.equal(result.shellRestarted, true);
    assert.equal((await sh(client, session, 'echo again')).stdout, 'again\n');
    assert.match(fs.readFileSync(path.join(home.home, 'logs', 'daemon.log'), 'utf8'), /shell restarted/);
  });

  it('reports a syntax error as status 2 without losing the shell', async () => {
    await sh(client, session, 'export KEEP=1');
    const result = await sh(client, session, 'if then fi (');
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /syntax error/);
    assert.equal(result.shellRestarted, false);
    assert.equal((await sh(client, session, 'echo $KEEP')).stdout, '1\n');
  });

  it('attaches an interactive TTY shell: input, output, resize, close', async () => {
    let screen = '';
    let closed: number | undefined;
    const out = client.rpc.onNotification(AttachOutputNotification, (chunk) => {
      screen += chunk.data;
    });
    const end = client.rpc.onNotification(AttachClosedNotification, (event) => {
      closed = event.exitCode;
    });
    const waitFor = (pattern: RegExp): Promise<boolean> => until(() => pattern.test(screen), { what: `${pattern} on the screen` });
    try {
      const { attachId } = await client.rpc.sendRequest(AttachOpen, { session, rows: 30, cols: 100 });
      await client.rpc.sendRequest(AttachInput, { attachId, data: 'stty size; echo attach-$((6*7))\r' });
      await waitFor(/30 100[\s\S]*attach-42/);
      await client.rpc.sendRequest(AttachResize, { attachId, rows: 40, cols: 120 });
      await client.rpc.sendRequest(AttachInput, { attachId, data: 'stty size\r' });
      await waitFor(/40 120/);
      await client.rpc.sendRequest(AttachClose, { attachId });
      await until(() => closed !== undefined, { what: 'attach/closed' });
      const left = await sh(client, session, 'ps -o pid,args');
      assert.doesNotMatch(left.stdout, /\d+ (ba)?sh -i/, 'the interactive shell is gone');
    } finally {
      out.dispose();
      end.dispose();
    }
  });

  it('never touches the host folder it copied', async () => {
    await sh(client, session, 'echo changed > hello.txt; rm -rf src; touch new-file');
    assert.equal(fs.readFileSync(path.join(repo.dir, 'hello.txt'), 'utf8'), 'hello from the host\n');
    assert.ok(fs.existsSync(path.join(repo.dir, 'src', 'a.js')));
    assert.equal(fs.existsSync(path.join(repo.dir, 'new-file')), false);
  });

  it('answers clear errors for an unknown session, a missing image and a bad repo', async () => {
    const refused = async (promise: Promise<unknown>, code: number, hint: RegExp): Promise<void> => {
      await assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.code, code, error.message);
        assert.match((error.data as { hint: string }).hint, hint);
        return true;
      });
    };
    await refused(sh(client, session.slice(0, 3) + 'zzzz', 'true'), ErrorCode.NotFound, /corral session ls/);
    await refused(client.rpc.sendRequest(SessionStart, { image: 'corral/no-such-image:1' }), ErrorCode.NotFound, /corral image build/);
    await refused(client.rpc.sendRequest(SessionStart, { repo: '/no/such/folder', image: TINY }), ErrorCode.NotFound, /--repo/);
    await refused(client.rpc.sendRequest(SessionStart, { image: TINY, limits: { memoryMb: 1 << 20 } }), ErrorCode.InvalidParams, /maximum/);
    const sessions = await client.rpc.sendRequest(SessionList, {});
    assert.deepEqual(
      sessions.filter((s) => s.state === 'ready').map((s) => s.id),
      [session],
      'failed starts left no ready session',
    );
  });
});
