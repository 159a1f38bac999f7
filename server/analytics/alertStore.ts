import type { UsageAlert } from '../protocol/usage';
import type { Reader, Writer } from '../store/store';
import type { Finding } from './detectors';
import type { MonthForecast } from './forecast';

interface AlertRow {
  id: number;
  kind: string;
  user: string;
  at: string;
  severity: string;
  message: string;
  evidence: string;
  acked_at: string | null;
  acked_by: string | null;
  [key: string]: string | number | null;
}

const COLUMNS = 'id, kind, user, at, severity, message, evidence, acked_at, acked_by';

function toAlert(row: AlertRow): UsageAlert {
  return {
    id: row.id,
    kind: row.kind as UsageAlert['kind'],
    user: row.user,
    at: row.at,
    severity: row.severity as UsageAlert['severity'],
    message: row.message,
    evidence: JSON.parse(row.evidence) as UsageAlert['evidence'],
    ackedAt: row.acked_at,
    ackedBy: row.acked_by,
  };
}

/**
 * Stores the findings not seen before (by their key) and returns them. A finding whose alert was
 * acknowledged has the same key, so it never comes back.
 */
export function insertFindings(w: Writer, findings: readonly Finding[], at: string): UsageAlert[] {
  const added: UsageAlert[] = [];
  for (const f of findings) {
    const { changes } = w.run(
      'INSERT INTO usage_alerts (kind, user, dedupe_key, at, severity, message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING',
      [f.kind, f.user, f.key, at, f.severity, f.message, JSON.stringify(f.evidence)],
    );
    if (changes === 0) continue;
    const row = w.get<AlertRow>(`SELECT ${COLUMNS} FROM usage_alerts WHERE dedupe_key = ?`, [f.key]);
    if (row) added.push(toAlert(row));
  }
  return added;
}

export function listAlerts(r: Reader, options: { user: string | null; includeAcked: boolean; from?: string; to?: string }): UsageAlert[] {
  const where = ['1 = 1'];
  const params: string[] = [];
  const add = (condition: string, param?: string): void => {
    where.push(condition);
    if (param !== undefined) params.push(param);
  };
  if (options.user !== null) add('user = ?', options.user);
  if (!options.includeAcked) add('acked_at IS NULL');
  if (options.from !== undefined) add('at >= ?', options.from);
  if (options.to !== undefined) add('at < ?', options.to);
  return r.all<AlertRow>(`SELECT ${COLUMNS} FROM usage_alerts WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT 1000`, params).map(toAlert);
}

export function getAlert(r: Reader, id: number): UsageAlert | undefined {
  const row = r.get<AlertRow>(`SELECT ${COLUMNS} FROM usage_alerts WHERE id = ?`, [id]);
  return row && toAlert(row);
}

/** Marks an alert acknowledged (once: a second ack keeps the first one's time and person). */
export function ackAlert(w: Writer, id: number, by: string, at: string): void {
  w.run('UPDATE usage_alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL', [at, by, id]);
}

/** Alerts not yet delivered to the webhook. */
export function undeliveredAlerts(r: Reader): UsageAlert[] {
  return r.all<AlertRow>(`SELECT ${COLUMNS} FROM usage_alerts WHERE delivered_at IS NULL ORDER BY id LIMIT 50`).map(toAlert);
}

export function markDelivered(w: Writer, ids: readonly number[], at: string): void {
  for (const id of ids) w.run('UPDATE usage_alerts SET delivered_at = ? WHERE id = ?', [at, id]);
}

/** Keeps the day's forecast of a user's month: the first of the day (later ones would only rewrite it). */
export function saveForecast(w: Writer, user: string, day: string, f: MonthForecast): void {
  w.run(
    `INSERT INTO usage_forecasts (month, user, day, projected_usd, low_usd, high_usd, method) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (month, user, day) DO NOTHING`,
    [f.month, user, day, f.projectedUsd, f.lowUsd, f.highUsd, f.method],
  );
}

/** Whether a forecast of `user`'s month was kept on `day`. */
export function hasForecast(r: Reader, user: string, day: string): boolean {
  return r.get('SELECT 1 AS kept FROM usage_forecasts WHERE month = ? AND user = ? AND day = ?', [day.slice(0, 7), user, day]) !== undefined;
}

/** The findings whose key has no alert yet. */
export function newFindings(r: Reader, findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => r.get('SELECT 1 AS seen FROM usage_alerts WHERE dedupe_key = ?', [f.key]) === undefined);
}

/**
 * The month's forecast as made mid-month: for each user the latest made on or before the 15th
 * (else the earliest after it), summed over the users asked for.
 */
export function midMonthForecast(r: Reader, user: string | null, month: string): { madeOn: string; method: string; projectedUsd: number; lowUsd: number; highUsd: number } | null {
  const rows = r.all<{ user: string; day: string; projected_usd: number; low_usd: number; high_usd: number; method: string }>(
    `SELECT user, day, projected_usd, low_usd, high_usd, method FROM usage_forecasts WHERE month = ?${user === null ? '' : ' AND user = ?'} ORDER BY user, day`,
    user === null ? [month] : [month, user],
  );
  const mid = `${month}-15`;
  const picked = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const current = picked.get(row.user);
    if (!current || (row.day <= mid && (current.day < row.day || current.day > mid))) picked.set(row.user, row);
  }
  const chosen = [...picked.values()];
  if (chosen.length === 0) return null;
  return {
    madeOn: chosen.map((c) => c.day).sort()[0]!,
    method: [...new Set(chosen.map((c) => c.method))].join('+'),
    projectedUsd: chosen.reduce((s, c) => s + c.projected_usd, 0),
    lowUsd: chosen.reduce((s, c) => s + c.low_usd, 0),
    highUsd: chosen.reduce((s, c) => s + c.high_usd, 0),
  };
}
