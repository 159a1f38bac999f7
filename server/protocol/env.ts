import * as z from 'zod/mini';
import { CorralNotification, CorralRequest, NoParams, ProgressLine, ProgressToken } from './base';

const RepoPath = z.string().check(z.minLength(1), z.maxLength(4096));

/** Where an environment's base comes from. */
export const EnvBaseInfo = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('toolchain'), toolchains: z.array(z.string()) }),
  z.strictObject({ kind: z.literal('image'), image: z.string() }),
  z.strictObject({ kind: z.literal('dockerfile'), dockerfile: z.string(), context: z.string(), args: z.record(z.string(), z.string()) }),
]);
export type EnvBaseInfo = z.infer<typeof EnvBaseInfo>;

/** A repository's environment as found: which definition, what it builds, and why. */
export const EnvShowResult = z.strictObject({
  root: z.string(),
  source: z.enum(['corral', 'devcontainer', 'default']),
  /** The definition file relative to the repository, or null for the default. */
  file: z.nullable(z.string()),
  base: EnvBaseInfo,
  setup: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  ports: z.array(z.int()),
  dependencyFolders: z.array(z.string()),
  reasons: z.array(z.string()),
  warnings: z.array(z.string()),
  /** The cache key, and the files (besides the definition) that went into it. */
  hash: z.string(),
  inputs: z.array(z.string()),
  /** The image sessions over this repository get, and whether it is built. */
  image: z.string(),
  built: z.boolean(),
});
export type EnvShowResult = z.infer<typeof EnvShowResult>;

export const EnvShowParams = z.strictObject({ repo: RepoPath });
/** `env/show`: what environment a repository gets and why; builds nothing. */
export const EnvShow = new CorralRequest('env/show', EnvShowParams, EnvShowResult);

export const EnvBuildResult = z.strictObject({
  image: z.string(),
  hash: z.string(),
  /** `image`: it was built already; `built`: built now. */
  source: z.enum(['image', 'built']),
  dependencyFolders: z.array(z.string()),
  /** Where the time went. */
  phases: z.array(z.strictObject({ name: z.string(), ms: z.number() })),
});
export type EnvBuildResult = z.infer<typeof EnvBuildResult>;

export const EnvBuildParams = z.strictObject({
  repo: RepoPath,
  /** Echoed in each `env/progress` of this build. */
  progressToken: z.optional(ProgressToken),
});
/** `env/build`: builds the repository's environment (setup with network) unless it is cached; progress as `env/progress`. */
export const EnvBuild = new CorralRequest('env/build', EnvBuildParams, EnvBuildResult);

export const EnvSummary = z.strictObject({
  image: z.string(),
  hash: z.string(),
  repo: z.string(),
  dependencyFolders: z.array(z.string()),
  sizeBytes: z.number(),
  created: z.string(),
});
export type EnvSummary = z.infer<typeof EnvSummary>;

/** `env/list`: the environment images on the engine. */
export const EnvList = new CorralRequest('env/list', NoParams, z.array(EnvSummary));

export const EnvPruneParams = z.strictObject({ repo: z.optional(RepoPath) });
/** `env/prune`: removes environment images no session uses (of one repository, or all). */
export const EnvPrune = new CorralRequest(
  'env/prune',
  EnvPruneParams,
  z.strictObject({ removed: z.array(z.string()), kept: z.array(z.strictObject({ image: z.string(), reason: z.string() })) }),
);

export const ImagePullParams = z.strictObject({
  image: z.string().check(z.minLength(1), z.maxLength(256)),
  /** Echoed in each `env/progress` of this pull. */
  progressToken: z.optional(ProgressToken),
});
/** `image/pull`: an image from its registry; ImageUnavailable within seconds when none answers. */
export const ImagePull = new CorralRequest('image/pull', ImagePullParams, z.strictObject({ image: z.string(), source: z.enum(['image', 'pulled']) }));

/** `env/progress`: a line of a running environment build or pull (also during `session/start`), with its request's `progressToken`. */
export const EnvProgress = new CorralNotification('env/progress', ProgressLine);
