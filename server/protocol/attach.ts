import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

const Size = { rows: z.number().check(z.int(), z.minimum(1), z.maximum(1000)), cols: z.number().check(z.int(), z.minimum(1), z.maximum(1000)) };
const AttachRef = z.string().check(z.minLength(1), z.maxLength(64));

export const AttachOpenParams = z.strictObject({ session: z.string().check(z.minLength(1), z.maxLength(64)), ...Size });
/**
 * `attach/open`: an interactive shell (bash if the image has it) on a TTY in the session's jail.
 * Output comes as `attach/output`; it ends with `attach/closed`, or when this connection closes.
 */
export const AttachOpen = new CorralRequest<typeof AttachOpenParams, { attachId: string }>('attach/open', AttachOpenParams);

export const AttachInputParams = z.strictObject({ attachId: AttachRef, data: z.string().check(z.maxLength(1024 * 1024)) });
/** `attach/input`: keystrokes (UTF-8) for the TTY. */
export const AttachInput = new CorralRequest<typeof AttachInputParams, null>('attach/input', AttachInputParams);

export const AttachResizeParams = z.strictObject({ attachId: AttachRef, ...Size });
export const AttachResize = new CorralRequest<typeof AttachResizeParams, null>('attach/resize', AttachResizeParams);

export const AttachCloseParams = z.strictObject({ attachId: AttachRef });
/** `attach/close`: detach; the interactive shell is ended, the session stays. */
export const AttachClose = new CorralRequest<typeof AttachCloseParams, null>('attach/close', AttachCloseParams);

export interface AttachOutput {
  attachId: string;
  seq: number;
  data: string;
}
export const AttachOutputNotification = new CorralNotification<AttachOutput>('attach/output');

export const AttachClosedNotification = new CorralNotification<{ attachId: string; exitCode: number }>('attach/closed');
