import type * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { registerReviewCommands } from './review/reviewCommands';
import { ReviewComments } from './review/reviewComments';
import { SessionChanges } from './review/sessionChanges';
import { registerRunCommands } from './runs/runCommands';
import type { RunsModel } from './runs/runsModel';
import { RunsTree } from './runs/runsTree';
import { Transcripts } from './runs/transcript';
import type { SessionsTree } from './sessions/sessionsTree';
import { UsageStatus } from './statusBar';
import type { TasksTree } from './tasks/tasksTree';
import { UsageAlertNotifications } from './usageAlerts';

/** The parts of issue 13 items 6, 7 and 9, for `activate` and the extension's tests. */
export interface AgentViews {
  runsTree: RunsTree;
  changes: SessionChanges;
  comments: ReviewComments;
  usage: UsageStatus;
  alerts: UsageAlertNotifications;
  disposables: vscode.Disposable[];
}

/** Agent runs (view, commands, transcripts), review and apply (SCM), the spend item and usage alerts. */
export function registerAgentViews(ctx: Ctx, runs: RunsModel, sessions: SessionsTree, tasks: TasksTree): AgentViews {
  const runsTree = new RunsTree(ctx, runs);
  const changes = new SessionChanges(ctx, sessions, runs);
  const usage = new UsageStatus(ctx);
  const alerts = new UsageAlertNotifications(ctx);
  const comments = new ReviewComments(ctx, changes);
  return {
    runsTree,
    changes,
    comments,
    usage,
    alerts,
    disposables: [
      runsTree,
      new Transcripts(runs),
      changes,
      comments,
      usage,
      alerts,
      ...registerRunCommands(ctx, runs, sessions, tasks),
      ...registerReviewCommands(ctx, sessions, changes),
    ],
  };
}
