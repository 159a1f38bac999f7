import * as z from 'zod/mini';
import { CorralRequest } from './base';

/**
 * Small per-user state for clients (the last repo used, view state of the VS Code panels). Each
 * user sees only their own keys. Writes are durable when the reply arrives.
 */
const Key = z.string().check(z.minLength(1), z.maxLength(256));

export const KvPutParams = z.strictObject({
  key: Key,
  /** Any JSON value, at most 64 KiB once serialised. */
  value: z.json(),
});
export interface KvEntry {
  key: string;
  value: unknown;
  /** Increases by one on every put of the key. */
  version: number;
  updatedAt: string;
}

export const KvPut = new CorralRequest<typeof KvPutParams, KvEntry>('kv/put', KvPutParams);

export const KvGetParams = z.strictObject({ key: Key });
/** `kv/get`: the entry, or `null` when the key was never put or was deleted. */
export const KvGet = new CorralRequest<typeof KvGetParams, KvEntry | null>('kv/get', KvGetParams);

export const KvListParams = z.strictObject({ prefix: z.optional(z.string().check(z.maxLength(256))) });
export const KvList = new CorralRequest<typeof KvListParams, KvEntry[]>('kv/list', KvListParams);

export const KvDeleteParams = z.strictObject({ key: Key });
export const KvDelete = new CorralRequest<typeof KvDeleteParams, { deleted: boolean }>('kv/delete', KvDeleteParams);
