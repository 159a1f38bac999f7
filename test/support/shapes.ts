import * as z from 'zod/mini';

/**
 * The `--json` documents of docs/cli.md, written down as strict schemas: a field the docs do not
 * name, or a documented field missing or of another type, fails the test that uses them.
 */
const isoTime = z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/));
const nullableString = z.nullable(z.string());

const check = z.strictObject({
  id: z.enum(['node', 'home', 'daemon', 'token', 'socket', 'store', 'docker', 'image']),
  title: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  detail: z.string(),
  hint: z.optional(z.string()),
});
export const doctorShape = z.strictObject({ ok: z.boolean(), checks: z.array(check) });

const recovery = z.strictObject({
  kind: z.enum(['torn-journal-tail', 'corrupt-snapshot', 'journal-gap', 'replay-failed', 'snapshot-fallback']),
  message: z.string(),
  droppedBytes: z.optional(z.number()),
  droppedRecords: z.optional(z.number()),
});
export const daemonRunningShape = z.strictObject({
  running: z.literal(true),
  pid: z.number(),
  version: z.string(),
  protocolVersion: z.number(),
  home: z.string(),
  socket: z.string(),
  startedAt: isoTime,
  uptimeMs: z.number(),
  connections: z.number(),
  store: z.strictObject({
    path: z.string(),
    schemaVersion: z.number(),
    lastSeq: z.number(),
    snapshotSeq: z.number(),
    journalBytes: z.number(),
    failure: z.optional(z.string()),
    recovery: z.array(recovery),
  }),
});
/** `daemon status` with nothing running, and `daemon stop`. */
export const daemonStoppedShape = z.strictObject({ running: z.literal(false), stopped: z.optional(z.boolean()), pid: z.optional(z.number()), home: z.string() });

export const imageBuildShape = z.strictObject({
  tag: z.string(),
  id: z.string().check(z.startsWith('sha256:')),
  recipe: z.string(),
  source: z.enum(['image', 'cache', 'built']),
  sizeBytes: z.number(),
});
export const imageListShape = z.array(z.strictObject({ tag: z.string(), id: z.string(), base: z.string(), sizeBytes: z.number(), created: z.string() }));

export const sessionShape = z.strictObject({
  id: z.string(),
  name: nullableString,
  owner: z.string(),
  repo: nullableString,
  repoRoot: nullableString,
  baseCommit: nullableString,
  branch: nullableString,
  workspace: z.string(),
  image: z.string(),
  containerId: nullableString,
  state: z.enum(['creating', 'ready', 'busy', 'paused', 'stopped', 'failed', 'lost']),
  stateReason: nullableString,
  limits: z.strictObject({ memoryBytes: z.number(), cpus: z.number(), pids: z.number(), tmpBytes: z.number() }),
  createdAt: isoTime,
});
export const sessionListShape = z.array(sessionShape);
export const sessionShowShape = z.strictObject({
  session: sessionShape,
  events: z.array(z.strictObject({ at: isoTime, actor: z.string(), kind: z.string(), from: nullableString, to: nullableString, detail: nullableString })),
  summary: z.strictObject({
    commands: z.number(),
    errorRate: z.number(),
    p50Ms: z.nullable(z.number()),
    p95Ms: z.nullable(z.number()),
    peakMemoryBytes: z.nullable(z.number()),
    peakCpuPercent: z.nullable(z.number()),
  }),
});
export const sessionRemoveShape = z.strictObject({ removed: z.string() });

export const diffShape = z.strictObject({
  base: z.string(),
  files: z.array(
    z.strictObject({
      path: z.string(),
      status: z.enum(['A', 'M', 'D', 'R', 'C', 'T']),
      from: z.optional(z.string()),
      binary: z.boolean(),
      added: z.number(),
      deleted: z.number(),
    }),
  ),
  stat: z.string(),
  patch: z.optional(z.string()),
});
export const applyShape = z.strictObject({ files: z.number(), commit: z.optional(z.string()) });

export const execShape = z.strictObject({
  execId: z.string(),
  exitCode: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  interrupted: z.boolean(),
  truncated: z.strictObject({ stdout: z.number(), stderr: z.number() }),
  shellRestarted: z.boolean(),
  droppedNotifications: z.number(),
});

const tokens = z.strictObject({
  calls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  reasoningTokens: z.number(),
  estimatedCalls: z.number(),
});
export const runShape = z.strictObject({
  runId: z.string(),
  sessionId: z.string(),
  outcome: z.enum(['finished', 'stopped', 'max_steps', 'timeout', 'budget', 'error']),
  summary: z.string(),
  error: z.optional(z.strictObject({ message: z.string(), hint: z.string() })),
  steps: z.number(),
  provider: z.string(),
  model: z.string(),
  task: z.optional(z.strictObject({ id: z.string(), board: z.string(), status: z.string() })),
  replay: z.boolean(),
  tokens,
  costUsd: z.nullable(z.number()),
  unpricedCalls: z.number(),
  branch: nullableString,
  next: z.strictObject({ diff: z.string(), apply: z.string() }),
  startedAt: isoTime,
  endedAt: isoTime,
});

const usageTotals = {
  calls: z.number(),
  estimatedCalls: z.number(),
  replayCalls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  reasoningTokens: z.number(),
  costUsd: z.number(),
  unpricedCalls: z.number(),
};
export const usageShape = z.strictObject({
  since: isoTime,
  until: isoTime,
  by: z.enum(['day', 'model', 'provider', 'user', 'session', 'persona', 'task']),
  rows: z.array(z.strictObject({ key: z.string(), ...usageTotals })),
  total: z.strictObject(usageTotals),
});

/** Parses stdout as exactly one JSON document and checks it against `shape`, with the issues on failure. */
export function parseAs<T>(shape: z.ZodMiniType<T>, stdout: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`${what}: stdout is not one JSON document (${(error as Error).message}): ${stdout.slice(0, 300)}`, { cause: error });
  }
  const result = shape.safeParse(value);
  if (!result.success) throw new Error(`${what}: ${JSON.stringify(result.error.issues)}\n${stdout.slice(0, 600)}`);
  return result.data;
}
