import { Command, CommanderError } from 'commander';
import { registerCommands, type Run } from './commands';
import { createContext, type GlobalOptions } from './context';
import { CliError, toCliError } from './errors';
import { ExitCode } from './exitCodes';

declare const CORRAL_VERSION: string | undefined;
const VERSION = typeof CORRAL_VERSION === 'string' ? CORRAL_VERSION : 'dev';

function buildProgram(): Command {
  const program = new Command('corral')
    .description('Coding agents in jailed workspaces, with honest token accounting.')
    .version(VERSION, '-V, --version')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('-v, --verbose', 'more detail in errors')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .enablePositionalOptions(false);

  const run: Run = (load, name) => async (...args) => {
    // commander passes positional args, then the options object, then the command itself.
    const command = args[args.length - 1] as Command;
    const positional = (args.slice(0, -2) as (string | string[])[]).flat();
    const options = { ...command.optsWithGlobals<GlobalOptions>() };
    const ctx = createContext(options, VERSION);
    const module = await load();
    const action = module[name] as (o: object, c: typeof ctx, ...rest: string[]) => Promise<void>;
    await action(options, ctx, ...positional);
  };
  registerCommands(program, run);
  return program;
}

/** The one place errors become stderr lines and exit codes. */
async function main(argv: string[]): Promise<void> {
  // `corral session ls | head`: the reader went away; that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const program = buildProgram();
  let settled = false;
  // An await that can never settle (the daemon vanished mid-request) would otherwise end the
  // process silently with status 0.
  process.once('beforeExit', () => {
    if (!settled) report(new CliError('the daemon closed the connection before answering', 'see `corral doctor` and $CORRAL_HOME/logs/daemon.log', ExitCode.DaemonUnavailable), undefined, false);
  });
  try {
    await program.parseAsync(argv);
    settled = true;
  } catch (error) {
    settled = true;
    if (error instanceof CommanderError) {
      // commander has already printed its message (and the suggestion) to stderr.
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return;
    }
    report(toCliError(error), error, argv.includes('--verbose') || argv.includes('-v'));
  }
}

function report(error: CliError, original: unknown, verbose: boolean): void {
  process.stderr.write(`corral: error: ${error.message}\n`);
  process.stderr.write(`hint: ${error.hint}\n`);
  if (verbose && error.detail) process.stderr.write(`detail: ${error.detail}\n`);
  if (process.env.CORRAL_DEBUG === '1' && original instanceof Error) process.stderr.write(`${original.stack}\n`);
  process.exitCode = error.exitCode;
}

void main(process.argv);
