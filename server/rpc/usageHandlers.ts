import type { UsageService } from '../analytics/service';
import type { Identity } from '../protocol';
import { UsageAlerts, UsageExport, UsageForecast, UsageImport, UsageMonthReportRequest } from '../protocol/usage';
import type { Router } from './router';

const caller = (identity: Identity): { user: string; owner: boolean } => ({ user: identity.user, owner: identity.role === 'owner' });

/** The usage analytics methods (`usage/query` stays in handlers.ts with the ledger it reads). */
export function registerUsageHandlers(router: Router, usage: UsageService): Router {
  return router
    .on(UsageAlerts, (params, { identity }) => usage.alerts(caller(identity), params))
    .on(UsageForecast, (params, { identity }) => usage.forecast(caller(identity), params.allUsers))
    .on(UsageMonthReportRequest, (params, { identity }) => usage.report(caller(identity), params.month, params.allUsers))
    .on(UsageImport, (params, { identity }) => usage.import(identity.user, params.source, params.rows))
    .on(UsageExport, (params, { identity }) => usage.export(caller(identity), params));
}
