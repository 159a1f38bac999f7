import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import type { CommandFunction, CommandSpec, Options } from '../../cli/command';
import { createContext, type CliContext } from '../../cli/context';
import { invoke } from '../../cli/invoke';
import { distCli, distServer, requireBuild } from './home';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `corral` as a user would (stdout and stderr are pipes, not a TTY). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  requireBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [distCli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cwd === undefined ? {} : { cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\x1b\[/;

/** What an in-process command run left: its exit status and what it wrote. */
export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it (never a TTY, as a pipe is not). */
export class MemoryStream extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface InProcessOptions {
  /** The command's environment: CORRAL_HOME of a test daemon, above all. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  json?: boolean;
  verbose?: boolean;
}

/**
 * Runs a command function in this process, as main.ts does: a context over memory streams and the
 * given env, the command called directly with its typed options, its error reported and mapped to
 * an exit status, the daemon connection disposed at the end. `withContext` sees the context first
 * (to hold its connection, say).
 */
export async function runInProcess<S extends CommandSpec>(
  command: CommandFunction<S>,
  options: Options<S>,
  io: InProcessOptions,
  withContext?: (ctx: CliContext) => void | Promise<void>,
): Promise<InProcessResult> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const stdin = new PassThrough();
  // No signals reach an in-process command.
  const none = (): { dispose(): void } => ({ dispose: () => undefined });
  const ctx = createContext(
    { cwd: io.cwd ?? process.cwd(), env: io.env, stdin, stdout, stderr, serverScript: distServer, onInterrupt: none, onTerminate: none },
    { json: io.json === true, verbose: io.verbose === true },
    'test',
  );
  await withContext?.(ctx);
  const code = await invoke(ctx, command, options);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
