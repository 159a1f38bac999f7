import * as vscode from 'vscode';
import { ProviderSetKey } from '../server/protocol';
import type { DaemonConnection } from '../server/protocol/client';
import { registerCommand } from './errors';

const PREFIX = 'corral.apiKey.';
const KNOWN = ['openai', 'anthropic'];

/**
 * Provider keys in VS Code's SecretStorage (the OS keychain where there is one). They reach the
 * daemon only over `provider/setKey`, which holds them in its memory — never a settings file,
 * the store, a log or the jail (the daemon calls the provider itself). A restarted daemon has
 * none, so they are handed again on every connection.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async store(provider: string, key: string): Promise<void> {
    await this.secrets.store(`${PREFIX}${provider}`, key);
    const stored = new Set(await this.providers());
    stored.add(provider);
    await this.secrets.store(`${PREFIX}list`, JSON.stringify([...stored]));
  }

  /** Hands every stored key (or only `only`'s) to the daemon; answers the providers handed, never a key. */
  async handTo(connection: DaemonConnection, only?: string): Promise<string[]> {
    const handed: string[] = [];
    for (const provider of only === undefined ? await this.providers() : [only]) {
      const key = await this.secrets.get(`${PREFIX}${provider}`);
      if (!key) continue;
      await connection.rpc.sendRequest(ProviderSetKey, { provider, key });
      handed.push(provider);
    }
    return handed;
  }

  private async providers(): Promise<string[]> {
    const raw = await this.secrets.get(`${PREFIX}list`);
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : [];
    } catch {
      return [];
    }
  }
}

/** "Corral: Set API Key": asks for the provider and the key, stores it, and hands it to the daemon at once when connected. */
export function registerSetApiKey(keys: ApiKeys, connection: () => DaemonConnection | undefined): vscode.Disposable {
  return registerCommand('corral.setApiKey', async () => {
    const picked = await vscode.window.showQuickPick([...KNOWN, "Another provider (named in the daemon's config.json)…"], { placeHolder: 'The key of which provider?' });
    if (!picked) return;
    const provider = KNOWN.includes(picked)
      ? picked
      : (
          await vscode.window.showInputBox({
            prompt: 'Provider name, as in config.json',
            validateInput: (value) => (/^[a-z0-9][a-z0-9_-]*$/i.test(value) ? undefined : 'Letters, digits, - and _'),
          })
        )?.trim();
    if (!provider) return;
    const key = await vscode.window.showInputBox({
      prompt: `API key for ${provider} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length < 8 ? 'That is too short to be a key.' : /\s/.test(value.trim()) ? 'A key has no spaces.' : undefined),
    });
    if (!key) return;
    await keys.store(provider, key.trim());
    const live = connection();
    // Not connected: the next connection hands every stored key, this one included.
    if (live) await keys.handTo(live, provider);
    void vscode.window.showInformationMessage(
      live
        ? `Corral: the ${provider} key is stored and the daemon has it (in memory only).`
        : `Corral: the ${provider} key is stored; the daemon gets it when the extension connects.`,
    );
  });
}
