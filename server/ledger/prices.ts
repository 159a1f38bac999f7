import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Usage } from '../llm/types';

/** A user's price for a model, in USD per million tokens (config.json `prices`). */
export interface PriceOverride {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Default: the input price. */
  cacheReadPerMTok?: number;
  /** Default: the input price. */
  cacheWritePerMTok?: number;
}

export interface Quote {
  /** Null when neither the table nor the user's overrides know the model: cost unknown, never 0. */
  costUsd: number | null;
  /** What the price came from: `genai-prices <version>`, `override`, or null when unknown. */
  priceVersion: string | null;
}

declare const GENAI_PRICES_VERSION: string | undefined;

/**
 * Prices from @pydantic/genai-prices (maintained, versioned with the package, tiered prices and
 * cache reads/writes per provider; see docs/DESIGN.md for why not LiteLLM's table), with the
 * user's overrides first. `priceProvider` maps a configured provider name to the table's
 * provider id (an OpenAI-compatible server named `openrouter` prices as `openrouter`).
 */
export class PriceTable {
  private calc?: Promise<typeof import('./priceData').calcPrice>;

  constructor(private readonly overrides: Record<string, PriceOverride> = {}) {}

  async quote(priceProvider: string, model: string, usage: Usage): Promise<Quote> {
    const override = this.overrides[`${priceProvider}/${model}`] ?? this.overrides[model];
    if (override) return { costUsd: costFromOverride(override, usage), priceVersion: 'override' };
    const calcPrice = await (this.calc ??= import('./priceData').then((m) => m.calcPrice));
    // genai-prices counts cache reads and writes inside input_tokens, as our Usage does.
    const result = calcPrice(
      { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens },
      model,
      { providerId: priceProvider },
    );
    return result === null ? { costUsd: null, priceVersion: null } : { costUsd: result.total_price, priceVersion: `genai-prices ${priceTableVersion()}` };
  }
}

function costFromOverride(price: PriceOverride, usage: Usage): number {
  const uncached = usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens;
  return (
    (uncached * price.inputPerMTok +
      usage.cacheReadTokens * (price.cacheReadPerMTok ?? price.inputPerMTok) +
      usage.cacheWriteTokens * (price.cacheWritePerMTok ?? price.inputPerMTok) +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000
  );
}

let version: string | undefined;
/** The price table's version: set at build; read from the installed package when run from source. */
function priceTableVersion(): string {
  if (typeof GENAI_PRICES_VERSION === 'string') return GENAI_PRICES_VERSION;
  const manifest = path.join(__dirname, '..', '..', 'node_modules', '@pydantic', 'genai-prices', 'package.json');
  return (version ??= (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version);
}
