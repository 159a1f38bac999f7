import * as z from 'zod/mini';
import { CorralRequest } from './base';

/** A port of a jail reachable from the host through the daemon (the jail itself has no network). */
export const PortForward = z.strictObject({
  session: z.string(),
  /** The port inside the jail (its own loopback). */
  port: z.int(),
  /** Where to connect on the host: `http://127.0.0.1:<hostPort>`. */
  host: z.literal('127.0.0.1'),
  hostPort: z.int(),
});
export type PortForward = z.infer<typeof PortForward>;

export const SessionPortParams = z.strictObject({
  session: z.string().check(z.minLength(1), z.maxLength(64)),
  port: z.number().check(z.int(), z.minimum(1), z.maximum(65535)),
});
/** `session/port`: a listener on 127.0.0.1 relaying each connection to `port` inside the jail; closed with the session. */
export const SessionPort = new CorralRequest('session/port', SessionPortParams, PortForward);

export const SessionPortsParams = z.strictObject({ session: z.string().check(z.minLength(1), z.maxLength(64)) });
/** `session/ports`: the forwards of a session. */
export const SessionPorts = new CorralRequest('session/ports', SessionPortsParams, z.array(PortForward));
