import * as vscode from 'vscode';
import { resolveHome } from '../server/protocol/paths';

/** Typed view of the `corral.*` settings. */
export class Config {
  static readonly section = 'corral';
  /** Settings whose change needs a reconnect to take effect. */
  static readonly reconnectKeys = ['corral.home'];

  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(Config.section);
  }

  /** `corral.home`, else `$CORRAL_HOME`, else `~/.corral`. */
  get home(): string {
    const configured = this.raw.get<string>('home', '');
    return configured.length > 0 ? resolveHome({ CORRAL_HOME: configured }) : resolveHome();
  }
}
