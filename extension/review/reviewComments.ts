import * as vscode from 'vscode';
import { AgentRun, type RunSummary } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { describeError, registerCommand } from '../errors';
import { refreshSessionDocuments, SESSION_SCHEME } from '../sessions/changedFiles';
import type { SessionChanges } from './sessionChanges';

/** Comments VS Code shows; the agent's answer is one too. */
class ReviewComment implements vscode.Comment {
  mode = vscode.CommentMode.Preview;
  constructor(
    public body: string | vscode.MarkdownString,
    public author: vscode.CommentAuthorInformation,
  ) {}
}

/**
 * The review loop: a comment on a line of a session's file in a review (the right side, a
 * `corral-session:` document) becomes the agent's next turn in that session — the file, the line
 * and the comment are its goal — and the run's answer is shown under the comment.
 */
export class ReviewComments implements vscode.Disposable {
  static readonly controllerId = 'corral-review';
  readonly controller = vscode.comments.createCommentController(ReviewComments.controllerId, 'Corral review');
  private readonly bag: vscode.Disposable[] = [this.controller];

  constructor(
    private readonly ctx: Ctx,
    private readonly changes: SessionChanges,
  ) {
    this.controller.options = { prompt: 'Ask the agent to change this line…', placeHolder: 'The agent works on it in the session, then answers here' };
    // Any line of a session's file can take a comment; base documents cannot (the agent cannot change the past).
    this.controller.commentingRangeProvider = {
      provideCommentingRanges: (document) => (document.uri.scheme === SESSION_SCHEME ? [new vscode.Range(0, 0, Math.max(0, document.lineCount - 1), 0)] : []),
    };
    this.bag.push(registerCommand('corral.review.comment', (reply: vscode.CommentReply) => this.comment(reply)));
  }

  /** Posts the comment, runs the agent on it in the file's session, and shows the answer under it. */
  async comment(reply: vscode.CommentReply): Promise<RunSummary | undefined> {
    const { thread, text } = reply;
    const target = sessionOf(thread.uri);
    if (!target) throw new Error('comments go on the session side of a review (its right side)');
    const line = (thread.range?.start.line ?? 0) + 1;
    thread.comments = [...thread.comments, new ReviewComment(text, { name: 'You' })];
    thread.label = 'The agent is working on it…';
    thread.canReply = false;
    const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === thread.uri.toString());
    const lineText = document && line <= document.lineCount ? document.lineAt(line - 1).text : undefined;
    const prompt = [
      `A reviewer commented on line ${line} of ${target.path} in this session's workspace:`,
      '',
      text,
      ...(lineText === undefined ? [] : ['', `Line ${line} reads: ${lineText}`]),
      '',
      'Address the comment in the code, then call finish with a short answer to the reviewer.',
    ].join('\n');
    try {
      const summary = await this.ctx.requireConnection().rpc.sendRequest(AgentRun, {
        session: target.session,
        prompt,
        ...(this.ctx.config.provider ? { provider: this.ctx.config.provider } : {}),
        ...(this.ctx.config.model ? { model: this.ctx.config.model } : {}),
        ...(this.ctx.config.runBudgetUsd > 0 ? { budgetUsd: this.ctx.config.runBudgetUsd } : {}),
      });
      const answer =
        summary.outcome === 'finished'
          ? summary.summary
          : `The run ended (${summary.outcome}): ${summary.error ? `${summary.error.message}. ${summary.error.hint}` : summary.summary}`;
      thread.comments = [...thread.comments, new ReviewComment(`${answer}\n\n(run ${summary.runId}, ${summary.steps} step(s))`, { name: 'Corral agent' })];
      thread.label = summary.outcome === 'finished' ? 'Answered by the agent' : `Run ${summary.outcome}`;
      refreshSessionDocuments();
      void this.changes.refresh(target.session);
      return summary;
    } catch (error) {
      thread.comments = [...thread.comments, new ReviewComment(`The agent could not run: ${describeError(error)}`, { name: 'Corral' })];
      thread.label = 'Not run';
      throw error;
    } finally {
      thread.canReply = true;
    }
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }
}

/** The session and file of a `corral-session:` document (its query names the workspace; the session comes from it). */
function sessionOf(uri: vscode.Uri): { session: string; path: string } | undefined {
  if (uri.scheme !== SESSION_SCHEME) return undefined;
  try {
    const query: unknown = JSON.parse(uri.query);
    if (typeof query === 'object' && query !== null && 'session' in query && typeof query.session === 'string') return { session: query.session, path: uri.path.slice(1) };
  } catch {
    return undefined;
  }
  return undefined;
}
