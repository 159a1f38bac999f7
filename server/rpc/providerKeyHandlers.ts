import { ProviderKeys as ProviderKeysRequest, ProviderSetKey } from '../protocol/provider';
import type { ProviderKeys } from '../services/providerKeys';
import type { Router } from './router';

/** `provider/setKey` and `provider/keys`: keys into the daemon's memory; answers name providers, never keys. */
export function registerProviderKeyHandlers(router: Router, keys: ProviderKeys): Router {
  return router
    .on(ProviderSetKey, (params) => {
      keys.set(params.provider, params.key);
      return { providers: keys.providers() };
    })
    .on(ProviderKeysRequest, () => ({ providers: keys.providers() }));
}
