import type { Config, ProviderConfig } from '../config';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import { AnthropicProvider } from './anthropic';
import { OpenAiProvider } from './openai';
import { RecordingProvider, ReplayProvider } from './replay';
import { lazySdks, type SdkFactory } from './sdkClients';
import type { HandedKey, LlmProviders, ProviderWanted, ResolvedProvider } from '../ports/llm';
import type { LlmPort, ProviderOptions } from './types';

/** The providers that need no config: the usual environment variables configure them. */
function builtIns(env: NodeJS.ProcessEnv): Record<string, ProviderConfig> {
  return {
    openai: { type: 'openai', baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', model: 'gpt-4.1' },
    anthropic: { type: 'anthropic', baseURL: env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com', apiKeyEnv: 'ANTHROPIC_API_KEY', model: 'claude-sonnet-4-5' },
  };
}

/** How an SDK provider is reached; a change of any of it (a new key handed over, an edited config) makes a new client. */
interface SdkChoice {
  type: 'openai' | 'anthropic';
  options: ProviderOptions;
}

/**
 * Providers on the official SDKs, made once per configured provider and reused by every call of
 * every run, so a step does not build an SDK client (its options, headers and retry settings)
 * again. A provider is made anew only when what reaches it changes: a key handed over
 * `provider/setKey` or forgotten, an edited base URL or retry count.
 */
export class SdkProviders implements LlmProviders {
  private readonly made = new Map<string, { choice: SdkChoice; llm: LlmPort }>();

  constructor(
    private readonly deps: {
      /** The daemon's environment: where API keys come from when none was handed. */
      env: NodeJS.ProcessEnv;
      handedKey?: HandedKey;
      sdks?: SdkFactory;
    },
  ) {}

  resolve(config: Config, wanted: ProviderWanted): ResolvedProvider {
    return resolveProvider(config, wanted, this.deps.env, this.deps.handedKey ?? (() => undefined), (name, choice) => this.provider(name, choice));
  }

  private provider(name: string, choice: SdkChoice): LlmPort {
    const kept = this.made.get(name);
    if (kept !== undefined && sameChoice(kept.choice, choice)) return kept.llm;
    const sdks = this.deps.sdks ?? lazySdks;
    const llm = choice.type === 'anthropic' ? new AnthropicProvider(choice.options, sdks) : new OpenAiProvider(choice.options, sdks);
    this.made.set(name, { choice, llm });
    return llm;
  }
}

function sameChoice(a: SdkChoice, b: SdkChoice): boolean {
  const x = a.options;
  const y = b.options;
  return a.type === b.type && x.apiKey === y.apiKey && x.baseURL === y.baseURL && x.maxRetries === y.maxRetries && x.keyVariable === y.keyVariable;
}

/**
 * Picks the provider and model of a run: `--provider` / `--model`, else config.json's defaults,
 * else whichever of the OpenAI / Anthropic keys the daemon has. A key handed over RPC comes before
 * config.json's `apiKey` and the daemon's environment. Keys are read here, in the daemon, and go
 * nowhere but the provider's SDK. `sdkProvider` makes (or finds) the SDK provider for a choice.
 */
function resolveProvider(
  config: Config,
  wanted: ProviderWanted,
  env: NodeJS.ProcessEnv,
  handed: HandedKey,
  sdkProvider: (name: string, choice: SdkChoice) => LlmPort,
): ResolvedProvider {
  const hasKey = (provider: string, variable: string): boolean => handed(provider) !== undefined || env[variable] !== undefined;
  const name = wanted.provider ?? config.defaultProvider ?? (!hasKey('openai', 'OPENAI_API_KEY') && hasKey('anthropic', 'ANTHROPIC_API_KEY') ? 'anthropic' : 'openai');
  let resolved: ResolvedProvider;
  if (name === 'replay') {
    if (wanted.transcript === undefined)
      throw new CorralError(ErrorCode.InvalidParams, 'provider replay needs a transcript', 'add --transcript FILE (written by `corral run --record FILE`)');
    const replay = ReplayProvider.load(wanted.transcript);
    resolved = { llm: replay, name, model: wanted.model ?? replay.header.model, priceProvider: replay.header.provider, close: () => undefined };
  } else {
    const known = { ...builtIns(env), ...config.providers };
    const settings = known[name] === undefined ? undefined : { ...builtIns(env)[name], ...known[name] };
    if (settings === undefined) {
      throw new CorralError(
        ErrorCode.NotFound,
        `no provider named ${name}`,
        `use one of ${[...Object.keys(known), 'replay'].join(', ')}, or add it under "providers" in $CORRAL_HOME/config.json`,
      );
    }
    const model = wanted.model ?? settings.model;
    if (model === undefined) throw new CorralError(ErrorCode.InvalidParams, `no model given for provider ${name}`, `add --model, or providers.${name}.model in config.json`);
    const keyVariable = settings.apiKeyEnv ?? `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
    const isDefaultEndpoint = settings.baseURL === undefined || /api\.(openai|anthropic)\.com/.test(settings.baseURL);
    const apiKey = handed(name) ?? settings.apiKey ?? env[keyVariable] ?? (isDefaultEndpoint ? undefined : 'none');
    if (apiKey === undefined || apiKey === '') {
      throw new CorralError(
        ErrorCode.ProviderFailed,
        `no API key for ${name}: none was handed to the daemon and ${keyVariable} is not set in its environment`,
        `in VS Code run "Corral: Set API Key"; or export ${keyVariable}=… and restart the daemon (\`corral daemon stop\`; the next command starts it with your environment), or set providers.${name}.apiKey in $CORRAL_HOME/config.json`,
      );
    }
    const options = { name, apiKey, baseURL: settings.baseURL ?? '', keyVariable, maxRetries: settings.maxRetries ?? 4 };
    const llm = sdkProvider(name, { type: settings.type, options });
    resolved = { llm, name, model, priceProvider: settings.priceProvider ?? name, close: () => undefined };
  }
  if (wanted.record === undefined) return resolved;
  const recorder = new RecordingProvider(resolved.llm, wanted.record, { provider: resolved.priceProvider, model: resolved.model, goal: wanted.goal });
  return { ...resolved, llm: recorder, close: () => recorder.close() };
}
