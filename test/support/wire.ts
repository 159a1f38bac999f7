import type { MessageConnection } from 'vscode-jsonrpc';
import type * as z from 'zod/mini';
import { CorralRequest } from '../../server/protocol';
import { protocolDeclarations } from '../../server/protocol/document';

/** Payload schemas of the declared notifications, by method. */
const PAYLOADS = new Map(protocolDeclarations().notifications.map((n) => [n.method, n.payload] as const));

/** What the daemon sent that its declaration does not allow. */
export class WireMismatch extends Error {
  constructor(what: string, issues: readonly { path: PropertyKey[]; message: string }[], value: unknown) {
    const listed = issues
      .slice(0, 5)
      .map((issue) => `${issue.path.map(String).join('.') || '(top)'}: ${issue.message}`)
      .join('; ');
    super(`${what} does not match its declaration in server/protocol: ${listed}\n${JSON.stringify(value)?.slice(0, 600)}`);
    this.name = 'WireMismatch';
  }
}

function check(schema: z.ZodMiniType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new WireMismatch(what, parsed.error.issues, value);
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Makes a client connection check the wire for free: every result of a declared request is parsed
 * with the declaration's result schema (a mismatch rejects the call with `WireMismatch`), and
 * every declared notification's payload with its payload schema before the test's handler sees
 * it (a mismatch is thrown outside the handler, so mocha fails the running test). The connection
 * object itself is changed and returned; every test helper that connects passes through here.
 */
export function checkWire<C extends MessageConnection>(rpc: C): C {
  const send = rpc.sendRequest.bind(rpc) as AnyFunction;
  const listen = rpc.onNotification.bind(rpc) as AnyFunction;
  const checked = {
    async sendRequest(...args: unknown[]): Promise<unknown> {
      const result = await send(...args);
      const [type] = args;
      if (type instanceof CorralRequest) check(type.result as z.ZodMiniType, result, `the result of ${type.method}`);
      return result;
    },
    onNotification(...args: unknown[]): unknown {
      const handler = args[args.length - 1] as AnyFunction;
      const [first] = args;
      const method = typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'method' in first ? String(first.method) : undefined;
      const wrapped =
        method === undefined
          ? (name: unknown, params: unknown): unknown => {
              payloadCheck(String(name), params);
              return handler(name, params);
            }
          : (params: unknown): unknown => {
              payloadCheck(method, params);
              return handler(params);
            };
      return listen(...args.slice(0, -1), wrapped);
    },
  };
  return Object.assign(rpc, checked);
}

function payloadCheck(method: string, params: unknown): void {
  const schema = PAYLOADS.get(method);
  if (!schema) return;
  try {
    check(schema, params, `the ${method} notification`);
  } catch (error) {
    // Thrown from the handler it would be logged and swallowed by vscode-jsonrpc.
    setImmediate(() => {
      throw error;
    });
  }
}
