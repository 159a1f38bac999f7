import { Command, CommanderError } from 'commander';
import { optionsFrom, register, type Bind } from './command';
import { registerCommands } from './commands';
import { createContext, type CliProcess, type GlobalOptions } from './context';
import { CliError } from './errors';
import { ExitCode } from './exitCodes';
import { invoke, reportError } from './invoke';

declare const CORRAL_VERSION: string | undefined;
const VERSION = typeof CORRAL_VERSION === 'string' ? CORRAL_VERSION : 'dev';

/** This process, as commands see it. */
const processIo: CliProcess = {
  cwd: process.cwd(),
  env: process.env,
  // Made on first use: Node builds the stdin stream when it is first read, and only attach and lsp read it.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt: (handler) => {
    let interrupts = 0;
    const listener = (): void => {
      // The first Ctrl-C is the command's (it cancels its request); the second leaves at once.
      if (++interrupts > 1) process.exit(ExitCode.Interrupted);
      handler();
    };
    process.on('SIGINT', listener);
    return { dispose: () => void process.off('SIGINT', listener) };
  },
  onTerminate: (handler) => {
    const signals = ['SIGTERM', 'SIGHUP'] as const;
    for (const signal of signals) process.on(signal, handler);
    return { dispose: () => signals.forEach((signal) => process.off(signal, handler)) };
  },
};

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

  // A command is `(ctx, options) → exit status`; the status is set here, and nowhere else.
  const bind: Bind = (parent, spec, load) =>
    register(parent, spec).action(async (...args: unknown[]) => {
      // commander passes the arguments, then the options object, then the command itself.
      const command = args[args.length - 1] as Command;
      const implementation = await load();
      const ctx = createContext(processIo, command.optsWithGlobals<GlobalOptions>(), VERSION);
      process.exitCode = await invoke(ctx, implementation, optionsFrom(command, args));
    });
  registerCommands(program, bind);
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
  // A terminal left raw (attach, ended by an exception or an EPIPE exit) would not echo or turn \n into \r\n.
  process.once('exit', () => {
    if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
  });
  const program = buildProgram();
  let settled = false;
  // An await that can never settle (the daemon vanished mid-request) would otherwise end the
  // process silently with status 0.
  process.once('beforeExit', () => {
    if (!settled) {
      const error = new CliError('the daemon closed the connection before answering', 'see `corral doctor` and $CORRAL_HOME/logs/daemon.log', ExitCode.DaemonUnavailable);
      process.exitCode = reportError(process.stderr, error, { verbose: false, debug: false });
    }
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
    // An option that failed its check while commander parsed (`--base nope`), or a command module that did not load.
    process.exitCode = reportError(process.stderr, error, { verbose: argv.includes('--verbose') || argv.includes('-v'), debug: process.env.CORRAL_DEBUG === '1' });
  }
}

void main(process.argv);
