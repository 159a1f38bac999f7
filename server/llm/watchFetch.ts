import type { ModelEvents } from './types';

/**
 * A fetch for the SDKs that reports each answer the SDK is about to retry (429, 5xx, 408, 409),
 * with its retry-after, so a run can say "rate limited, retrying in 2 s" while the SDK's own
 * backoff does the waiting.
 */
export function watchingFetch(events: ModelEvents): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 429 || response.status >= 500 || response.status === 408 || response.status === 409) {
      const header = response.headers.get('retry-after');
      const seconds = header === null ? null : Number(header);
      events.retry?.(response.status, seconds !== null && Number.isFinite(seconds) ? seconds : null);
    }
    return response;
  };
}
