import { ImageBuild, ImageList, ImageProgress } from '../../server/protocol';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';
import { table } from '../output';

export interface BuildOptions {
  base?: string;
  tag?: string;
}

/** `corral image build [--base tiny|debian] [--tag T]`: offline, cached; progress on stderr. */
export async function build(options: BuildOptions, ctx: CliContext): Promise<void> {
  const base = options.base ?? 'debian';
  if (base !== 'tiny' && base !== 'debian') throw new CliError(`unknown base ${base}`, 'use --base tiny or --base debian', ExitCode.Usage);
  const connection = await ctx.connect();
  try {
    const image = await ctx.out.during(`building the ${base} image`, (progress) => {
      connection.rpc.onNotification(ImageProgress, ({ message }) => progress.update(message));
      return connection.rpc.sendRequest(ImageBuild, { base, ...(options.tag === undefined ? {} : { tag: options.tag }) });
    });
    ctx.out.result(image, (i) => `${i.tag} ${i.id.slice(7, 19)} (${i.source})\n`);
  } finally {
    connection.dispose();
  }
}

export async function ls(_options: object, ctx: CliContext): Promise<void> {
  const connection = await ctx.connect();
  try {
    const images = await connection.rpc.sendRequest(ImageList, {});
    ctx.out.result(images, (list) =>
      list.length === 0
        ? 'no Corral images (build one with `corral image build`)\n'
        : table([['TAG', 'ID', 'BASE', 'SIZE'], ...list.map((i) => [i.tag, i.id.slice(7, 19), i.base, `${Math.round(i.sizeBytes / 1024 / 1024)} MB`])]),
    );
  } finally {
    connection.dispose();
  }
}
