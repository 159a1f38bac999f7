import { spawn } from 'node:child_process';
import { WebOpen } from '../../server/protocol';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

export interface WebOptions {
  port?: string;
  open?: boolean;
}

/** `corral web`: serves the web app from the daemon and prints a one-time sign-in link. */
export async function web(options: WebOptions, ctx: CliContext): Promise<void> {
  let port: number | undefined;
  if (options.port !== undefined) {
    port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CliError(`--port ${options.port} is not a port`, 'give a number from 1 to 65535, or 0 for any free port', ExitCode.Usage);
    }
  }
  const connection = await ctx.connect();
  let result;
  try {
    result = await connection.rpc.sendRequest(WebOpen, port === undefined ? {} : { port });
  } finally {
    connection.dispose();
  }
  let opened = false;
  if (options.open === true) opened = openBrowser(result.loginUrl);
  ctx.out.result({ ...result, opened }, (r) =>
    [
      `Corral web app: ${r.url}`,
      `Sign in with this link (it works once, until ${r.expiresAt}):`,
      `  ${r.loginUrl}`,
      options.open === true && !opened ? 'no browser could be started here (xdg-open is missing): open the link yourself' : '',
    ]
      .filter((line) => line !== '')
      .join('\n') + '\n',
  );
}

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
