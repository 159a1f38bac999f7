import type { CommandFunction } from '../command';
import type { lspCommand } from '../commands';
import { ExitCode } from '../exitCodes';

/**
 * `corral lsp --stdio`: the task-board language server on stdin/stdout, for any LSP client
 * (Neovim, Helix, Zed, VS Code). It asks a running daemon for sessions, runs and costs and never
 * starts one: without a daemon the board's own checks still work. (`--stdio` is what clients pass;
 * it is the only transport, so the server speaks on stdin/stdout either way.)
 */
export const lsp: CommandFunction<typeof lspCommand> = async (ctx) => {
  // Its own bundle (dist/lsp.js): the language server's libraries load only for this command.
  const { startBoardServer, DaemonFacts } = await import('../../server/lsp/main');
  const connection = startBoardServer({
    input: ctx.stdin,
    output: ctx.stdout,
    facts: async () => {
      try {
        return new DaemonFacts(await ctx.connection('existing'));
      } catch (error) {
        return { unavailable: `no daemon answered for ${ctx.home} (${(error as Error).message})` };
      }
    },
  });
  // Ends when the client sends `exit` (vscode-languageserver exits the process) or closes stdin.
  await new Promise<void>((resolve) => connection.onExit(() => resolve()));
  return ExitCode.Ok;
};
