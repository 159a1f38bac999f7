import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { runItem, stepItem, type RunNode } from './present';
import type { RunsModel } from './runsModel';

/** Running runs' elapsed time moves: their items are redrawn this often while any run is going. */
const TICK_MS = 1000;

/**
 * The Runs view: the user's agent runs, newest first, live (any client's: `agent/changed`), each
 * expanding into the steps watched since this window connected (tool call → result in brief).
 */
export class RunsTree implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  static readonly viewType = 'corral.runs';
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RunNode>;
  private readonly bag: vscode.Disposable[] = [this.changed];
  private ticker: NodeJS.Timeout | undefined;
  /** One node object per run: a change fired for a run must be the element the view holds. */
  private readonly nodes = new Map<string, RunNode>();

  constructor(
    ctx: Ctx,
    private readonly runs: RunsModel,
  ) {
    this.view = vscode.window.createTreeView(RunsTree.viewType, { treeDataProvider: this, showCollapseAll: true });
    this.bag.push(
      this.view,
      runs.onDidChange(() => this.redraw()),
      ctx.onDidChangeState((state) => {
        this.view.message = state.kind === 'waiting' ? `Not connected to the Corral daemon: ${state.message}. Reconnecting…` : undefined;
      }),
      { dispose: () => clearInterval(this.ticker) },
    );
  }

  async getChildren(element?: RunNode): Promise<RunNode[]> {
    if (element === undefined) return this.runs.list().map((run) => this.node(run.runId));
    if (element.kind === 'step') return [];
    // Steps this window did not watch come from the run's journal.
    const run = await this.runs.loadSteps(element.runId);
    return (run?.watched ?? []).map((step) => ({ kind: 'step', runId: element.runId, step: step.step }));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const run = this.runs.get(node.runId);
    if (!run) return new vscode.TreeItem(node.runId);
    if (node.kind === 'run') return runItem(run);
    const step = run.watched.find((s) => s.step === node.step);
    return step ? stepItem(run, step) : new vscode.TreeItem(`step ${node.step}`);
  }

  getParent(node: RunNode): RunNode | undefined {
    return node.kind === 'step' ? { kind: 'run', runId: node.runId } : undefined;
  }

  dispose(): void {
    for (const disposable of this.bag.splice(0)) disposable.dispose();
  }

  private node(runId: string): RunNode {
    let node = this.nodes.get(runId);
    if (!node) {
      node = { kind: 'run', runId };
      this.nodes.set(runId, node);
    }
    return node;
  }

  /** Redraws everything, and keeps a one-second tick only while a run is going. */
  private redraw(): void {
    this.changed.fire(undefined);
    this.tick();
  }

  /** The running runs' items again (their elapsed time moves); stops when none is running. */
  private tick(): void {
    const running = this.runs.list().filter((run) => run.outcome === null);
    for (const run of running) this.changed.fire(this.node(run.runId));
    if (running.length > 0 && this.ticker === undefined) this.ticker = setInterval(() => this.tick(), TICK_MS);
    if (running.length === 0 && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}
