import * as z from 'zod/mini';
import { CorralRequest, NoParams } from './base';

const ProviderName = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9_-]*$/i, 'a provider name (letters, digits, - and _)'));

/** The providers with a key handed over `provider/setKey`, by name: never the keys. */
export const ProviderKeysResult = z.strictObject({ providers: z.array(z.string()) });
export type ProviderKeysResult = z.infer<typeof ProviderKeysResult>;

export const ProviderSetKeyParams = z.strictObject({
  /** `openai`, `anthropic`, or a provider named under "providers" in config.json. */
  provider: ProviderName,
  /** The API key, or `null` to forget the one handed before. Never echoed back, stored or logged. */
  key: z.nullable(z.string().check(z.minLength(8), z.maxLength(4096), z.regex(/^\S+$/, 'a key without spaces or line breaks'))),
});
/**
 * `provider/setKey` (owner only): hands the daemon a provider's API key. The daemon keeps it in
 * its memory only — never in config.json, the store, the journal, a log or a jail — so it is gone
 * when the daemon ends and clients hand it again after a restart. Runs use it before the daemon's
 * environment (`OPENAI_API_KEY`, …). Answers which providers hold a handed key now.
 */
export const ProviderSetKey = new CorralRequest('provider/setKey', ProviderSetKeyParams, ProviderKeysResult);

/** `provider/keys` (owner only): which providers hold a key handed to this daemon (names only). */
export const ProviderKeys = new CorralRequest('provider/keys', NoParams, ProviderKeysResult);
