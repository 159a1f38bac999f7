import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { tempHome } from '../support/home';
import { imageCache, sampleRepo } from '../support/jail';

describe('corral CLI: env and image pull', function () {
  this.timeout(120_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let repo: ReturnType<typeof sampleRepo>;

  before(() => {
    home = tempHome('clienv');
    env = { CORRAL_HOME: home.home, CORRAL_IMAGE_CACHE: imageCache };
    repo = sampleRepo({
      'package.json': '{ "name": "x", "scripts": { "test": "node -e 0" } }',
      '.devcontainer/devcontainer.json':
        '{\n  // comment\n  "image": "corral/debian:latest",\n  "features": { "ghcr.io/devcontainers/features/go:1": {} },\n  "postCreateCommand": "npm install",\n}\n',
    });
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    repo.cleanup();
    home.cleanup();
  });

  it('env show says what was found and why, as text and as JSON', async () => {
    const text = await runCli(['env', 'show', '--repo', repo.dir], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /definition\s+\.devcontainer\/devcontainer\.json/);
    assert.match(text.stdout, /setup\s+npm install/);
    assert.match(text.stdout, /warning: devcontainer features .*ghcr\.io\/devcontainers\/features\/go:1/);
    const json = await runCli(['--json', 'env', 'show'], env, repo.dir);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout) as { source: string; base: { kind: string; image?: string }; dependencyFolders: string[]; built: boolean };
    assert.equal(shown.source, 'devcontainer');
    assert.deepEqual(shown.base, { kind: 'image', image: 'corral/debian:latest' });
    assert.deepEqual(shown.dependencyFolders, ['node_modules']);
    assert.equal(shown.built, false);
  });

  it('refuses a folder that does not exist and a definition that leads out of the repository, with a hint', async () => {
    const missing = await runCli(['env', 'show', '--repo', path.join(repo.dir, 'nope')], env);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /hint:/);
    const outside = sampleRepo({ '.corral/environment.json': '{ "dockerfile": "../../Dockerfile" }' });
    try {
      const refused = await runCli(['env', 'show', '--repo', outside.dir], env);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /leads out of the repository/);
    } finally {
      outside.cleanup();
    }
  });

  it('image pull with no registry: fails within its timeout, naming the image and how to build offline', async () => {
    const pulled = await runCli(['image', 'pull', 'corral-test/not-anywhere:1'], env);
    assert.equal(pulled.code, 1);
    assert.match(pulled.stderr, /corral-test\/not-anywhere:1 .*could not be pulled/);
    assert.match(pulled.stderr, /hint: .*corral image build/);
  });

  it('env ls lists as JSON; every env command has --help examples', async () => {
    const list = await runCli(['--json', 'env', 'ls'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(Array.isArray(JSON.parse(list.stdout)));
    for (const words of [
      ['env', 'show'],
      ['env', 'build'],
      ['env', 'ls'],
      ['env', 'prune'],
      ['image', 'pull'],
    ]) {
      const help = await runCli([...words, '--help'], env);
      assert.match(help.stdout, new RegExp(`Examples:\\n  corral ${words.join(' ')}`), words.join(' '));
    }
  });
});
