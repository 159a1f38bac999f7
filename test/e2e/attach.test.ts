import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as pty from 'node-pty';
import { ANSI, runCli } from '../support/cli';
import { distCli, tempHome } from '../support/home';
import { imageCache, TINY } from '../support/jail';

/** A bash in a real pseudo-terminal, its screen, and a way to wait for text on it. */
function openTerminal(env: NodeJS.ProcessEnv, cols: number, rows: number): { term: pty.IPty; screen(): string; waitFor(pattern: RegExp, from?: number): Promise<void> } {
  const term = pty.spawn('/bin/bash', ['--norc', '--noprofile'], { cols, rows, env: { ...process.env, ...env, PS1: 'host$ ' } as Record<string, string> });
  let screen = '';
  term.onData((data) => (screen += data));
  return {
    term,
    screen: () => screen,
    waitFor: async (pattern, from = 0) => {
      for (let waited = 0; !pattern.test(screen.slice(from)); waited += 25) {
        if (waited > 15_000) assert.fail(`never saw ${pattern}: ${JSON.stringify(screen.slice(-400))}`);
        await sleep(25);
      }
    },
  };
}

/**
 * `corral attach` in a real pseudo-terminal: type a command, read the screen, resize, detach
 * with Ctrl-P Ctrl-Q, and check the terminal was given back in its original (cooked) mode.
 */
describe('corral attach in a real terminal (node-pty)', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let session: string;

  before(async () => {
    home = tempHome('pty');
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache };
    assert.equal((await runCli(['image', 'build', '--base', 'tiny'], env)).code, 0);
    const started = await runCli(['session', 'start', '--image', TINY, '--json'], env, home.home);
    session = (JSON.parse(started.stdout) as { id: string }).id;
  });
  after(async () => {
    await runCli(['session', 'rm', session, '--purge'], env);
    await runCli(['daemon', 'stop'], env);
    home.cleanup();
  });

  it('types, reads the screen, follows a resize, detaches and restores the terminal', async () => {
    // A shell owns the pty; corral runs inside it, and the shell reports the terminal mode after.
    const { term, screen, waitFor } = openTerminal(env, 100, 30);
    try {
      await waitFor(/host\$ /);
      term.write(`stty -g > ${home.home}/before; node ${distCli} attach ${session}; echo "exit=$?"; stty -g > ${home.home}/after\r`);
      await waitFor(/\/workspace \$ /);
      let mark = screen().length;
      term.write('echo jailed-$((20+22)); stty size\r');
      await waitFor(/jailed-42[\s\S]*30 100/, mark);
      mark = screen().length;
      term.resize(120, 40);
      await sleep(300);
      term.write('stty size\r');
      await waitFor(/40 120/, mark);
      mark = screen().length;
      term.write('\x10\x11');
      await waitFor(/detached from [0-9a-f]+; the session keeps running[\s\S]*exit=0/, mark);
      await waitFor(/host\$ /, mark);
      term.write(`cmp ${home.home}/before ${home.home}/after && echo restored\r`);
      await waitFor(/^restored/m, mark);
    } finally {
      term.kill();
    }
  });

  it('colours session states on a terminal, and not with NO_COLOR', async () => {
    const screenOf = async (extra: NodeJS.ProcessEnv): Promise<string> => {
      const term = pty.spawn(process.execPath, [distCli, 'session', 'ls'], { cols: 120, rows: 10, env: { ...process.env, ...env, ...extra } as Record<string, string> });
      let screen = '';
      term.onData((data) => (screen += data));
      await new Promise<void>((resolve) => term.onExit(() => resolve()));
      return screen;
    };
    assert.ok((await screenOf({})).includes('\x1b[32mready\x1b[0m'), 'ready in green');
    const plain = await screenOf({ NO_COLOR: '1' });
    assert.match(plain, new RegExp(`${session}\\s+ready`));
    assert.doesNotMatch(plain, ANSI);
  });

  it('restores the terminal and exits 3 when the daemon dies under it', async () => {
    const { term, screen, waitFor } = openTerminal(env, 80, 24);
    try {
      await waitFor(/host\$ /);
      term.write(`stty -g > ${home.home}/before2; node ${distCli} attach ${session}; echo "exit=$?"; stty -g > ${home.home}/after2\r`);
      await waitFor(/\/workspace \$ /);
      const mark = screen().length;
      const pid = Number(fs.readFileSync(path.join(home.home, 'daemon.lock'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      await waitFor(/error: the daemon went away[\s\S]*exit=3/, mark);
      term.write(`cmp ${home.home}/before2 ${home.home}/after2 && echo restored\r`);
      await waitFor(/^restored/m, mark);
    } finally {
      term.kill();
    }
  });
});
