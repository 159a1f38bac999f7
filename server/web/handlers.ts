import { WebOpen } from '../protocol';
import type { Router } from '../rpc/router';
import type { WebServer } from './server';

/** `web/open`: the sign-in link is for the caller's own identity, whatever it is. */
export function registerWebHandlers(router: Router, web: WebServer): void {
  router.on(WebOpen, (params, context) => web.open(context.identity, params.port));
}
