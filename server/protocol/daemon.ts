import * as z from 'zod/mini';
import { CorralRequest, IsoTime, NoParams } from './base';

/** One thing store recovery found at start-up: kept for `corral doctor`, never silent. */
export const RecoveryEvent = z.strictObject({
  kind: z.enum(['torn-journal-tail', 'corrupt-snapshot', 'journal-gap', 'replay-failed', 'snapshot-fallback']),
  message: z.string(),
  /** Bytes or records dropped, when known. */
  droppedBytes: z.optional(z.number()),
  droppedRecords: z.optional(z.number()),
});
export type RecoveryEvent = z.infer<typeof RecoveryEvent>;

/** What the daemon reports about its store; `recovery` lists anything dropped at the last start. */
export const StoreStatus = z.strictObject({
  path: z.string(),
  schemaVersion: z.int(),
  lastSeq: z.int(),
  snapshotSeq: z.int(),
  journalBytes: z.number(),
  /** Set when the store cannot write durably any more; writes then fail with `StoreUnavailable`. */
  failure: z.optional(z.string()),
  recovery: z.array(RecoveryEvent),
});
export type StoreStatus = z.infer<typeof StoreStatus>;

export const DaemonStatus = z.strictObject({
  pid: z.int(),
  version: z.string(),
  protocolVersion: z.int(),
  home: z.string(),
  socket: z.string(),
  startedAt: IsoTime,
  uptimeMs: z.number(),
  connections: z.int(),
  store: StoreStatus,
});
export type DaemonStatus = z.infer<typeof DaemonStatus>;

/** `daemon/status`: process, socket and store facts. */
export const DaemonStatusRequest = new CorralRequest('daemon/status', NoParams, DaemonStatus);

/** `daemon/shutdown`: stop accepting, finish in-flight work, flush the store, exit 0. Owner only. */
export const DaemonShutdown = new CorralRequest('daemon/shutdown', NoParams, z.strictObject({ stopping: z.literal(true) }));

export const CheckStatus = z.enum(['ok', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** One line of `corral doctor`: a check, its outcome and, when not ok, exactly what to do. */
export const Check = z.strictObject({
  id: z.string(),
  title: z.string(),
  status: CheckStatus,
  detail: z.string(),
  hint: z.optional(z.string()),
});
export type Check = z.infer<typeof Check>;

/** `daemon/doctor`: the daemon's own health checks (store, Docker engine). */
export const DaemonDoctor = new CorralRequest('daemon/doctor', NoParams, z.strictObject({ checks: z.array(Check) }));
