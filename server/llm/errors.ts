import { CorralError, describeError } from '../errors';
import { ErrorCode } from '../protocol';
import type { ProviderOptions } from './types';

/**
 * Turns an SDK error (both SDKs' APIError carry `status` and the body's `error`) into a
 * CorralError that says what happened and what to do. Aborts pass through unchanged.
 */
export function providerError(error: unknown, options: ProviderOptions, model: string): unknown {
  const who = { provider: options.name, baseURL: options.baseURL, keyVariable: options.keyVariable, model };
  if (error instanceof CorralError || isAbort(error)) return error;
  const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : undefined;
  const detail = describeError(error);
  const fail = (message: string, hint: string): CorralError => new CorralError(ErrorCode.ProviderFailed, message, hint, { status, detail });
  if (status === undefined) {
    return fail(
      `cannot reach ${who.provider} at ${who.baseURL}: ${detail}`,
      `check that the server runs and the base URL is right (providers.${who.provider}.baseURL in config.json)`,
    );
  }
  if (status === 401 || status === 403) {
    return fail(
      `${who.provider} rejected the API key (${status}): ${detail}`,
      `set ${who.keyVariable} in the daemon's environment or providers.${who.provider}.apiKey in $CORRAL_HOME/config.json, then \`corral daemon stop\` (the next command restarts it)`,
    );
  }
  if (status === 404)
    return fail(`${who.provider} does not serve the model ${who.model} (404): ${detail}`, 'pick a model it serves with --model, or set the default in config.json');
  if (status === 400 && /context|too long|too many tokens|maximum.*tokens/i.test(detail)) {
    return fail(`the conversation no longer fits ${who.model}'s context window: ${detail}`, 'use a model with a longer context, or a narrower goal / fewer steps');
  }
  if (status === 429)
    return fail(`${who.provider} is rate limiting (429) and kept refusing after the retries: ${detail}`, 'wait and run again, or raise providers.<name>.maxRetries');
  if (status >= 500) return fail(`${who.provider} failed (${status}) after the retries: ${detail}`, 'the provider is having trouble; run again later');
  return fail(`${who.provider} refused the request (${status}): ${detail}`, 'see the detail; the daemon log has the request');
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'APIUserAbortError');
}
