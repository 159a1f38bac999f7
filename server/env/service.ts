import * as fs from 'node:fs';
import type Docker from 'dockerode';
import { DEFAULT_IMAGE_TAG } from '../docker/images';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import type { LineSink } from './containers';
import type { EnvironmentSpec } from './definition';
import { findEnvironment } from './detect';
import { environmentInputs, type EnvironmentInputs } from './inputs';
import { ensureImage } from './registry';
import { buildDockerfile, DEPS_DIR, runSetup } from './setup';
import { toolchainImage } from './toolchain';

/** Labels of environment images: the cache key, the repository, the dependency folders. */
export const ENV_LABELS = { hash: 'corral.env', repo: 'corral.env.repo', deps: 'corral.env.deps' } as const;
const ENV_REPO = 'corral/env';

const TOOLCHAIN_SOURCE = { image: 'on the engine', cache: 'loaded from the image cache', built: 'installed from Debian' } as const;

/** What a session needs from its repository's environment. */
export interface SessionEnvironment {
  image: string;
  /** NAME=value pairs from the definition. */
  env: string[];
  /** Folders set aside in the image under DEPS_DIR, linked into each session's checkout. */
  dependencyFolders: string[];
}

export interface EnvironmentReport {
  root: string;
  spec: EnvironmentSpec;
  inputs: EnvironmentInputs;
  /** The image sessions get, and whether it is on the engine now. */
  image: string;
  built: boolean;
}

export interface BuiltEnvironment extends SessionEnvironment {
  hash: string;
  source: 'image' | 'built';
  /** Where the time went, in order. */
  phases: { name: string; ms: number }[];
}

export interface EnvironmentSummary {
  image: string;
  hash: string;
  repo: string;
  dependencyFolders: string[];
  sizeBytes: number;
  created: string;
}

/**
 * Environments per repository: found (detect.ts), keyed by their inputs (inputs.ts), built once
 * with network (toolchain.ts, setup.ts) and reused by every session over the same inputs.
 * Concurrent starts over one environment wait for the same build.
 */
export class EnvironmentService {
  private readonly building = new Map<string, Promise<BuiltEnvironment>>();

  constructor(
    private readonly docker: () => Promise<Docker>,
    private readonly options: { cacheDir: string; defaultImage: string; hostEnv: NodeJS.ProcessEnv },
  ) {}

  /** What was found and why, the cache key, and whether it is built. Runs nothing. */
  async show(root: string): Promise<EnvironmentReport> {
    checkRoot(root);
    const spec = findEnvironment(root);
    const inputs = environmentInputs(root, spec);
    const image = this.imageName(spec, inputs.hash);
    const built =
      (await (
        await this.docker()
      )
        .getImage(image)
        .inspect()
        .catch(() => undefined)) !== undefined;
    return { root, spec, inputs, image, built };
  }

  /** The environment for a session over `root`: built now when missing, else at once. */
  async forSession(root: string, say: LineSink = () => undefined): Promise<SessionEnvironment> {
    const { image, env, dependencyFolders } = await this.build(root, say);
    return { image, env, dependencyFolders };
  }

  async build(root: string, say: LineSink = () => undefined): Promise<BuiltEnvironment> {
    checkRoot(root);
    const spec = findEnvironment(root);
    const inputs = environmentInputs(root, spec);
    const running = this.building.get(inputs.hash);
    if (running) return running;
    const build = this.buildNow(root, spec, inputs, say).finally(() => this.building.delete(inputs.hash));
    this.building.set(inputs.hash, build);
    return build;
  }

  async list(): Promise<EnvironmentSummary[]> {
    const images = await (await this.docker()).listImages({ filters: { label: [ENV_LABELS.hash] } });
    return images.map((image) => ({
      image: image.RepoTags?.[0] ?? image.Id,
      hash: image.Labels?.[ENV_LABELS.hash] ?? '',
      repo: image.Labels?.[ENV_LABELS.repo] ?? '',
      dependencyFolders: splitList(image.Labels?.[ENV_LABELS.deps]),
      sizeBytes: image.Size,
      created: new Date(image.Created * 1000).toISOString(),
    }));
  }

