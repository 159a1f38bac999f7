import { readConfig, type Config } from '../config';
import { CorralError, describeError } from '../errors';
import { appendImported, exportRows } from '../ledger/imported';
import { PriceTable } from '../ledger/prices';
import type { Logger } from '../log';
import type { Clock } from '../ports/clock';
import { systemScheduler, type Scheduler, type Timer } from '../ports/scheduler';
import { ErrorCode } from '../protocol';
import { UsageAlertRaised, UsageChanged, type ImportRow, type LedgerExportRow, type UsageAlert, type UsageForecastResult, type UsageMonthReport } from '../protocol/usage';
import type { Store } from '../store/store';
import { ackAlert, getAlert, hasForecast, insertFindings, listAlerts, markDelivered, newFindings, saveForecast, undeliveredAlerts } from './alertStore';
import { detectBudgetCourse, detectFailingCommands, detectModelSwitch, detectSpendSpikes, type Finding } from './detectors';
import { burnRate, forecastMonth } from './forecast';
import { monthReport } from './monthReport';
import { activeUsers, readCalls, readCommands, readDailyCost, readHourlyCost } from './readers';
import { DAY_MS, daysInMonth, HOUR_MS } from './rows';
import { usageSettings } from './settings';
import { postWebhook, slackMessage } from './webhook';

export interface UsageServiceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  configFile: string;
  /** Sends a notification to every connection of `user`. */
  announce(user: string, method: string, params: unknown): void;
  /** The evaluation timer and the pauses between webhook retries (Node's timers unless a test moves time). */
  scheduler?: Scheduler;
}

export interface Caller {
  user: string;
  owner: boolean;
}

/**
 * Usage analytics over the ledger: forecasts, the monthly report, alerts (evaluated on a timer
 * and when a client lists them; stored, announced to the user's clients and posted to the
 * webhook), import and export.
 */
