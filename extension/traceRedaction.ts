import { ProviderSetKey } from '../server/protocol';

/** Requests whose params hold a secret: the trace names them but never shows their params. */
const SECRET_PARAMS = [ProviderSetKey.method];

/**
 * One line of the JSON-RPC trace for the Corral output channel (which VS Code also writes to a
 * log file): the message with its data, except the params of a request that carries an API key.
 * vscode-jsonrpc's text trace names the method as `Sending request 'provider/setKey - (7)'.`
 */
export function traceLine(message: string, data?: string): string {
  if (!data) return message;
  if (SECRET_PARAMS.some((method) => message.startsWith(`Sending request '${method} - `))) return `${message}\n(params hidden: they hold an API key)`;
  return `${message}\n${data}`;
}
