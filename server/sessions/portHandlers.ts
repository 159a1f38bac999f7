import { SessionPort, SessionPorts } from '../protocol/ports';
import type { Router } from '../rpc/router';
import type { PortForwards } from './ports';
import type { SessionService } from './service';

/** session/port and session/ports: only the caller's own running sessions. */
export function registerPortHandlers(router: Router, sessions: SessionService, ports: PortForwards): void {
  router
    .on(SessionPort, async (params, { identity }) => {
      const containerId = await sessions.readyContainer(identity.user, params.session);
      return ports.open(sessions.repository.find(identity.user, params.session).id, containerId, params.port);
    })
    .on(SessionPorts, (params, { identity }) => ports.list(sessions.repository.find(identity.user, params.session).id));
}
