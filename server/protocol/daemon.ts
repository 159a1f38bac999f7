import * as z from 'zod/mini';
import { CorralRequest } from './base';

const NoParams = z.optional(z.strictObject({}));

/** What the daemon reports about its store; `recovery` lists anything dropped at the last start. */
export interface StoreStatus {
  path: string;
  schemaVersion: number;
  lastSeq: number;
  snapshotSeq: number;
  journalBytes: number;
  /** Set when the store cannot write durably any more; writes then fail with `StoreUnavailable`. */
  failure?: string;
  recovery: RecoveryEvent[];
}

/** One thing store recovery found at start-up: kept for `corral doctor`, never silent. */
export interface RecoveryEvent {
  kind: 'torn-journal-tail' | 'corrupt-snapshot' | 'journal-gap' | 'replay-failed' | 'snapshot-fallback';
  message: string;
  /** Bytes or records dropped, when known. */
  droppedBytes?: number;
  droppedRecords?: number;
}

export interface DaemonStatus {
  pid: number;
  version: string;
  protocolVersion: number;
  home: string;
  socket: string;
  startedAt: string;
  uptimeMs: number;
  connections: number;
  store: StoreStatus;
}

/** `daemon/status`: process, socket and store facts. */
export const DaemonStatusRequest = new CorralRequest<typeof NoParams, DaemonStatus>('daemon/status', NoParams);

/** `daemon/shutdown`: stop accepting, finish in-flight work, flush the store, exit 0. Owner only. */
export const DaemonShutdown = new CorralRequest<typeof NoParams, { stopping: true }>(
  'daemon/shutdown',
  NoParams,
  'owner',
);

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `corral doctor`: a check, its outcome and, when not ok, exactly what to do. */
export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/** `daemon/doctor`: the daemon's own health checks (store, Docker engine). */
export const DaemonDoctor = new CorralRequest<typeof NoParams, { checks: Check[] }>('daemon/doctor', NoParams);
