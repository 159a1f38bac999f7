import { CorralError } from '../errors';
import { parseSince, queryUsage } from '../ledger/usage';
import type { Clock } from '../ports/clock';
import { ErrorCode, type UsageQueryParams, type UsageReport } from '../protocol';
import type { Store } from '../store/store';
import type * as z from 'zod/mini';

/** Who asks for usage: everyone's is for the daemon's owner only. */
export interface UsageCaller {
  user: string;
  daemonOwner: boolean;
}

/**
 * `usage/query`: token and cost totals from the ledger over a window ending now (the clock's),
 * by one dimension — the caller's own calls, or everyone's for the daemon's owner. The analytics
 * (alerts, forecasts, reports) are server/analytics/service.ts.
 */
export class UsageQueries {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  query(caller: UsageCaller, params: z.infer<typeof UsageQueryParams>): UsageReport {
    if (params.allUsers && !caller.daemonOwner) throw new CorralError(ErrorCode.Forbidden, "everyone's usage is for the daemon's owner only", 'leave out allUsers to see your own');
    const until = this.clock.now();
    const since = parseSince(params.since ?? '30d', until);
    if (since === undefined) throw new CorralError(ErrorCode.InvalidParams, `cannot read --since ${params.since}`, 'use 7d, 24h, 30m or a date like 2026-11-01');
    const by = params.by ?? 'day';
    return { since: since.toISOString(), until: until.toISOString(), by, ...this.store.read((r) => queryUsage(r, { user: params.allUsers ? null : caller.user, since, by })) };
  }
}