export class UsageService {
  private timer: Timer | undefined;
  private evaluating: Promise<UsageAlert[]> | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly deps: UsageServiceDeps) {}

  private get scheduler(): Scheduler {
    return this.deps.scheduler ?? systemScheduler;
  }

  /** Evaluates now and then every `usage.alerts.everyS` (read again each time). */
  start(): void {
    const tick = (): void => {
      void this.evaluate()
        .catch((error: unknown) => this.deps.logger.warn('usage alert evaluation failed', { error: describeError(error) }))
        .finally(() => {
          if (this.closing.signal.aborted) return;
          this.timer = this.scheduler.after(this.settings().everyMs, tick);
        });
    };
    tick();
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.timer?.cancel();
    await this.evaluating?.catch(() => undefined);
  }

  /** A model call was added to `user`'s ledger. */
  ledgerChanged(user: string): void {
    this.deps.announce(user, UsageChanged.method, { reason: 'ledger' });
  }

  private config(): Config {
    try {
      return readConfig(this.deps.configFile);
    } catch (error) {
      // A broken config.json must not stop the alerts; its error is reported where it is used.
      this.deps.logger.warn('usage analytics: config.json unreadable, using defaults', { error: describeError(error) });
      return {};
    }
  }

  private settings(): ReturnType<typeof usageSettings> {
    return usageSettings(this.config().usage);
  }

  /** Runs every detector for every active user; stores, announces and delivers what is new. One at a time. */
  evaluate(): Promise<UsageAlert[]> {
    return (this.evaluating ??= this.evaluateNow().finally(() => (this.evaluating = undefined)));
  }

  private async evaluateNow(): Promise<UsageAlert[]> {
    const now = this.deps.clock.now();
    const config = this.config();
    const settings = usageSettings(config.usage);
    const from = new Date(now.getTime() - (settings.alerts.baselineHours + 48) * HOUR_MS).toISOString();
    const until = new Date(now.getTime() + 1).toISOString();
    const day = now.toISOString().slice(0, 10);
    const findings: Finding[] = [];
    const forecasts = this.deps.store.read((r) => {
      const calls = readCalls(r, null, from, until);
      findings.push(
        ...detectSpendSpikes(calls, now, settings.alerts),
        ...detectModelSwitch(calls, now, settings.alerts),
        ...detectFailingCommands(readCommands(r, null, from, until), now, settings.alerts),
      );
      return activeUsers(r, new Date(now.getTime() - 40 * DAY_MS).toISOString()).map((user) => {
        const forecast = forecastMonth(readDailyCost(r, user, new Date(now.getTime() - 40 * DAY_MS).toISOString().slice(0, 10)), now);
        const hourly = readHourlyCost(r, user, `${day}T00`);
        const spentToday = [...hourly].reduce((s, [, usd]) => s + usd, 0);
        findings.push(...detectBudgetCourse(user, now, config.budgets ?? {}, { forecast, spentTodayUsd: spentToday, burnUsdPerHour: burnRate(hourly, now).usdPerHour }));
        return { user, forecast };
      });
    });
    // Nothing is written when nothing is new: an idle daemon's store stays clean (no journal growth, no snapshots).
    const toSave = this.deps.store.read((r) => forecasts.filter(({ user, forecast }) => forecast.spentUsd > 0 && !hasForecast(r, user, day)));
    const fresh = this.deps.store.read((r) => newFindings(r, findings));
    const added =
      toSave.length === 0 && fresh.length === 0
        ? []
        : await this.deps.store.write((w) => {
            for (const { user, forecast } of toSave) saveForecast(w, user, day, forecast);
            return insertFindings(w, fresh, now.toISOString());
          });
    for (const alert of added) {
      this.deps.announce(alert.user, UsageAlertRaised.method, alert);
      this.deps.announce(alert.user, UsageChanged.method, { reason: 'alert' });
    }
    await this.deliver(settings.webhook);
    return added;
  }

  /** Posts undelivered alerts to the webhook; with none configured they count as delivered. */
  private async deliver(webhook: ReturnType<typeof usageSettings>['webhook']): Promise<void> {
    const pending = this.deps.store.read((r) => undeliveredAlerts(r));
    const delivered: number[] = [];
    // Closing the daemon ends a backoff at once; the alert stays undelivered for the next daemon.
    const wait = (ms: number): Promise<void> => this.scheduler.sleep(ms, this.closing.signal);
    for (const alert of pending) {
      if (this.closing.signal.aborted) break;
      if (webhook === null) {
        delivered.push(alert.id);
        continue;
      }
      const result = await postWebhook(webhook, slackMessage(alert), wait, this.closing.signal);
      if (result.delivered) delivered.push(alert.id);
      else {
        this.deps.logger.warn('usage alert webhook failed; retried at the next evaluation', { alert: alert.id, attempts: result.attempts, error: result.error });
        break;
      }
    }
    if (delivered.length > 0) await this.deps.store.write((w) => markDelivered(w, delivered, this.deps.clock.now().toISOString()));
  }

  async alerts(
    caller: Caller,
    params: { ack?: number | undefined; includeAcked?: boolean | undefined; allUsers?: boolean | undefined },
  ): Promise<{ alerts: UsageAlert[]; acked: UsageAlert | null }> {
    const user = this.scope(caller, params.allUsers);
    let acked: UsageAlert | null = null;
    if (params.ack !== undefined) {
      const id = params.ack;
      const alert = this.deps.store.read((r) => getAlert(r, id));
      if (!alert || (!caller.owner && alert.user !== caller.user)) throw new CorralError(ErrorCode.NotFound, `there is no alert ${id}`, 'list them with `corral usage alerts`');
      await this.deps.store.write((w) => ackAlert(w, id, caller.user, this.deps.clock.now().toISOString()));
      acked = this.deps.store.read((r) => getAlert(r, id)) ?? null;
      this.deps.announce(alert.user, UsageChanged.method, { reason: 'alert' });
    } else {
      await this.evaluate();
    }
    return { alerts: this.deps.store.read((r) => listAlerts(r, { user, includeAcked: params.includeAcked === true })), acked };
  }

  forecast(caller: Caller, allUsers: boolean | undefined): UsageForecastResult {
    const user = this.scope(caller, allUsers);
    const now = this.deps.clock.now();
    const budgets = user === null ? {} : (this.config().budgets ?? {});
    const month = now.toISOString().slice(0, 7);
    return this.deps.store.read((r) => {
      const daily = readDailyCost(r, user, new Date(now.getTime() - 40 * DAY_MS).toISOString().slice(0, 10));
      const f = forecastMonth(daily, now);
      const burn = burnRate(readHourlyCost(r, user, new Date(now.getTime() - 7 * HOUR_MS).toISOString().slice(0, 13)), now);
      const hoursLeft = (Date.parse(`${month}-01T00:00:00Z`) + daysInMonth(month) * DAY_MS - now.getTime()) / HOUR_MS;
      const today = now.toISOString().slice(0, 10);
      const past = Array.from({ length: Number(today.slice(8, 10)) }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`).map((day) => ({
        day,
        usd: daily.get(day) ?? 0,
        forecast: false,
      }));
      const { remaining, ...rest } = f;
      return {
        ...rest,
        at: now.toISOString(),
        burn: { ...burn, projectedMonthUsd: f.spentUsd + burn.usdPerHour * hoursLeft },
        budgets: { dayUsd: budgets.dayUsd ?? null, monthUsd: budgets.monthUsd ?? null },
        days: [...past, ...remaining.map((d) => ({ ...d, forecast: true }))],
      };
    });
  }

  report(caller: Caller, month: string, allUsers: boolean | undefined): UsageMonthReport {
    const user = this.scope(caller, allUsers);
    const rates = this.settings().infra;
    return this.deps.store.read((r) => monthReport(r, user, month, rates));
  }

  /** Prices the rows like Corral's own calls (config.json `prices` first) and adds the new ones. */
  async import(user: string, source: string, rows: readonly ImportRow[]): Promise<{ added: number; duplicates: number; unpriced: number; costUsd: number }> {
    const prices = new PriceTable(this.config().prices);
    const quoted = await Promise.all(
      rows.map(async (row) => ({
        row,
        quote: await prices.quote(row.provider, row.model, {
          inputTokens: row.inputTokens,
          outputTokens: row.outputTokens,
          cacheReadTokens: row.cacheReadTokens,
          cacheWriteTokens: row.cacheWriteTokens,
          reasoningTokens: row.reasoningTokens,
        }),
      })),
    );
    const result = await this.deps.store.write((w) => appendImported(w, user, source, quoted));
    if (result.added > 0) this.deps.announce(user, UsageChanged.method, { reason: 'import' });
    return result;
  }

  export(
    caller: Caller,
    params: { afterId?: number | undefined; limit?: number | undefined; allUsers?: boolean | undefined },
  ): { rows: LedgerExportRow[]; nextAfterId: number | null } {
    const user = this.scope(caller, params.allUsers);
    const limit = params.limit ?? 5000;
    const rows = this.deps.store.read((r) => exportRows(r, user, params.afterId ?? 0, limit));
    return { rows, nextAfterId: rows.length === limit ? rows[rows.length - 1]!.id : null };
  }

  private scope(caller: Caller, allUsers: boolean | undefined): string | null {
    if (!allUsers) return caller.user;
    if (!caller.owner) throw new CorralError(ErrorCode.Forbidden, "everyone's usage is for the daemon's owner only", 'leave out --all to see your own');
    return null;
  }
}
