import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

const RepoPath = z.string().check(z.minLength(1), z.maxLength(4096));

/** Where an environment's base comes from. */
export type EnvBaseInfo =
  | { kind: 'toolchain'; toolchains: string[] }
  | { kind: 'image'; image: string }
  | { kind: 'dockerfile'; dockerfile: string; context: string; args: Record<string, string> };

/** A repository's environment as found: which definition, what it builds, and why. */
export interface EnvShowResult {
  root: string;
  source: 'corral' | 'devcontainer' | 'default';
  /** The definition file relative to the repository, or null for the default. */
  file: string | null;
  base: EnvBaseInfo;
  setup: string[];
  env: Record<string, string>;
  ports: number[];
  dependencyFolders: string[];
  reasons: string[];
  warnings: string[];
  /** The cache key, and the files (besides the definition) that went into it. */
  hash: string;
  inputs: string[];
  /** The image sessions over this repository get, and whether it is built. */
  image: string;
  built: boolean;
}

export const EnvShowParams = z.strictObject({ repo: RepoPath });
/** `env/show`: what environment a repository gets and why; builds nothing. */
export const EnvShow = new CorralRequest<typeof EnvShowParams, EnvShowResult>('env/show', EnvShowParams, 'owner');

export interface EnvBuildResult {
  image: string;
  hash: string;
  /** `image`: it was built already; `built`: built now. */
  source: 'image' | 'built';
  dependencyFolders: string[];
  /** Where the time went. */
  phases: { name: string; ms: number }[];
}

export const EnvBuildParams = z.strictObject({ repo: RepoPath });
/** `env/build`: builds the repository's environment (setup with network) unless it is cached; progress as `env/progress`. */
export const EnvBuild = new CorralRequest<typeof EnvBuildParams, EnvBuildResult>('env/build', EnvBuildParams, 'owner');

export interface EnvSummary {
  image: string;
  hash: string;
  repo: string;
  dependencyFolders: string[];
  sizeBytes: number;
  created: string;
}

const EnvListParams = z.optional(z.strictObject({}));
/** `env/list`: the environment images on the engine. */
export const EnvList = new CorralRequest<typeof EnvListParams, EnvSummary[]>('env/list', EnvListParams);

export const EnvPruneParams = z.strictObject({ repo: z.optional(RepoPath) });
/** `env/prune`: removes environment images no session uses (of one repository, or all). */
export const EnvPrune = new CorralRequest<typeof EnvPruneParams, { removed: string[]; kept: { image: string; reason: string }[] }>('env/prune', EnvPruneParams, 'owner');

export const ImagePullParams = z.strictObject({ image: z.string().check(z.minLength(1), z.maxLength(256)) });
/** `image/pull`: an image from its registry; ImageUnavailable within seconds when none answers. */
export const ImagePull = new CorralRequest<typeof ImagePullParams, { image: string; source: 'image' | 'pulled' }>('image/pull', ImagePullParams, 'owner');

/** `env/progress`: a line of a running environment build (also during `session/start`). */
export const EnvProgress = new CorralNotification<{ message: string }>('env/progress');
