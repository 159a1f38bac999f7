import { SessionPort, SessionPorts } from '../protocol/ports';
import type { Router } from '../rpc/router';
import type { PortForwards } from './ports';
import type { SessionService } from './service';

/** session/port and session/ports: only the caller's own running sessions. */
export function registerPortHandlers(router: Router, sessions: SessionService, ports: PortForwards): void {
  router
    .on(SessionPort, async (params, { identity }) => {
      const containerId = await sessions.readyContainer(identity.user, params.session);
      const session = sessions.show(identity.user, params.session).session.id;
      return ports.open(session, containerId, params.port);
    })
    .on(SessionPorts, (params, { identity }) => ports.list(sessions.show(identity.user, params.session).session.id));
}
