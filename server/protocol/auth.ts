import * as z from 'zod/mini';
import { CorralRequest, IsoTime, NoParams } from './base';

const UserName = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9._-]*$/, 'a user name (lower case letters, digits, . _ -)'));
const Folder = z.string().check(z.minLength(1), z.maxLength(4096), z.regex(/^\//, 'an absolute path'));

/** One folder the daemon's owner granted to a user, by its real path. */
export const Grant = z.strictObject({ user: z.string(), dir: z.string(), grantedAt: IsoTime });
export type Grant = z.infer<typeof Grant>;

export const AuthGrantParams = z.strictObject({ user: UserName, dirs: z.array(Folder).check(z.minLength(1), z.maxLength(100)) });
/**
 * `auth/grant`: lets `user` start sessions over these folders and use the boards in them (owner
 * only). Each is stored by its real path (links resolved when granted). Answers every folder the
 * user now has.
 */
export const AuthGrant = new CorralRequest('auth/grant', AuthGrantParams, z.strictObject({ user: z.string(), dirs: z.array(z.string()) }));

export const AuthRevokeParams = z.strictObject({ user: UserName, dirs: z.optional(z.array(Folder).check(z.maxLength(100))) });
/**
 * `auth/revoke`: takes back the named folders, or all of the user's when none is named (owner
 * only). The user's running sessions stay; boards they watched stop being announced to them.
 */
export const AuthRevoke = new CorralRequest('auth/revoke', AuthRevokeParams, z.strictObject({ user: z.string(), revoked: z.array(z.string()) }));

/** `auth/list`: every grant, by user and folder (owner only). */
export const AuthList = new CorralRequest('auth/list', NoParams, z.strictObject({ daemonOwner: z.string(), grants: z.array(Grant) }));
