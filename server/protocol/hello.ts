import * as z from 'zod/mini';
import { CorralRequest } from './base';

export const ClientKind = z.enum(['cli', 'vscode', 'web', 'test']);
export type ClientKind = z.infer<typeof ClientKind>;

export const HelloParams = z.strictObject({
  /** The client's `PROTOCOL_VERSION`. */
  protocolVersion: z.number().check(z.int(), z.nonnegative()),
  /** Contents of `$CORRAL_HOME/token` (or another token the daemon issued). */
  token: z.string().check(z.minLength(1), z.maxLength(512)),
  client: z.strictObject({
    kind: ClientKind,
    name: z.optional(z.string().check(z.maxLength(200))),
    version: z.optional(z.string().check(z.maxLength(100))),
  }),
});
export type HelloParams = z.infer<typeof HelloParams>;

/** Who the caller is, fixed for the life of the connection by `corral/hello`. */
export const Identity = z.strictObject({
  /** User name; every record the caller creates is owned by it. */
  user: z.string(),
  /** `owner`: holds the token of the user who runs the daemon. */
  role: z.enum(['owner', 'user']),
});
export type Identity = z.infer<typeof Identity>;

export const HelloResult = z.strictObject({
  serverVersion: z.string(),
  protocolVersion: z.int(),
  identity: Identity,
  /** Unique per connection, for logs. */
  connectionId: z.string(),
});
export type HelloResult = z.infer<typeof HelloResult>;

/**
 * `corral/hello`: the first call on every connection. Until it succeeds, every other method
 * answers `NotAuthenticated`; a wrong token or protocol version is refused with a hint.
 */
export const Hello = new CorralRequest('corral/hello', HelloParams, HelloResult);

export const AuthIssueParams = z.strictObject({ user: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9._-]*$/)) });
/**
 * `auth/issue`: a token for another identity on this daemon (owner only). That user sees and
 * touches only their own sessions. The token is shown once; the daemon keeps only its hash.
 */
export const AuthIssue = new CorralRequest('auth/issue', AuthIssueParams, z.strictObject({ user: z.string(), token: z.string() }));
