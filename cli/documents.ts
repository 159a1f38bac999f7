import * as z from 'zod/mini';
import { Check, DaemonStatus, UsageImportResult } from '../server/protocol';

/**
 * The `--json` documents the CLI writes itself (docs/cli.md), declared once: each is built from
 * the protocol's schemas where it carries the daemon's data. Every other `--json` document is a
 * protocol result printed as it is, and its schema is the result schema of its request.
 */

/** `corral doctor`: the CLI's own checks, then the daemon's (`daemon/doctor`). */
export const DoctorDocument = z.strictObject({
  ok: z.boolean(),
  checks: z.array(z.extend(Check, { id: z.enum(['node', 'home', 'daemon', 'token', 'socket', 'store', 'docker', 'image']) })),
});
export type DoctorDocument = z.infer<typeof DoctorDocument>;

/** `corral daemon start|status` with the daemon running: its `daemon/status`. */
export const DaemonRunningDocument = z.extend(DaemonStatus, { running: z.literal(true) });
export type DaemonRunningDocument = z.infer<typeof DaemonRunningDocument>;

/** `corral daemon status` with nothing running, and `corral daemon stop`. */
export const DaemonStoppedDocument = z.strictObject({
  running: z.literal(false),
  /** `stop` only: whether there was a daemon to stop. */
  stopped: z.optional(z.boolean()),
  pid: z.optional(z.int()),
  home: z.string(),
});
export type DaemonStoppedDocument = z.infer<typeof DaemonStoppedDocument>;

/** `corral usage import`: the sums of its `usage/import` batches, and what was read. */
export const UsageImportDocument = z.extend(UsageImportResult, {
  files: z.int(),
  /** Model calls read from the logs. */
  rows: z.int(),
});
