import type { Anthropic } from './anthropicSdk';
import type { OpenAI } from './openaiSdk';
import type { ProviderOptions } from './types';
import { watchingFetch } from './watchFetch';

/**
 * How a provider makes its SDK client: once, on its first call (server/llm/openai.ts,
 * anthropic.ts). The SDK modules are bundles of their own (dist/openaiSdk.js, anthropicSdk.js),
 * loaded here on first use, so a daemon that never calls a model never parses them. Tests wrap
 * the factory to count the clients made.
 */
export interface SdkFactory {
  openai(options: ProviderOptions): Promise<OpenAI>;
  anthropic(options: ProviderOptions): Promise<Anthropic>;
}

export const lazySdks: SdkFactory = {
  openai: async (options) => {
    const { OpenAI: Sdk } = await import('./openaiSdk');
    return new Sdk({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries, fetch: watchingFetch });
  },
  anthropic: async (options) => {
    const { Anthropic: Sdk } = await import('./anthropicSdk');
    return new Sdk({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries, fetch: watchingFetch });
  },
};

/** A value made once, on first use; a failed making is forgotten so the next call tries again. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
}
