import type { Config } from '../config';
import type { LlmPort } from '../llm/types';

/**
 * The provider port: the model a run talks to, picked from config.json, the keys the daemon holds
 * and the run's options. The daemon's (`SdkProviders`, server/llm/providers.ts) keeps one provider,
 * and so one SDK client, per configured provider for its whole life; the in-process harness gives
 * a scripted model (test/support/scriptedLlm.ts). A model call itself is `LlmPort.complete`: a
 * turn with tools out, its usage in (server/llm/types.ts).
 */
export interface LlmProviders {
  resolve(config: Config, wanted: ProviderWanted): ResolvedProvider;
}

/** What a run asks for: its `--provider`, `--model`, transcript options and goal. */
export interface ProviderWanted {
  provider?: string;
  model?: string;
  transcript?: string;
  record?: string;
  goal: string;
}

export interface ResolvedProvider {
  llm: LlmPort;
  /** The provider's name in config and the ledger. */
  name: string;
  model: string;
  /** The price table's provider id. */
  priceProvider: string;
  /** Ends what the run alone holds (a transcript being recorded); the provider's client stays. */
  close(): void;
}

/** A key handed to the daemon over `provider/setKey` (server/services/providerKeys.ts), by provider name. */
export type HandedKey = (provider: string) => string | undefined;
