import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { CorralEnvironmentFile, LOCKFILES, type EnvironmentSpec, type Toolchain } from './definition';
import { fromDevcontainer } from './devcontainer';
import { insideRepo, readOptional } from './paths';

export const CORRAL_FILE = '.corral/environment.json';
const DEVCONTAINER_FILES = ['.devcontainer/devcontainer.json', '.devcontainer.json'];

/**
 * The environment of the repository at `root`, in this order: Corral's own definition, a
 * devcontainer, else a default guessed from the files the repository holds. Reads only files
 * inside `root`; runs nothing.
 */
export function findEnvironment(root: string): EnvironmentSpec {
  const own = readOptional(path.join(root, CORRAL_FILE));
  if (own !== undefined) return fromCorralFile(root, own);
  for (const file of DEVCONTAINER_FILES) {
    const text = readOptional(path.join(root, file));
    if (text !== undefined) {
      insideRepo(root, root, file, 'the devcontainer definition');
      return withDependencies(root, fromDevcontainer(root, file, text));
    }
  }
  return defaultEnvironment(root);
}

function fromCorralFile(root: string, text: string): EnvironmentSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CorralError(ErrorCode.InvalidParams, `${CORRAL_FILE} is not JSON: ${(error as Error).message}`, `fix ${CORRAL_FILE}`);
  }
  const parsed = CorralEnvironmentFile.safeParse(raw);
  if (!parsed.success) {
    throw new CorralError(
      ErrorCode.InvalidParams,
      `${CORRAL_FILE}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
      `fix ${CORRAL_FILE} (keys: image | dockerfile+context+args | toolchains, setup, env, ports, dependencyFolders)`,
    );
  }
  const def = parsed.data;
  if ([def.image, def.dockerfile, def.toolchains].filter((x) => x !== undefined).length > 1) {
    throw new CorralError(ErrorCode.InvalidParams, `${CORRAL_FILE} names more than one of image, dockerfile and toolchains`, 'keep one of them');
  }
  const reasons = [`${CORRAL_FILE} was found (it comes first)`];
  let base: EnvironmentSpec['base'];
  if (def.dockerfile !== undefined) {
    const dockerfile = insideRepo(root, root, def.dockerfile, 'the Dockerfile');
    const context = insideRepo(root, root, def.context ?? path.dirname(def.dockerfile), 'the build context');
    base = { kind: 'dockerfile', dockerfile: path.relative(root, dockerfile), context: path.relative(root, context) || '.', args: def.args ?? {} };
    reasons.push(`it builds ${base.dockerfile}`);
  } else if (def.image !== undefined) {
    base = { kind: 'image', image: def.image };
    reasons.push(`it names the image ${def.image}`);
  } else {
    const guessed = def.toolchains ?? guessToolchains(root).toolchains;
    base = { kind: 'toolchain', toolchains: guessed };
    reasons.push(def.toolchains ? `it asks for the ${guessed.join(' + ')} toolchain` : `no base given: ${guessed.join(' + ')} from the repository's files`);
  }
  for (const folder of def.dependencyFolders ?? []) insideRepo(root, root, folder, 'the dependency folder');
  const setup = def.setup === undefined ? [] : typeof def.setup === 'string' ? [def.setup] : def.setup;
  const spec: EnvironmentSpec = {
    source: 'corral',
    file: CORRAL_FILE,
    base,
    setup,
    env: def.env ?? {},
    ports: def.ports ?? [],
    dependencyFolders: def.dependencyFolders ?? [],
    reasons,
    warnings: [],
  };
  return def.dependencyFolders ? spec : withDependencies(root, spec);
}

