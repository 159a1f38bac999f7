import type * as z from 'zod/mini';

/**
 * Parses a command's stdout as exactly one JSON document and checks it against `schema` — a
 * protocol result schema when the CLI prints the daemon's answer as it is, else one of the CLI's
 * own documents (cli/documents.ts) — with the issues and the output on failure.
 */
export function parseAs<T>(schema: z.ZodMiniType<T>, stdout: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`${what}: stdout is not one JSON document (${(error as Error).message}): ${stdout.slice(0, 300)}`, { cause: error });
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${what}: ${JSON.stringify(result.error.issues)}\n${stdout.slice(0, 600)}`);
  return result.data;
}

/** The result schema of a request declaration: what `--json` prints when the CLI passes the daemon's answer on as it is. */
export function resultOf<R>(request: { result: z.ZodMiniType<R> }): z.ZodMiniType<R> {
  return request.result;
}
