import * as z from 'zod/mini';
import { CorralRequest, IsoTime } from './base';

export const WebOpenParams = z.strictObject({
  /** Port on 127.0.0.1; 0 takes any free one. Default: the port it already listens on, else 7780 (a free one when that is taken). */
  port: z.optional(z.int().check(z.gte(0), z.lte(65535))),
});

export const WebOpenResult = z.strictObject({
  /** The app's address (nothing secret in it). */
  url: z.string(),
  /** Opens the app and signs the browser in as the caller: the code after `#login=` works once, until `expiresAt`. */
  loginUrl: z.string(),
  port: z.int(),
  expiresAt: IsoTime,
});
export type WebOpenResult = z.infer<typeof WebOpenResult>;

/**
 * `web/open`: serves the web app on 127.0.0.1 (started on first use, for the daemon's lifetime) and
 * mints a one-time sign-in link for the caller. The browser exchanges its code for an HttpOnly
 * cookie; its WebSocket then speaks this protocol as the caller.
 */
export const WebOpen = new CorralRequest('web/open', WebOpenParams, WebOpenResult);
