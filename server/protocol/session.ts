import * as z from 'zod/mini';
import { CorralRequest } from './base';

const SessionRef = z.string().check(z.minLength(1), z.maxLength(64));

export const SessionStartParams = z.strictObject({
  /** Absolute path of the folder to work on (a copy is made); none: an empty workspace. */
  repo: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  /** Local image; default: the daemon's configured image (`corral/tiny:latest` until set). */
  image: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  name: z.optional(z.string().check(z.maxLength(100))),
  /** Within the admin's maxima. */
  limits: z.optional(
    z.strictObject({
      memoryMb: z.optional(z.number()),
      cpus: z.optional(z.number()),
      pids: z.optional(z.number().check(z.int())),
      tmpMb: z.optional(z.number()),
    }),
  ),
});

export interface SessionInfo {
  id: string;
  name: string | null;
  owner: string;
  repo: string | null;
  workspace: string;
  image: string;
  containerId: string | null;
  state: string;
  limits: { memoryBytes: number; cpus: number; pids: number; tmpBytes: number };
  createdAt: string;
}

/** `session/start`: a hardened container over a private copy of the folder; returns when ready. */
export const SessionStart = new CorralRequest<typeof SessionStartParams, SessionInfo>('session/start', SessionStartParams);

export const SessionListParams = z.optional(z.strictObject({ all: z.optional(z.boolean()) }));
/** `session/list`: the caller's sessions. */
export const SessionList = new CorralRequest<typeof SessionListParams, SessionInfo[]>('session/list', SessionListParams);

export const SessionRefParams = z.strictObject({
  /** Session id or any unique prefix of it. */
  session: SessionRef,
});
/** `session/remove`: removes the container (killing what runs in it) and the workspace copy. */
export const SessionRemove = new CorralRequest<typeof SessionRefParams, { removed: string }>('session/remove', SessionRefParams);
