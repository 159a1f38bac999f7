import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorralError } from '../../server/errors';
import { findEnvironment } from '../../server/env/detect';
import { environmentInputs } from '../../server/env/inputs';
import { setupNetwork } from '../../server/env/network';

/** A repository folder with these files, removed after the test. */
function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-env-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  made.push(dir);
  return dir;
}
const made: string[] = [];

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof CorralError && pattern.test(error.message) && error.hint.length > 0);
}

describe('finding a repository environment', () => {
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('defaults to the workspace image for a repository that names no toolchain', () => {
    const spec = findEnvironment(repo({ 'README.md': '# x\n' }));
    assert.equal(spec.source, 'default');
    assert.deepEqual(spec.base, { kind: 'toolchain', toolchains: ['debian'] });
    assert.deepEqual(spec.setup, []);
  });

  it('guesses toolchains and install commands from the files', () => {
    const node = findEnvironment(repo({ 'package.json': '{}' }));
    assert.deepEqual(node.base, { kind: 'toolchain', toolchains: ['node'] });
    assert.deepEqual(node.setup, ['npm install --no-audit --no-fund --no-package-lock']);
    assert.deepEqual(node.dependencyFolders, ['node_modules']);
    assert.match(findEnvironment(repo({ 'package.json': '{}', 'package-lock.json': '{}' })).setup[0]!, /^npm ci/);
    const mixed = findEnvironment(repo({ 'pyproject.toml': '', 'requirements-dev.txt': 'x\n', Makefile: 'all:\n', 'go.mod': '', 'Cargo.toml': '' }));
    assert.deepEqual(mixed.base, { kind: 'toolchain', toolchains: ['python', 'go', 'rust', 'build'] });
    assert.match(mixed.setup[0]!, /pip install .*--target \/opt\/corral\/site -r requirements-dev\.txt/);
    assert.ok(mixed.reasons.some((r) => r.includes('Makefile')));
  });

  it('reads a devcontainer.json with comments, hooks in every form, env, and names the features it skips', () => {
    const root = repo({
      '.devcontainer/devcontainer.json': `{
        // a comment
        "build": { "dockerfile": "Dockerfile", "context": "..", "args": { "V": "1" } },
        "containerEnv": { "FOO": "bar" },
        "remoteUser": "node",
        "features": { "ghcr.io/devcontainers/features/go:1": {} },
        "onCreateCommand": "echo one",
        "updateContentCommand": ["npm", "run", "build it"],
        "postCreateCommand": { "a": "echo a", "b": ["echo", "b"] },
        "forwardPorts": [5173, "8080", "db:5432"],
      }`,
      '.devcontainer/Dockerfile': 'FROM corral/debian:latest\n',
      'package.json': '{}',
    });
    const spec = findEnvironment(root);
    assert.equal(spec.source, 'devcontainer');
    assert.deepEqual(spec.base, { kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.', args: { V: '1' } });
    assert.deepEqual(spec.setup, ['echo one', "npm run 'build it'", 'echo a', 'echo b']);
    assert.deepEqual(spec.env, { FOO: 'bar' });
    assert.deepEqual(spec.ports, [5173, 8080]);
    assert.ok(spec.warnings.some((w) => w.includes('ghcr.io/devcontainers/features/go:1')));
    assert.ok(spec.warnings.some((w) => w.includes('node')));
    assert.deepEqual(spec.dependencyFolders, ['node_modules']);
  });

  it('prefers .corral/environment.json over a devcontainer', () => {
    const root = repo({
      '.corral/environment.json': JSON.stringify({ toolchains: ['python'], setup: 'echo hi', env: { A: 'b' }, ports: [3000] }),
      '.devcontainer/devcontainer.json': '{ "image": "x" }',
    });
    const spec = findEnvironment(root);
    assert.equal(spec.source, 'corral');
    assert.deepEqual(spec.base, { kind: 'toolchain', toolchains: ['python'] });
    assert.deepEqual(spec.setup, ['echo hi']);
    assert.deepEqual(spec.ports, [3000]);
  });

  it('refuses paths that lead out of the repository, and bad definitions, with what to fix', () => {
    refused(() => findEnvironment(repo({ '.corral/environment.json': '{"dockerfile": "../Dockerfile"}' })), /leads out of the repository/);
    refused(() => findEnvironment(repo({ '.devcontainer/devcontainer.json': '{"build": {"dockerfile": "../../etc/Dockerfile"}}' })), /leads out of the repository/);
    const linked = repo({ 'README.md': '' });
    fs.mkdirSync(path.join(linked, '.corral'));
    fs.symlinkSync('/etc/hostname', path.join(linked, '.corral', 'Dockerfile'));
    fs.writeFileSync(path.join(linked, '.corral', 'environment.json'), '{"dockerfile": ".corral/Dockerfile"}');
    refused(() => findEnvironment(linked), /leads out of the repository/);
    refused(() => findEnvironment(repo({ '.corral/environment.json': '{"imag": "x"}' })), /environment\.json/);
    refused(() => findEnvironment(repo({ '.corral/environment.json': '{"image": "x", "toolchains": ["node"]}' })), /more than one/);
    refused(() => findEnvironment(repo({ '.devcontainer/devcontainer.json': '{ "image": ' })), /not valid JSONC/);
    refused(() => findEnvironment(repo({ '.devcontainer/devcontainer.json': '{ "name": "x" }' })), /neither an image nor a Dockerfile/);
  });

  it('keys the cache by definition, lockfiles and manifests, not by other files', () => {
    const root = repo({ 'package.json': '{"name":"a"}', 'index.js': '1' });
    const first = environmentInputs(root, findEnvironment(root));
    fs.writeFileSync(path.join(root, 'index.js'), '2');
    assert.equal(environmentInputs(root, findEnvironment(root)).hash, first.hash);
    fs.writeFileSync(path.join(root, 'package.json'), '{"name":"b"}');
    const changed = environmentInputs(root, findEnvironment(root));
    assert.notEqual(changed.hash, first.hash);
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{}');
    const locked = environmentInputs(root, findEnvironment(root));
    assert.notEqual(locked.hash, changed.hash);
    assert.deepEqual(locked.files, ['package-lock.json', 'package.json']);
  });

  it("gives setup the host's proxies, registry and CA bundle, and none of the user's credentials", () => {
    const ca = path.join(repo({ 'ca.crt': 'CERT' }), 'ca.crt');
    const { env, binds } = setupNetwork(
      {
        HTTPS_PROXY: 'http://proxy:3128',
        no_proxy: 'localhost',
        npm_config_registry: 'https://npm.example',
        NPM_TOKEN: 'secret',
        GITHUB_TOKEN: 'secret',
        OPENAI_API_KEY: 'secret',
        AWS_SECRET_ACCESS_KEY: 'secret',
        npm_config__auth: 'secret',
        HOME: '/root',
      },
      ca,
    );
    assert.deepEqual(binds, [`${ca}:/etc/ssl/certs/corral-host-ca.crt:ro`]);
    assert.ok(env.includes('HTTPS_PROXY=http://proxy:3128') && env.includes('no_proxy=localhost') && env.includes('npm_config_registry=https://npm.example'));
    assert.ok(env.includes('NODE_EXTRA_CA_CERTS=/etc/ssl/certs/corral-host-ca.crt') && env.includes('PIP_CERT=/etc/ssl/certs/corral-host-ca.crt'));
    assert.deepEqual(
      env.filter((e) => e.includes('secret') || e.startsWith('HOME=')),
      [],
    );
    assert.deepEqual(setupNetwork({}, path.join(ca, 'missing')).binds, [], 'no bundle, no mount');
  });
});
