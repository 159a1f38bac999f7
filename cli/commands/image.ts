import { ImageBuild, ImageList, ImageProgress } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { imageBuildCommand, imageLsCommand } from '../commands';
import { ExitCode } from '../exitCodes';
import { table } from '../output';

/** `corral image build [--base tiny|debian] [--tag T]`: offline, cached; progress on stderr. */
export const build: CommandFunction<typeof imageBuildCommand> = async (ctx, { base, tag }) => {
  const connection = await ctx.connection();
  const image = await ctx.out.during(`building the ${base} image`, (progress) => {
    connection.rpc.onNotification(ImageProgress, ({ message }) => progress.update(message));
    return ctx.call(ImageBuild, { base, ...(tag === undefined ? {} : { tag }) });
  });
  ctx.out.result(image, (i) => `${i.tag} ${i.id.slice(7, 19)} (${i.source})\n`);
  return ExitCode.Ok;
};

/** `corral image ls`: the images Corral built. */
export const ls: CommandFunction<typeof imageLsCommand> = async (ctx) => {
  const images = await ctx.call(ImageList, {});
  ctx.out.result(images, (list) =>
    list.length === 0
      ? 'no Corral images (build one with `corral image build`)\n'
      : table([['TAG', 'ID', 'BASE', 'SIZE'], ...list.map((i) => [i.tag, i.id.slice(7, 19), i.base, `${Math.round(i.sizeBytes / 1024 / 1024)} MB`])]),
  );
  return ExitCode.Ok;
};
