// Its own bundle (dist/tokenizer.js, ~2 MB of BPE ranks), loaded only when a provider reported no
// usage and the ledger must count tokens itself.
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

let encoder: Tiktoken | undefined;
/** Tokens of `text` under o200k_base (GPT-4o's); for other models' tokenizers an estimate. */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}
