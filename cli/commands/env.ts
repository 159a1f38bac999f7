import { EnvBuild, EnvList, EnvProgress, EnvPrune, EnvShow, ImagePull, type EnvShowResult } from '../../server/protocol/env';
import type { CommandFunction } from '../command';
import type { envBuildCommand, envLsCommand, envPruneCommand, envShowCommand, imagePullCommand } from '../commands';
import type { CliContext } from '../context';
import { ExitCode } from '../exitCodes';
import { table } from '../output';
import { gitRootAbove } from '../repo';

/** --repo, else the repository you are in, else the current folder. */
function repoOf(ctx: CliContext, repo: string | undefined): string {
  return repo === undefined ? (gitRootAbove(ctx.cwd) ?? ctx.cwd) : ctx.resolve(repo);
}

/** `corral env show [--repo R]`: what environment sessions over R get, and why. */
export const show: CommandFunction<typeof envShowCommand> = async (ctx, options) => {
  ctx.out.result(await ctx.call(EnvShow, { repo: repoOf(ctx, options.repo) }), describe);
  return ExitCode.Ok;
};

function describe(e: EnvShowResult): string {
  const base =
    e.base.kind === 'toolchain'
      ? `Debian toolchain: ${e.base.toolchains.join(' + ')}`
      : e.base.kind === 'image'
        ? `image ${e.base.image}`
        : `Dockerfile ${e.base.dockerfile} (context ${e.base.context})`;
  const lines = [
    `repository   ${e.root}`,
    `definition   ${e.file ?? '(none: the default)'}`,
    `base         ${base}`,
    `setup        ${e.setup.length === 0 ? '(none)' : e.setup.join('\n             ')}`,
    ...(Object.keys(e.env).length > 0
      ? [
          `env          ${Object.entries(e.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ]
      : []),
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
export const build: CommandFunction<typeof envBuildCommand> = async (ctx, options) => {
  const repo = repoOf(ctx, options.repo);
  const connection = await ctx.connection();
  const built = await ctx.out.during(`building the environment of ${repo}`, (progress) => {
    connection.rpc.onNotification(EnvProgress, ({ message }) => progress.update(message));
    return ctx.call(EnvBuild, { repo });
  });
  ctx.out.result(
    built,
    (b) =>
      `${b.image} (${b.source === 'image' ? 'cached' : 'built'}${b.phases.length > 0 ? `: ${b.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s`).join(', ')}` : ''})\n`,
  );
  return ExitCode.Ok;
};

/** `corral env ls`: environment images on the engine. */
export const ls: CommandFunction<typeof envLsCommand> = async (ctx) => {
  const list = await ctx.call(EnvList, {});
  ctx.out.result(list, (l) =>
    l.length === 0
      ? 'no environments built (`corral env build`, or start a session on a repository)\n'
      : table([
          ['IMAGE', 'REPOSITORY', 'DEPENDENCIES', 'SIZE', 'CREATED'],
          ...l.map((e) => [e.image, e.repo, e.dependencyFolders.join(' ') || '-', `${Math.round(e.sizeBytes / 1024 / 1024)} MB`, e.created]),
        ]),
  );
  return ExitCode.Ok;
};

/** `corral env prune [--repo R]`: removes environment images no session uses. */
export const prune: CommandFunction<typeof envPruneCommand> = async (ctx, options) => {
  const result = await ctx.call(EnvPrune, options.repo === undefined ? {} : { repo: ctx.resolve(options.repo) });
  ctx.out.result(
    result,
    (r) => `${r.removed.length === 0 ? 'nothing removed' : `removed ${r.removed.join(' ')}`}\n${r.kept.map((k) => `kept ${k.image}: ${k.reason}\n`).join('')}`,
  );
  return ExitCode.Ok;
};

/** `corral image pull NAME`: from its registry when one answers; otherwise says how to build offline. */
export const pull: CommandFunction<typeof imagePullCommand> = async (ctx, { name: image }) => {
  const connection = await ctx.connection();
  const result = await ctx.out.during(`pulling ${image}`, (progress) => {
    connection.rpc.onNotification(EnvProgress, ({ message }) => progress.update(message));
    return ctx.call(ImagePull, { image });
  });
  ctx.out.result(result, (r) => `${r.image} (${r.source === 'image' ? 'already here' : 'pulled'})\n`);
  return ExitCode.Ok;
};
