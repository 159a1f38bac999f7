import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { ResponseError } from 'vscode-jsonrpc';
import { findEnvironment } from '../../server/env/detect';
import { runSetup } from '../../server/env/setup';
import { CorralError } from '../../server/errors';
import { ErrorCode, SessionDiff, SessionRemove, SessionStart, type SessionInfo } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { EnvBuild, EnvList, EnvProgress, EnvPrune, EnvShow, ImagePull } from '../../server/protocol/env';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache, sh } from '../support/jail';

/** The corpus of real projects (git bundles), beside the repository; absent outside these machines. */
const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'repos');

const RUN = `${process.pid}-${Date.now()}`;

const PROJECTS = [
  { name: 'is-number', test: 'npm test', bug: ["sed -i 's/return num - num === 0;/return num - num === 1;/' index.js"] },
  { name: 'dequal', test: 'npm test', bug: ["sed -i 's/return Object.keys(bar).length === len;/return true;/' src/index.js"] },
  {
    name: 'tomli',
    test: 'PYTHONPATH=src python3 -m unittest 2>&1 | tail -3; exit ${PIPESTATUS:-0}',
    bug: ["sed -i 's/return pos + 4, True/return pos + 4, False/' src/tomli/_parser.py"],
  },
] as const;

/** A git repository in a temp folder: a corpus bundle cloned, or these files committed. */
function makeRepo(made: string[], source: { bundle: string } | { files: Record<string, string> }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-envrepo-'));
  made.push(dir);
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if ('bundle' in source) {
    execFileSync('git', ['clone', '-q', source.bundle, dir], { stdio: 'ignore' });
    git('switch', '-q', '-c', 'main');
  } else {
    git('init', '-q', '--initial-branch=main');
    for (const [name, content] of Object.entries(source.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    git('add', '-A');
    git('commit', '-qm', 'first');
  }
  return dir;
}

async function refused(promise: Promise<unknown>, code: number): Promise<ResponseError<{ hint: string }>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResponseError, String(error));
    assert.equal(error.code, code, error.message);
    return error as ResponseError<{ hint: string }>;
  }
  assert.fail('was not refused');
}

/** The corpus lives in ../shared beside the clone on the build machines only: skipped, saying why. */
function skipWithoutCorpus(context: Mocha.Context, bundle: string): never {
  console.log(`      skipped: no ${bundle} (it comes with ../shared beside the clone)`);
  context.skip();
}

