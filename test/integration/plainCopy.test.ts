import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionRemove, SessionStart } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { runCli } from '../support/cli';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { ensureImage, imageCache, sh, TINY } from '../support/jail';

// T-53: a plain folder holding a socket, a FIFO or a device node gave an internal error (`cp` EINVAL).
describe('sessions over a plain folder with files that cannot be copied', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let folder: string;
  let listening: net.Server;
  // Device nodes need root to make; elsewhere the test covers the socket and the FIFO.
  const withDevice = process.getuid?.() === 0;

  before(async () => {
    home = tempHome('plain');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_IDLE_PAUSE_S: '0' });
    client = await connect(home.home);
    await ensureImage(client, 'tiny');
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-plain-'));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'kept\n');
    fs.mkdirSync(path.join(folder, 'run'));
    fs.symlinkSync('notes.txt', path.join(folder, 'link'));
    // A live server's socket, as a dev server leaves in its folder.
    listening = net.createServer();
    await new Promise<void>((resolve) => listening.listen(path.join(folder, 'run', 'app.sock'), resolve));
    execFileSync('mkfifo', [path.join(folder, 'run', 'pipe')]);
    if (withDevice) execFileSync('mknod', [path.join(folder, 'run', 'null'), 'c', '1', '3']);
  });
  after(async () => {
    client.dispose();
    await daemon.terminate();
    await new Promise<void>((resolve) => listening.close(() => resolve()));
    fs.rmSync(folder, { recursive: true, force: true });
    home.cleanup();
  });

  it('starts, leaving those files out and saying how many with an example; links stay links', async () => {
    const session = await client.rpc.sendRequest(SessionStart, { repo: folder, image: TINY });
    try {
      assert.equal(session.state, 'ready');
      const skipped = withDevice ? 3 : 2;
      assert.equal(session.warnings?.length, 1, JSON.stringify(session));
      assert.match(
        session.warnings![0]!,
        new RegExp(`^${skipped} files left out of the workspace: sockets, FIFOs and device nodes cannot be copied \\(e\\.g\\. run/(app\\.sock|pipe|null)\\)$`),
      );
      const inside = await sh(client, session.id, 'cat notes.txt; readlink link; ls -A run | wc -l');
      assert.equal(inside.exitCode, 0, inside.stderr);
      assert.equal(inside.stdout.replace(/ +/g, ''), 'kept\nnotes.txt\n0\n');
      assert.ok(fs.lstatSync(path.join(folder, 'run', 'app.sock')).isSocket(), 'the folder itself is untouched');
    } finally {
      await client.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
    }
  });

  it('the CLI prints the warning on stderr and the id alone on stdout', async () => {
    const result = await runCli(['session', 'start', '--repo', folder, '--image', TINY], { CORRAL_HOME: home.home });
    assert.equal(result.code, 0, result.stderr);
    const id = result.stdout.trim();
    await client.rpc.sendRequest(SessionRemove, { session: id, purge: true });
    assert.match(id, /^[0-9a-f]{10}$/);
    assert.match(result.stderr, /^corral: warning: \d files left out of the workspace: sockets, FIFOs and device nodes cannot be copied \(e\.g\. run\/\S+\)$/m);
  });

  it('says nothing when everything could be copied', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-plain-'));
    fs.writeFileSync(path.join(plain, 'a.txt'), 'a\n');
    try {
      const session = await client.rpc.sendRequest(SessionStart, { repo: plain, image: TINY });
      await client.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
      assert.equal(session.warnings, undefined);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });
});
