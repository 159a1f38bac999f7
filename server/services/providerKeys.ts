/**
 * Provider API keys handed to the daemon by its owner's clients (`provider/setKey`), held in this
 * process's memory only: nothing here is written anywhere, so a restarted daemon has none until a
 * client hands them again. Runs ask here before the daemon's environment.
 */
export class ProviderKeys {
  private readonly keys = new Map<string, string>();

  /** Sets the provider's key, or forgets it when `key` is null. */
  set(provider: string, key: string | null): void {
    if (key === null) this.keys.delete(provider);
    else this.keys.set(provider, key);
  }

  get(provider: string): string | undefined {
    return this.keys.get(provider);
  }

  /** The providers that hold a key, sorted; never the keys. */
  providers(): string[] {
    return [...this.keys.keys()].sort();
  }
}