describe('environments: the repository toolchain and dependencies in the jail, offline', function () {
  this.timeout(900_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  const made: string[] = [];
  const sessions: SessionInfo[] = [];
  /** Repositories whose environment is new in every run (pruned at the end). */
  const fresh: string[] = [];

  before(async () => {
    home = tempHome('env');
    daemon = await startDaemon(home.home, { CORRAL_IMAGE_CACHE: imageCache, CORRAL_IDLE_PAUSE_S: '0' });
    client = await connect(home.home);
    await ensureImage(client, 'debian');
  });
  after(async () => {
    for (const s of sessions) await client.rpc.sendRequest(SessionRemove, { session: s.id, purge: true }).catch(() => undefined);
    for (const repo of fresh) await client.rpc.sendRequest(EnvPrune, { repo }).catch(() => undefined);
    client?.dispose();
    await daemon?.terminate();
    home?.cleanup();
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(repo: string): Promise<SessionInfo> {
    const session = await client.rpc.sendRequest(SessionStart, { repo });
    sessions.push(session);
    return session;
  }

  for (const project of PROJECTS) {
    it(`${project.name}: its own tests pass in the jail offline, and fail with a planted bug`, async function () {
      const bundle = path.join(CORPUS, `${project.name}.bundle`);
      if (!fs.existsSync(bundle)) skipWithoutCorpus(this, bundle);
      const repo = makeRepo(made, { bundle });
      const session = await start(repo);
      assert.match(session.image, /^corral\/env:/, 'a toolchain environment, not the plain workspace image');
      const network = await sh(client, session.id, 'cat /sys/class/net/*/operstate 2>/dev/null | wc -l; ls /sys/class/net');
      assert.equal(network.stdout.trim().split('\n').slice(1).join(' '), 'lo', 'the session stays without network');
      const passed = await sh(client, session.id, `bash -c '${project.test.replaceAll("'", "'\\''")}'`, 180_000);
      assert.equal(passed.exitCode, 0, passed.stdout + passed.stderr);
      const diff = await client.rpc.sendRequest(SessionDiff, { session: session.id });
      assert.deepEqual(
        diff.files.map((f) => f.path).filter((p) => p.startsWith('node_modules')),
        [],
        'dependency folders stay out of the diff',
      );
      for (const bug of project.bug) assert.equal((await sh(client, session.id, bug)).exitCode, 0);
      const failed = await sh(client, session.id, `bash -c '${project.test.replaceAll("'", "'\\''")}'`, 180_000);
      assert.notEqual(failed.exitCode, 0, `the planted bug must fail the tests:\n${failed.stdout}`);
    });
  }

  it('a second session over the same inputs reuses the environment, and its dependency folder is read-only and private', async function () {
    const bundle = path.join(CORPUS, 'is-number.bundle');
    if (!fs.existsSync(bundle)) skipWithoutCorpus(this, bundle);
    const repo = makeRepo(made, { bundle });
    const built = await client.rpc.sendRequest(EnvBuild, { repo });
    assert.equal(built.source, 'image');
    const session = await start(repo);
    assert.equal(session.image, built.image);
    const write = await sh(client, session.id, 'touch node_modules/mocha/planted');
    assert.notEqual(write.exitCode, 0, 'the shared dependency folder cannot be written');
    const own = await sh(client, session.id, 'rm node_modules && mkdir node_modules && touch node_modules/x && ls node_modules');
    assert.equal(own.stdout.trim(), 'x', 'a session may replace the link with a folder of its own');
    assert.ok((await client.rpc.sendRequest(EnvList, {})).some((e) => e.image === built.image && e.dependencyFolders.includes('node_modules')));
  });

  it('a devcontainer.json with a Dockerfile: built, its env and postCreateCommand applied, features named and skipped', async () => {
    const repo = makeRepo(made, {
      files: {
        '.devcontainer/devcontainer.json': `{
          // JSONC, as VS Code writes it
          "build": { "dockerfile": "Dockerfile", "args": { "FLAVOUR": "mint" } },
          "containerEnv": { "GREETING": "hello from devcontainer", "RUN": "${RUN}" },
          "features": { "ghcr.io/devcontainers/features/node:1": {} },
          "postCreateCommand": ["sh", "-c", "echo set up by $(id -u) > /opt/corral/site/marker"],
        }`,
        '.devcontainer/Dockerfile': 'FROM corral/debian:latest\nARG FLAVOUR\nUSER 0\nRUN echo "$FLAVOUR" > /etc/flavour\nUSER 1000:1000\n',
        'README.md': '# dc\n',
      },
    });
    const shown = await client.rpc.sendRequest(EnvShow, { repo });
    assert.equal(shown.source, 'devcontainer');
    assert.ok(shown.warnings.some((w) => w.includes('ghcr.io/devcontainers/features/node:1')));
    const session = await start(repo);
    const seen = await sh(client, session.id, 'cat /etc/flavour /opt/corral/site/marker; echo "$GREETING"');
    assert.equal(seen.stdout, 'mint\nset up by 1000\nhello from devcontainer\n');
    assert.deepEqual((await client.rpc.sendRequest(EnvPrune, { repo })).removed, [], 'an environment in use is kept');
    await client.rpc.sendRequest(SessionRemove, { session: session.id, purge: true });
    const pruned = await client.rpc.sendRequest(EnvPrune, { repo });
    assert.ok(pruned.removed.includes(session.image), JSON.stringify(pruned));
    assert.equal((await client.rpc.sendRequest(EnvShow, { repo })).built, false);
  });

  it('a .corral/environment.json: setup as uid 1000 with the definition env; a failed setup says why and keeps nothing', async () => {
    const repo = makeRepo(made, {
      files: {
        // RUN makes the cache key new, so the setup really runs in this test.
        '.corral/environment.json': JSON.stringify({
          toolchains: ['debian'],
          setup: ['mkdir -p /opt/corral/site/tool && echo "$MODE" > /opt/corral/site/tool/mode'],
          env: { MODE: 'offline-ok', RUN: RUN },
        }),
        'README.md': '# own\n',
      },
    });
    const progress: string[] = [];
    const listening = client.rpc.onNotification(EnvProgress, ({ message }) => void progress.push(message));
    const session = await start(repo);
    fresh.push(repo);
    listening.dispose();
    assert.ok(
      progress.some((line) => line.startsWith('$ mkdir -p /opt/corral/site/tool')),
      `setup streams as progress during session start: ${progress.join(' | ')}`,
    );
    assert.equal((await sh(client, session.id, 'cat /opt/corral/site/tool/mode; echo "$MODE"')).stdout, 'offline-ok\noffline-ok\n');

    const broken = makeRepo(made, {
      files: { '.corral/environment.json': JSON.stringify({ setup: ['echo resolving; echo "E404 no-such-package" >&2; exit 3'] }), 'README.md': '' },
    });
    const error = await refused(client.rpc.sendRequest(SessionStart, { repo: broken }), ErrorCode.InvalidParams);
    assert.match(error.message, /exited with 3/);
    assert.match(error.message, /E404 no-such-package/, 'the log tail is in the error');
    assert.match(error.data!.hint, /\.corral\/environment\.json/);
    assert.equal((await client.rpc.sendRequest(EnvShow, { repo: broken })).built, false, 'no half-built environment is left');
  });

  it('a setup that hangs is killed at its timeout and leaves no image', async () => {
    const repo = makeRepo(made, { files: { 'README.md': '' } });
    const docker = new Dockerode();
    const spec = { ...findEnvironment(repo), setup: ['echo waiting for a registry; sleep 600'] };
    const tag = `corral/env:timeout-${process.pid}`;
    const before = new Set((await docker.listContainers({ all: true })).map((c) => c.Id));
    await assert.rejects(
      runSetup(docker, repo, spec, DEBIAN, tag, { hostEnv: {}, labels: {}, depsLabel: 'x', say: () => undefined, timeoutMs: 1500 }),
      (error: unknown) => error instanceof CorralError && /ran past 2 s and was killed/.test(error.message) && /waiting for a registry/.test(error.message),
    );
    assert.equal(
      await docker
        .getImage(tag)
        .inspect()
        .catch(() => undefined),
      undefined,
    );
    const left = (await docker.listContainers({ all: true, filters: { label: ['corral.build=setup'] } })).filter((c) => !before.has(c.Id));
    assert.deepEqual(left, [], 'the build container is gone');
  });

  it('an image no registry can give: ImageUnavailable, naming it and how to build offline', async () => {
    const error = await refused(client.rpc.sendRequest(ImagePull, { image: 'corral-test/not-anywhere:1' }), ErrorCode.ImageUnavailable);
    assert.match(error.message, /corral-test\/not-anywhere:1/);
    assert.match(error.data!.hint, /corral image build/);
    const repo = makeRepo(made, { files: { '.devcontainer/devcontainer.json': '{ "image": "mcr.microsoft.com/devcontainers/typescript-node:1-20-bookworm" }', 'README.md': '' } });
    const start = await refused(client.rpc.sendRequest(SessionStart, { repo }), ErrorCode.ImageUnavailable);
    assert.match(start.message, /typescript-node/);
  });
});
