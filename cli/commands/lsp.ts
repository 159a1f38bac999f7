import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

export interface LspOptions {
  stdio?: boolean;
}

/**
 * `corral lsp --stdio`: the task-board language server on stdin/stdout, for any LSP client
 * (Neovim, Helix, Zed, VS Code). It asks a running daemon for sessions, runs and costs and never
 * starts one: without a daemon the board's own checks still work.
 */
export async function lsp(options: LspOptions, ctx: CliContext): Promise<void> {
  if (options.stdio === false) throw new CliError('corral lsp speaks LSP on stdin and stdout only', 'run `corral lsp --stdio` from your editor', ExitCode.Usage);
  // Its own bundle (dist/lsp.js): the language server's libraries load only for this command.
  const { startBoardServer, DaemonFacts } = await import('../../server/lsp/main');
  const connection = startBoardServer({
    input: process.stdin,
    output: process.stdout,
    facts: async () => {
      try {
        return new DaemonFacts(await ctx.connectExisting());
      } catch (error) {
        return { unavailable: `no daemon answered for ${ctx.home} (${(error as Error).message})` };
      }
    },
  });
  // Ends when the client sends `exit` (vscode-languageserver exits the process) or closes stdin.
  await new Promise<void>((resolve) => connection.onExit(() => resolve()));
}