  /** Removes environment images (the one of a repository's current inputs, or all) that no container uses; says why any was kept. */
  async prune(repo?: string): Promise<{ removed: string[]; kept: { image: string; reason: string }[] }> {
    const docker = await this.docker();
    const removed: string[] = [];
    const kept: { image: string; reason: string }[] = [];
    // By the repository's current cache key: an image serves every repository with the same inputs,
    // and its label names only the first one it was built for.
    const hash = repo === undefined ? undefined : (checkRoot(repo), environmentInputs(repo, findEnvironment(repo)).hash);
    const envs = (await this.list()).filter((e) => (hash === undefined || e.hash === hash) && e.image.startsWith(`${ENV_REPO}:`));
    for (const env of envs) {
      try {
        await docker.getImage(env.image).remove();
        removed.push(env.image);
        // A Dockerfile's own image goes with the environment built on it.
        await docker
          .getImage(`${ENV_REPO}-base:${env.hash}`)
          .remove()
          .catch(() => undefined);
      } catch (error) {
        kept.push({ image: env.image, reason: (error as Error).message });
      }
    }
    return { removed, kept };
  }

  private imageName(spec: EnvironmentSpec, hash: string): string {
    if (spec.setup.length > 0 || spec.base.kind === 'dockerfile') return `${ENV_REPO}:${hash}`;
    if (spec.base.kind === 'image') return spec.base.image;
    return spec.base.toolchains.every((t) => t === 'debian') ? this.options.defaultImage : `${ENV_REPO}:${hash}`;
  }

  private async buildNow(root: string, spec: EnvironmentSpec, inputs: EnvironmentInputs, say: LineSink): Promise<BuiltEnvironment> {
    const docker = await this.docker();
    const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
    const tag = this.imageName(spec, inputs.hash);
    const phases: BuiltEnvironment['phases'] = [];
    const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        phases.push({ name, ms: Math.round(performance.now() - started) });
      }
    };
    const existing = await docker
      .getImage(tag)
      .inspect()
      .catch(() => undefined);
    if (existing) {
      return { image: tag, env, dependencyFolders: splitList(existing.Config?.Labels?.[ENV_LABELS.deps]), hash: inputs.hash, source: 'image', phases };
    }
    const labels = { [ENV_LABELS.hash]: inputs.hash, [ENV_LABELS.repo]: root };
    let base: string;
    if (spec.base.kind === 'image') {
      const image = spec.base.image;
      await timed('pull', () => ensureImage(docker, image, say));
      base = image;
    } else if (spec.base.kind === 'dockerfile') {
      const dockerfile = spec.base;
      base = spec.setup.length > 0 ? `${ENV_REPO}-base:${inputs.hash}` : tag;
      await timed('dockerfile', () => buildDockerfile(docker, root, dockerfile, base, labels, say));
    } else {
      const toolchains = spec.base.toolchains;
      const started = performance.now();
      const toolchain = await toolchainImage(docker, toolchains, { cacheDir: this.options.cacheDir, hostEnv: this.options.hostEnv, say });
      phases.push({ name: `toolchain ${toolchains.join('+')} (${TOOLCHAIN_SOURCE[toolchain.source]})`, ms: Math.round(performance.now() - started) });
      base = toolchain.tag;
      if (spec.setup.length === 0 && base === DEFAULT_IMAGE_TAG.debian && tag === this.options.defaultImage) {
        return { image: tag, env, dependencyFolders: [], hash: inputs.hash, source: 'image', phases };
      }
    }
    if (spec.setup.length === 0) {
      if (base !== tag) await docker.getImage(base).tag({ repo: ENV_REPO, tag: inputs.hash });
      return { image: tag, env, dependencyFolders: [], hash: inputs.hash, source: 'built', phases };
    }
    const setup = await timed('setup', () => runSetup(docker, root, spec, base, tag, { hostEnv: this.options.hostEnv, labels, depsLabel: ENV_LABELS.deps, say }));
    say(`environment ${tag} is ready${setup.dependencyFolders.length > 0 ? ` (${setup.dependencyFolders.join(', ')} in ${DEPS_DIR})` : ''}`);
    return { image: tag, env, dependencyFolders: setup.dependencyFolders, hash: inputs.hash, source: 'built', phases };
  }
}

function checkRoot(root: string): void {
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CorralError(ErrorCode.NotFound, `${root} is not a folder on this machine`, 'pass --repo a repository folder');
  }
}

function splitList(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
}
