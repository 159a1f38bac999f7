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

export const ShellExecResult = z.strictObject({
  execId: z.string(),
  exitCode: z.int(),
  /** Kept output (at most the daemon's cap per stream; see `truncated`). */
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  /** The client cancelled the request (`$/cancelRequest`, Ctrl-C in `corral exec`): status 130. */
  interrupted: z.boolean(),
  truncated: z.strictObject({ stdout: z.number(), stderr: z.number() }),
  /** The shell was replaced (the command exited it, or timed out inside it): cwd and env are reset. */
  shellRestarted: z.boolean(),
  /** Output notifications not sent because the client was not reading fast enough. */
  droppedNotifications: z.int(),
});
export type ShellExecResult = z.infer<typeof ShellExecResult>;

/**
 * `shell/exec`: runs one command in the session's jail; commands of a session run in order.
 * Cancelling the request interrupts the command (its processes are killed, the shell stays).
 */
export const ShellExec = new CorralRequest('shell/exec', ShellExecParams, ShellExecResult);

export const ShellOutput = z.strictObject({
  execId: z.string(),
  /** Per command from 0, across both streams: gaps mean dropped notifications. */
  seq: z.int(),
  stream: z.enum(['stdout', 'stderr']),
  data: z.string(),
});
export type ShellOutput = z.infer<typeof ShellOutput>;

/** `shell/output`: output of a running `shell/exec`, to the connection that sent it. */
export const ShellOutputNotification = new CorralNotification('shell/output', ShellOutput);
