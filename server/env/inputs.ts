import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFESTS, TOOLCHAINS, type EnvironmentSpec } from './definition';
import { lockfilesOf } from './detect';

/** Bumped when the way an environment is built changes, so old caches are not trusted. */
export const BUILD_VERSION = 1;

export interface EnvironmentInputs {
  /** sha256 prefix over everything below: the cache key. */
  hash: string;
  /** The files that went into it, relative to the repository. */
  files: string[];
}

/**
 * The environment's cache key: its definition (not the explanations), the toolchain packages, the
 * Dockerfile, and the lockfiles and manifests. A repository without a lockfile is keyed by its
 * manifest: the same package.json reuses the tree it installed once.
 */
export function environmentInputs(root: string, spec: EnvironmentSpec): EnvironmentInputs {
  const digest = createHash('sha256');
  const definition = { version: BUILD_VERSION, base: spec.base, setup: spec.setup, env: spec.env, dependencyFolders: spec.dependencyFolders };
  digest.update(JSON.stringify(definition));
  if (spec.base.kind === 'toolchain') digest.update(JSON.stringify(spec.base.toolchains.map((t) => TOOLCHAINS[t])));
  const files = [...(spec.base.kind === 'dockerfile' ? [spec.base.dockerfile] : []), ...lockfilesOf(root), ...MANIFESTS.filter((m) => fs.existsSync(path.join(root, m)))];
  for (const file of files) {
    digest.update(`\0${file}\0`);
    digest.update(fs.readFileSync(path.join(root, file)));
  }
  return { hash: digest.digest('hex').slice(0, 16), files };
}
