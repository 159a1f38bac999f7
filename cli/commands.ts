import type { Command } from 'commander';

/** Runs a command module's export, loaded only when that command is used. */
export type Run = (load: () => Promise<Record<string, unknown>>, name: string) => (...args: unknown[]) => Promise<void>;

/** The command table: every command, its flags and help, and the module that implements it. */
export function registerCommands(program: Command, run: Run): void {
  program
    .command('doctor')
    .description('check Node.js, the state directory, the daemon, its store and the Docker engine')
    .addHelpText('after', '\nExamples:\n  corral doctor\n  corral doctor --json | jq \'.checks[] | select(.status != "ok")\'')
    .action(run(() => import('./commands/doctor'), 'doctor'));

  const daemon = program.command('daemon').description('start, stop or inspect the background daemon');
  daemon
    .command('start')
    .description('start the daemon for $CORRAL_HOME unless one already runs')
    .action(run(() => import('./commands/daemon'), 'start'));
  daemon
    .command('stop')
    .description('stop the daemon gracefully (finishes in-flight work, flushes the store)')
    .action(run(() => import('./commands/daemon'), 'stop'));
  daemon
    .command('status')
    .description('show whether the daemon runs, its pid, socket and store (exit 3 when not running)')
    .action(run(() => import('./commands/daemon'), 'status'));
}
