import { spawn } from 'node:child_process';
import { WebOpen } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { webCommand } from '../commands';
import { ExitCode } from '../exitCodes';

/** `corral web`: serves the web app from the daemon and prints a one-time sign-in link. */
export const web: CommandFunction<typeof webCommand> = async (ctx, options) => {
  const { port } = options;
  const result = await ctx.call(WebOpen, port === undefined ? {} : { port });
  let opened = false;
  if (options.open === true) opened = openBrowser(result.loginUrl);
  ctx.out.result(
    { ...result, opened },
    (r) =>
      [
        `Corral web app: ${r.url}`,
        `Sign in with this link (it works once, until ${r.expiresAt}):`,
        `  ${r.loginUrl}`,
        options.open === true && !opened ? 'no browser could be started here (xdg-open is missing): open the link yourself' : '',
      ]
        .filter((line) => line !== '')
        .join('\n') + '\n',
  );
  return ExitCode.Ok;
};

/** Starts the desktop's browser on the link, detached; false when there is no opener. */
function openBrowser(url: string): boolean {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return child.pid !== undefined;
  } catch {
    return false;
  }
}