/** What the repository's files say it needs, and why. */
export function guessToolchains(root: string): { toolchains: Toolchain[]; reasons: string[] } {
  const has = (name: string): boolean => fs.existsSync(path.join(root, name));
  const names = safeList(root);
  const toolchains: Toolchain[] = [];
  const reasons: string[] = [];
  const add = (toolchain: Toolchain, why: string): void => {
    if (!toolchains.includes(toolchain)) toolchains.push(toolchain);
    reasons.push(why);
  };
  if (has('package.json')) add('node', 'package.json → Node.js and npm');
  const requirements = names.filter((n) => /^requirements.*\.txt$/.test(n));
  if (has('pyproject.toml') || has('setup.py') || requirements.length > 0)
    add('python', `${[has('pyproject.toml') ? 'pyproject.toml' : '', has('setup.py') ? 'setup.py' : '', ...requirements].filter(Boolean).join(', ')} → Python with venv and pip`);
  if (has('go.mod')) add('go', 'go.mod → Go');
  if (has('Cargo.toml')) add('rust', 'Cargo.toml → Rust and cargo');
  if (has('Makefile') || has('makefile') || has('CMakeLists.txt')) add('build', 'a Makefile → make and a C toolchain');
  if (toolchains.length === 0) {
    return { toolchains: ['debian'], reasons: ['nothing that names a toolchain: the workspace image (git, bash, python3)'] };
  }
  return { toolchains, reasons };
}

/** No definition: a toolchain from the repository's files and the usual install commands. */
function defaultEnvironment(root: string): EnvironmentSpec {
  const guessed = guessToolchains(root);
  const spec: EnvironmentSpec = {
    source: 'default',
    file: null,
    base: { kind: 'toolchain', toolchains: guessed.toolchains },
    setup: [],
    env: {},
    ports: [],
    dependencyFolders: [],
    reasons: ['no .corral/environment.json or .devcontainer/devcontainer.json', ...guessed.reasons],
    warnings: [],
  };
  const has = (name: string): boolean => fs.existsSync(path.join(root, name));
  if (guessed.toolchains.includes('node')) {
    if (has('package-lock.json') || has('npm-shrinkwrap.json')) {
      spec.setup.push('npm ci --no-audit --no-fund');
      spec.reasons.push('package-lock.json → npm ci');
    } else {
      spec.setup.push('npm install --no-audit --no-fund --no-package-lock');
      spec.reasons.push('no npm lockfile → npm install (cached by package.json; a lockfile pins it better)');
      if (has('pnpm-lock.yaml') || has('yarn.lock')) spec.warnings.push('pnpm and yarn are not in the Node toolchain: installed with npm from package.json');
    }
  }
  const requirements = safeList(root)
    .filter((n) => /^requirements.*\.txt$/.test(n))
    .sort();
  if (requirements.length > 0) {
    // /opt/corral/site is on every Python's path (a .pth file of the python toolchain).
    spec.setup.push(`pip install --no-input --disable-pip-version-check --target /opt/corral/site ${requirements.map((r) => `-r ${r}`).join(' ')}`);
    spec.reasons.push(`${requirements.join(', ')} → pip install into /opt/corral/site`);
  }
  return withDependencies(root, spec);
}

/** node_modules is what an npm install leaves in the workspace; sessions get it from the environment. */
function withDependencies(root: string, spec: EnvironmentSpec): EnvironmentSpec {
  const node = fs.existsSync(path.join(root, 'package.json')) && spec.setup.some((c) => /\b(npm|pnpm|yarn)\b/.test(c));
  return node && !spec.dependencyFolders.includes('node_modules') ? { ...spec, dependencyFolders: [...spec.dependencyFolders, 'node_modules'] } : spec;
}

function safeList(root: string): string[] {
  try {
    return fs.readdirSync(root);
  } catch {
    return [];
  }
}

/** Lockfiles present at the top of the repository (they key the environment's cache). */
export function lockfilesOf(root: string): string[] {
  const names = safeList(root);
  return [...LOCKFILES.filter((n) => names.includes(n)), ...names.filter((n) => /^requirements.*\.txt$/.test(n)).sort()];
}
