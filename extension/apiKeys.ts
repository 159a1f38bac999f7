import * as vscode from 'vscode';
import { registerCommand } from './errors';

const PREFIX = 'corral.apiKey.';
const KNOWN = ['openai', 'anthropic'];

/** The environment variable the daemon reads a provider's key from (as server/llm/providers.ts names it). */
export function keyVariable(provider: string): string {
  return `${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

/**
 * Provider keys in VS Code's SecretStorage (the OS keychain where there is one). They reach the
 * daemon only in the environment of a daemon this extension starts — its memory, never a settings
 * file, the store or a log; the jail gets no key (the daemon calls the provider itself).
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async store(provider: string, key: string): Promise<void> {
    await this.secrets.store(`${PREFIX}${provider}`, key);
    const stored = new Set(await this.providers());
    stored.add(provider);
    await this.secrets.store(`${PREFIX}list`, JSON.stringify([...stored]));
  }

  /** `{ OPENAI_API_KEY: … }` for the keys stored, to start the daemon with. */
  async environment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const provider of await this.providers()) {
      const key = await this.secrets.get(`${PREFIX}${provider}`);
      if (key) env[keyVariable(provider)] = key;
    }
    return env;
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

/** "Corral: Set API Key": asks for the provider and the key; offers to restart the daemon to hand it over. */
export function registerSetApiKey(keys: ApiKeys, restartDaemon: () => Promise<void>): vscode.Disposable {
  return registerCommand('corral.setApiKey', async () => {
    const picked = await vscode.window.showQuickPick([...KNOWN, 'Another provider (named in the daemon\'s config.json)…'], { placeHolder: 'The key of which provider?' });
    if (!picked) return;
    const provider = KNOWN.includes(picked)
      ? picked
      : (await vscode.window.showInputBox({ prompt: 'Provider name, as in config.json', validateInput: (value) => (/^[a-z0-9][a-z0-9_-]*$/i.test(value) ? undefined : 'Letters, digits, - and _') }))?.trim();
    if (!provider) return;
    const key = await vscode.window.showInputBox({ prompt: `API key for ${provider} (kept in VS Code's secret storage)`, password: true, ignoreFocusOut: true, validateInput: (value) => (value.trim().length < 8 ? 'That is too short to be a key.' : undefined) });
    if (!key) return;
    await keys.store(provider, key.trim());
    const choice = await vscode.window.showInformationMessage(
      `Corral: the ${provider} key is stored. The daemon gets it when the extension starts it; restart the daemon now to hand it over?`,
      { modal: true, detail: 'Running commands in sessions are interrupted by a restart; sessions themselves stay.' },
      'Restart Daemon',
    );
    if (choice === 'Restart Daemon') await restartDaemon();
  });
}
