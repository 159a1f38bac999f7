import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../errors';
import type { Logger } from '../log';
import type { JailPort } from '../jail/port';
import { hasContainer } from './lifecycle';
import type { SessionService } from './service';

export interface ReconcileReport {
  adopted: string[];
  recovered: string[];
  lost: string[];
  failed: string[];
  orphanContainers: string[];
  orphanWorkspaces: string[];
}

/**
 * Makes records and the engine agree, at start-up and after the engine restarts:
 * - a live session whose container runs is adopted (its shell is reconnected on next use);
 * - one whose container stopped (an engine restart without live-restore) is started again:
 *   recovered, with a fresh shell; the workspace is intact, /tmp and running commands are not;
 * - one whose container is gone is `lost`; one still `creating` when the daemon died is `failed`;
 * - containers labelled with this home but without a live record are removed, and so are
 *   workspaces and trusted repositories without a record.
 */
export async function reconcile(
  sessions: SessionService,
  jail: JailPort,
  dirs: { home: string; worktrees: string; trusted: string },
  logger: Logger,
  startup: boolean,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { adopted: [], recovered: [], lost: [], failed: [], orphanContainers: [], orphanWorkspaces: [] };
  const containers = await jail.list(dirs.home);
  const bySession = new Map(containers.map((c) => [c.sessionId, c]));
  // Removed sessions are not listed: their containers, if any are left, are orphans.
  const rows = sessions.all();
  const live = new Set(rows.filter((row) => hasContainer(row.state) || row.state === 'lost').map((row) => row.id));

  for (const row of rows) {
    if (!live.has(row.id)) continue;
    const container = bySession.get(row.id);
    // Between runs of the daemon only what changed is acted on: a healthy session is left alone.
    const healthy = container && ((container.state === 'running' && row.state !== 'paused' && row.state !== 'lost') || (container.state === 'paused' && row.state === 'paused'));
    if (!startup && (healthy || row.state === 'creating')) continue;
    try {
      if (row.state === 'creating') {
        if (container) await jail.remove(container.containerId);
        fs.rmSync(row.workspace, { recursive: true, force: true });
        if (row.git) fs.rmSync(row.git.trustedDir, { recursive: true, force: true });
        await sessions.move(row.owner, row.id, { type: 'fail', reason: 'the daemon stopped while the session was being created' }, 'reconcile');
        report.failed.push(row.id);
      } else if (!container) {
        if (row.state !== 'lost') {
          await sessions.move(row.owner, row.id, { type: 'lose', reason: 'its container is gone' }, 'reconcile');
          report.lost.push(row.id);
        }
      } else if (container.state === 'running' || container.state === 'paused') {
        sessions.closeShell(row.id);
        if (row.state === 'lost') await sessions.move(row.owner, row.id, { type: 'recover' }, 'reconcile', 'its container is back');
        else if (row.state === 'busy') await sessions.move(row.owner, row.id, { type: 'command-finished' }, 'reconcile', 'the command was cut by the restart');
        if (container.state === 'paused' && row.state !== 'paused') await jail.resume(container.containerId);
        sessions.note(row.id, 'reconcile', 'adopted', `container ${container.state}`);
        report.adopted.push(row.id);
      } else {
        // Stopped by an engine restart: start it again with a fresh shell.
        sessions.closeShell(row.id);
        await jail.start(container.containerId);
        if (row.state === 'paused') await sessions.move(row.owner, row.id, { type: 'resume' }, 'reconcile');
        if (row.state === 'busy') await sessions.move(row.owner, row.id, { type: 'command-finished' }, 'reconcile', 'the command was cut by the restart');
        if (row.state === 'lost') await sessions.move(row.owner, row.id, { type: 'recover' }, 'reconcile');
        sessions.note(row.id, 'reconcile', 'recovered', 'container restarted after it stopped; running commands and /tmp were lost');
        report.recovered.push(row.id);
      }
    } catch (error) {
      logger.error('reconcile failed for a session', { session: row.id, error: describeError(error) });
    }
  }

  for (const container of containers) {
    if (live.has(container.sessionId)) continue;
    await jail
      .remove(container.containerId)
      .catch((error: unknown) => logger.error('could not remove an orphan', { container: container.containerId, error: describeError(error) }));
    report.orphanContainers.push(container.containerId);
  }

  const known = new Set(rows.map((row) => row.id));
  for (const [dir, suffix] of [
    [dirs.worktrees, ''],
    [dirs.trusted, '.git'],
  ] as const) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      const id = suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
      if (known.has(id)) continue;
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      report.orphanWorkspaces.push(path.join(dir, name));
    }
  }
  if (Object.values(report).some((list) => list.length > 0)) logger.info('reconciled', { ...report });
  return report;
}
