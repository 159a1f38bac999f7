import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

export const ShellExecParams = z.strictObject({
  session: z.string().check(z.minLength(1), z.maxLength(64)),
  /** A shell command line, run by the session's persistent `sh` in its current directory. */
  command: z.string().check(z.minLength(1), z.maxLength(1024 * 1024)),
  /** Default 30 minutes, at most 24 hours. */
  timeoutMs: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(24 * 3600 * 1000))),
  /**
   * Chosen by the client to receive the output as it comes: `shell/output` notifications carry
   * it. Without it, only the result (with the kept output) is sent.
   */
  execId: z.optional(z.string().check(z.maxLength(64))),
});

export interface ShellExecResult {
  execId: string;
  exitCode: number;
  /** Kept output (at most the daemon's cap per stream; see `truncated`). */
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** The client cancelled the request (`$/cancelRequest`, Ctrl-C in `corral exec`): status 130. */
  interrupted: boolean;
  truncated: { stdout: number; stderr: number };
  /** The shell was replaced (the command exited it, or timed out inside it): cwd and env are reset. */
  shellRestarted: boolean;
  /** Output notifications not sent because the client was not reading fast enough. */
  droppedNotifications: number;
}

/**
 * `shell/exec`: runs one command in the session's jail; commands of a session run in order.
 * Cancelling the request interrupts the command (its processes are killed, the shell stays).
 */
export const ShellExec = new CorralRequest<typeof ShellExecParams, ShellExecResult>('shell/exec', ShellExecParams);

export interface ShellOutput {
  execId: string;
  /** Per command from 0, across both streams: gaps mean dropped notifications. */
  seq: number;
  stream: 'stdout' | 'stderr';
  data: string;
}

/** `shell/output`: output of a running `shell/exec`, to the connection that sent it. */
export const ShellOutputNotification = new CorralNotification<ShellOutput>('shell/output');
