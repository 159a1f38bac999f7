import { AsyncLocalStorage } from 'node:async_hooks';
import type { ModelEvents } from './types';

/**
 * The events of the model call under way in this async context. A provider's SDK client is made
 * once and shared by every call and run (server/llm/sdkClients.ts), so its fetch cannot be bound
 * to one call's listeners: each call runs inside `withCallEvents`, and the fetch finds them here.
 */
const callEvents = new AsyncLocalStorage<ModelEvents>();

export function withCallEvents<T>(events: ModelEvents, call: () => Promise<T>): Promise<T> {
  return callEvents.run(events, call);
}

/**
 * A fetch for the SDKs that reports each answer the SDK is about to retry (429, 5xx, 408, 409),
 * with its retry-after, so a run can say "rate limited, retrying in 2 s" while the SDK's own
 * backoff does the waiting.
 */
export const watchingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 429 || response.status >= 500 || response.status === 408 || response.status === 409) {
    const header = response.headers.get('retry-after');
    const seconds = header === null ? null : Number(header);
    callEvents.getStore()?.retry?.(response.status, seconds !== null && Number.isFinite(seconds) ? seconds : null);
  }
  return response;
};
