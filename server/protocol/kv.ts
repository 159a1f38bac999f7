import * as z from 'zod/mini';
import { CorralRequest, IsoTime } from './base';

/**
 * Small per-user state for clients (the last repo used, view state of the VS Code panels). Each
 * user sees only their own keys. Writes are durable when the reply arrives.
 */
const Key = z.string().check(z.minLength(1), z.maxLength(256));

/** Any JSON value (named, so docs/protocol.json can refer to it: it is recursive). */
export const JsonValue = z.json();

export const KvPutParams = z.strictObject({
  key: Key,
  /** Any JSON value, at most 64 KiB once serialised. */
  value: JsonValue,
});
export const KvEntry = z.strictObject({
  key: z.string(),
  value: z.unknown(),
  /** Increases by one on every put of the key. */
  version: z.int(),
  updatedAt: IsoTime,
});
export type KvEntry = z.infer<typeof KvEntry>;

/** `kv/put`: stores the value under the key (durable when answered); its version goes up by one. */
export const KvPut = new CorralRequest('kv/put', KvPutParams, KvEntry);

export const KvGetParams = z.strictObject({ key: Key });
/** `kv/get`: the entry, or `null` when the key was never put or was deleted. */
export const KvGet = new CorralRequest('kv/get', KvGetParams, z.nullable(KvEntry));

export const KvListParams = z.strictObject({ prefix: z.optional(z.string().check(z.maxLength(256))) });
/** `kv/list`: your entries, of keys starting with `prefix` when given. */
export const KvList = new CorralRequest('kv/list', KvListParams, z.array(KvEntry));

export const KvDeleteParams = z.strictObject({ key: Key });
/** `kv/delete`: removes the key; `deleted` is false when there was none. */
export const KvDelete = new CorralRequest('kv/delete', KvDeleteParams, z.strictObject({ deleted: z.boolean() }));
