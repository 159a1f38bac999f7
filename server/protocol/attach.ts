import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

const Size = { rows: z.number().check(z.int(), z.minimum(1), z.maximum(1000)), cols: z.number().check(z.int(), z.minimum(1), z.maximum(1000)) };
const AttachRef = z.string().check(z.minLength(1), z.maxLength(64));

export const AttachOpenParams = z.strictObject({ session: z.string().check(z.minLength(1), z.maxLength(64)), ...Size });
/**
 * `attach/open`: an interactive shell (bash if the image has it) on a TTY in the session's jail.
 * Output comes as `attach/output`; it ends with `attach/closed`, or when this connection closes.
 */
export const AttachOpen = new CorralRequest('attach/open', AttachOpenParams, z.strictObject({ attachId: z.string() }));

export const AttachInputParams = z.strictObject({ attachId: AttachRef, data: z.string().check(z.maxLength(1024 * 1024)) });
/** `attach/input`: keystrokes (UTF-8) for the TTY. */
export const AttachInput = new CorralRequest('attach/input', AttachInputParams, z.null());

export const AttachResizeParams = z.strictObject({ attachId: AttachRef, ...Size });
/** `attach/resize`: the TTY's new size (rows and columns), as the terminal changed. */
export const AttachResize = new CorralRequest('attach/resize', AttachResizeParams, z.null());

export const AttachCloseParams = z.strictObject({ attachId: AttachRef });
/** `attach/close`: detach; the interactive shell is ended, the session stays. */
export const AttachClose = new CorralRequest('attach/close', AttachCloseParams, z.null());

export const AttachOutput = z.strictObject({ attachId: z.string(), seq: z.int(), data: z.string() });
export type AttachOutput = z.infer<typeof AttachOutput>;
/** `attach/output`: what the TTY printed, to the connection that opened it. */
export const AttachOutputNotification = new CorralNotification('attach/output', AttachOutput);

/** `attach/closed`: the interactive shell ended (its exit status), or was closed. */
export const AttachClosedNotification = new CorralNotification('attach/closed', z.strictObject({ attachId: z.string(), exitCode: z.int() }));
