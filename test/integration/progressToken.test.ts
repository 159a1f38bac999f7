import * as assert from 'node:assert/strict';
import { ImageBuild, ImageProgress, type ProgressLine } from '../../server/protocol';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { imageCache, TINY } from '../support/jail';

/**
 * Progress of a long request is correlated by the token its params chose: every `image/progress`
 * line of a build carries that build's `progressToken` back (and none when it gave none), so a
 * client with several requests in flight tells their lines apart. Real daemon, real engine; the
 * payloads are checked against their schema by the test client (test/support/wire.ts).
 */
describe("progress notifications carry their request's token", function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;

  before(async () => {
    home = tempHome('progress');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache });
  });
  after(async () => {
    await daemon?.terminate();
    home?.cleanup();
  });

  it("echoes each image/build's progressToken in every line of its progress", async () => {
    const client = await connect(home.home);
    try {
      const lines: ProgressLine[] = [];
      client.rpc.onNotification(ImageProgress, (line) => {
        lines.push(line);
      });
      const first = await client.rpc.sendRequest(ImageBuild, { base: 'tiny', progressToken: 'build-1' });
      const second = await client.rpc.sendRequest(ImageBuild, { base: 'tiny', progressToken: 'build-2' });
      const untokened = await client.rpc.sendRequest(ImageBuild, { base: 'tiny' });
      assert.deepEqual([first.tag, second.tag, untokened.tag], [TINY, TINY, TINY]);
      // A notification sent before its request's answer arrives before that answer.
      const tokens = lines.map((line) => line.progressToken ?? '(none)');
      assert.ok(tokens.includes('build-1') && tokens.includes('build-2') && tokens.includes('(none)'), `each build reported: ${tokens.join(', ')}`);
      assert.deepEqual(
        tokens,
        [...tokens].sort((a, b) => ['build-1', 'build-2', '(none)'].indexOf(a) - ['build-1', 'build-2', '(none)'].indexOf(b)),
        'in request order, each line with its own token',
      );
    } finally {
      client.dispose();
    }
  });
});
