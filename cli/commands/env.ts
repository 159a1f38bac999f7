import * as path from 'node:path';
import { EnvBuild, EnvList, EnvProgress, EnvPrune, EnvShow, ImagePull, type EnvShowResult } from '../../server/protocol/env';
import type { CliContext } from '../context';
import { table } from '../output';
import { gitRootAbove } from '../repo';

export interface RepoOptions {
  repo?: string;
}

/** --repo, else the repository you are in, else the current folder. */
function repoOf(options: RepoOptions): string {
  return options.repo === undefined ? (gitRootAbove(process.cwd()) ?? process.cwd()) : path.resolve(options.repo);
}

/** `corral env show [--repo R]`: what environment sessions over R get, and why. */
export async function show(options: RepoOptions, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const found = await connection.rpc.sendRequest(EnvShow, { repo: repoOf(options) });
    ctx.out.result(found, describe);
  } finally {
    connection.dispose();
  }
}

function describe(e: EnvShowResult): string {
  const base = e.base.kind === 'toolchain' ? `Debian toolchain: ${e.base.toolchains.join(' + ')}` : e.base.kind === 'image' ? `image ${e.base.image}` : `Dockerfile ${e.base.dockerfile} (context ${e.base.context})`;
  const lines = [
    `repository   ${e.root}`,
    `definition   ${e.file ?? '(none: the default)'}`,
    `base         ${base}`,
    `setup        ${e.setup.length === 0 ? '(none)' : e.setup.join('\n             ')}`,
    ...(Object.keys(e.env).length > 0 ? [`env          ${Object.entries(e.env).map(([k, v]) => `${k}=${v}`).join(' ')}`] : []),
    ...(e.ports.length > 0 ? [`ports        ${e.ports.join(' ')}`] : []),
    ...(e.dependencyFolders.length > 0 ? [`dependencies ${e.dependencyFolders.join(' ')} (shared read-only with every session)`] : []),
    `cache key    ${e.hash} (from the definition${e.inputs.length > 0 ? `, ${e.inputs.join(', ')}` : ''})`,
    `image        ${e.image} (${e.built ? 'built' : 'not built yet: `corral env build`, or the first session builds it'})`,
    'why:',
    ...e.reasons.map((r) => `  - ${r}`),
    ...e.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `corral env build [--repo R]`: builds R's environment now (setup with network); output streams as progress. */
export async function build(options: RepoOptions, ctx: CliContext): Promise<void> {
  const repo = repoOf(options);
  const connection = await ctx.connect();
  try {
    const built = await ctx.out.during(`building the environment of ${repo}`, (progress) => {
      connection.rpc.onNotification(EnvProgress, ({ message }) => progress.update(message));
      return connection.rpc.sendRequest(EnvBuild, { repo });
    });
    ctx.out.result(built, (b) => `${b.image} (${b.source === 'image' ? 'cached' : 'built'}${b.phases.length > 0 ? `: ${b.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s`).join(', ')}` : ''})\n`);
  } finally {
    connection.dispose();
  }
}

/** `corral env ls`: environment images on the engine. */
export async function ls(_options: object, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const list = await connection.rpc.sendRequest(EnvList, {});
    ctx.out.result(list, (l) =>
      l.length === 0
        ? 'no environments built (`corral env build`, or start a session on a repository)\n'
        : table([['IMAGE', 'REPOSITORY', 'DEPENDENCIES', 'SIZE', 'CREATED'], ...l.map((e) => [e.image, e.repo, e.dependencyFolders.join(' ') || '-', `${Math.round(e.sizeBytes / 1024 / 1024)} MB`, e.created])]),
    );
  } finally {
    connection.dispose();
  }
}

/** `corral env prune [--repo R]`: removes environment images no session uses. */
export async function prune(options: RepoOptions, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await connection.rpc.sendRequest(EnvPrune, options.repo === undefined ? {} : { repo: path.resolve(options.repo) });
    ctx.out.result(result, (r) => `${r.removed.length === 0 ? 'nothing removed' : `removed ${r.removed.join(' ')}`}\n${r.kept.map((k) => `kept ${k.image}: ${k.reason}\n`).join('')}`);
  } finally {
    connection.dispose();
  }
}

/** `corral image pull NAME`: from its registry when one answers; otherwise says how to build offline. */
export async function pull(_options: object, ctx: CliContext, image: string): Promise<void> {
  const connection = await ctx.connect();
  try {
    const result = await ctx.out.during(`pulling ${image}`, (progress) => {
      connection.rpc.onNotification(EnvProgress, ({ message }) => progress.update(message));
      return connection.rpc.sendRequest(ImagePull, { image });
    });
    ctx.out.result(result, (r) => `${r.image} (${r.source === 'image' ? 'already here' : 'pulled'})\n`);
  } finally {
    connection.dispose();
  }
}
