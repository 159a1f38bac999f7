import * as z from 'zod/mini';

/**
 * Debian-package recipes an environment can start from when the repository names no image of its
 * own: `debian` is today's workspace image; the others add a toolchain on top of it.
 */
export const TOOLCHAINS = {
  debian: [],
  node: ['nodejs', 'npm'],
  python: ['python3-venv', 'python3-pip'],
  build: ['build-essential', 'make'],
  go: ['golang-go'],
  rust: ['cargo', 'rustc'],
} as const satisfies Record<string, readonly string[]>;
export type Toolchain = keyof typeof TOOLCHAINS;

/** Where an environment's base comes from. */
export type EnvBase =
  { kind: 'toolchain'; toolchains: Toolchain[] } | { kind: 'image'; image: string } | { kind: 'dockerfile'; dockerfile: string; context: string; args: Record<string, string> };

/** What a repository's environment is, found by `findEnvironment` (pure data, JSON-safe). */
export interface EnvironmentSpec {
  /** Which definition won: Corral's own, a devcontainer, or the default from the repository's files. */
  source: 'corral' | 'devcontainer' | 'default';
  /** The definition file, relative to the repository, when there is one. */
  file: string | null;
  base: EnvBase;
  /** Shell commands run once per environment, with network, as the jail user, in /workspace. */
  setup: string[];
  env: Record<string, string>;
  ports: number[];
  /** Folders the setup leaves in /workspace that every session gets (e.g. node_modules). */
  dependencyFolders: string[];
  /** Why this was chosen, for `corral env show`. */
  reasons: string[];
  /** What was found but cannot be honoured (devcontainer features offline, …). */
  warnings: string[];
}

const RelativePath = z.string().check(z.minLength(1), z.maxLength(1024));

/** `.corral/environment.json`: Corral's own environment definition. */
export const CorralEnvironmentFile = z.strictObject({
  /** A local image (or one a registry can give); exclusive with `dockerfile` and `toolchains`. */
  image: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  /** A Dockerfile inside the repository, built with `context` (default: its folder). */
  dockerfile: z.optional(RelativePath),
  context: z.optional(RelativePath),
  args: z.optional(z.record(z.string(), z.string())),
  /** Debian-package toolchains on top of the workspace image (default: guessed from the repository). */
  toolchains: z.optional(z.array(z.enum(Object.keys(TOOLCHAINS) as [Toolchain, ...Toolchain[]]))),
  setup: z.optional(z.union([z.string(), z.array(z.string())])),
  env: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), z.string())),
  ports: z.optional(z.array(z.number().check(z.int(), z.minimum(1), z.maximum(65535)))),
  dependencyFolders: z.optional(z.array(RelativePath)),
});
export type CorralEnvironmentFile = z.infer<typeof CorralEnvironmentFile>;

/** The lockfiles whose content keys an environment's cache (besides its definition). */
export const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'poetry.lock', 'uv.lock', 'Cargo.lock', 'go.sum'];

/** Manifests hashed too: without a lockfile, what an install resolves to follows from them. */
export const MANIFESTS = ['package.json', 'pyproject.toml', 'Cargo.toml', 'go.mod'];
