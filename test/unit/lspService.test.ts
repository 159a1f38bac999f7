import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { NO_FACTS, type BoardFacts } from '../../server/lsp/service/facts';
import { BoardLanguageService } from '../../server/lsp/service/service';
import type { TextChange } from '../../server/lsp/service/types';
import { allBoards } from '../support/boards';

/** The board language service on boards we write and on the corpus, without an LSP connection. */
const BOARD = [
  '# Board',
  '',
  '## Todo',
  '',
  '- [ ] T-1 Write the parser @ann',
  '  - 2026-11-20 10:04 ann: handed off to @bob: tables left',
  '- [ ] Untitled work without an id',
  '- [x] T-3 Release notes',
  '',
  '## In progress',
  '',
  '- [ ] T-4 The web app @bob',
  '',
  '## Done',
  '',
  '- [x] T-2 The daemon',
  '- [x] T-2 The store',
  '',
].join('\n');

const facts: BoardFacts = {
  connected: true,
  user: 'ann',
  users: ['ann', 'carol'],
  sessions: new Map([['s-live', { id: 's-live', state: 'ready' }]]),
  runs: new Map([
    [
      'T-4',
      [
        {
          runId: 'r-2',
          sessionId: 's-gone',
          outcome: 'error',
          steps: 3,
          model: 'gpt-5',
          startedAt: '2026-11-21T09:00:00Z',
          endedAt: '2026-11-21T09:05:00Z',
          branch: 'corral/s-gone',
          costUsd: 0.12,
        },
      ],
    ],
    [
      'T-1',
      [{ runId: 'r-1', sessionId: 's-live', outcome: null, steps: 7, model: 'gpt-5', startedAt: '2026-11-21T10:00:00Z', endedAt: null, branch: 'corral/s-live', costUsd: 0.3 }],
    ],
  ]),
  costs: new Map([['T-4', 0.42]]),
};

function apply(text: string, changes: TextChange[]): string {
  const doc = TextDocument.create('file:///b/docs/TASKS.md', 'markdown', 1, text);
  return TextDocument.applyEdits(doc, changes);
}

describe('board language service', () => {
  const doc = TextDocument.create('file:///b/docs/TASKS.md', 'markdown', 1, BOARD);
  const service = new BoardLanguageService({ now: () => new Date('2026-12-01T12:00:00Z') });

  it('diagnoses duplicate ids (each naming the other line), tasks their lane cannot show, and claims of sessions that are gone', () => {
    const found = service.diagnostics(doc, facts);
    const duplicates = found.filter((d) => d.code === 'duplicate-id');
    assert.deepEqual(
      duplicates.map((d) => d.range.start.line),
      [15, 16],
    );
    assert.equal(duplicates[0]!.related![0]!.range.start.line, 16);
    assert.match(duplicates[1]!.message, /line 16/);
    assert.ok(found.some((d) => d.code === 'status-not-shown' && d.range.start.line === 7 && /Done/.test(d.message)));
    // T-4 (an empty box in the In progress lane) is in progress for a run whose session is gone.
    assert.match(found.find((d) => d.code === 'stale-claim')?.message ?? '', /T-4 is in progress for agent run r-2 in session s-gone, which no longer exists/);
    const live: BoardFacts = { ...facts, runs: new Map([['T-4', [{ ...facts.runs.get('T-4')![0]!, sessionId: 's-live' }]]]) };
    assert.equal(service.diagnostics(doc, live).filter((d) => d.code === 'stale-claim').length, 0, 'its session is alive');
    assert.equal(service.diagnostics(doc, NO_FACTS).filter((d) => d.code === 'stale-claim').length, 0, 'no daemon: no claim checked');
    const other = TextDocument.create(doc.uri, 'markdown', 3, `${BOARD}\n### T-9 Spec\n\nStatus: Parked\n`);
    assert.match(service.diagnostics(other, NO_FACTS).find((d) => d.code === 'unknown-status')?.message ?? '', /"Parked" is not a status/);
  });

  it('lenses: run the agent with a daemon, done, and what the daemon knows of the task', () => {
    const lenses = service.lenses(doc, facts);
    const onT4 = lenses.filter((l) => l.range.start.line === 11).map((l) => l.title);
    assert.deepEqual(onT4, ['▶ Run agent', '✓ Done', 'in progress by bob · $0.42 over 1 run']);
    assert.ok(lenses.some((l) => l.range.start.line === 4 && l.title === 'todo by ann · cost unknown over 1 run · 1 running'));
    assert.ok(!service.lenses(doc, NO_FACTS).some((l) => l.title.includes('Run agent')));
  });

  it('hover: the task with its runs (outcome, cost, branch) and its history on the board', () => {
    const hover = service.hover(doc, { line: 4, character: 10 }, facts)!.markdown;
    assert.match(hover, /\*\*T-1\*\* Write the parser/);
    assert.match(hover, /`r-1` running · 7 steps · \$0\.30 · gpt-5 · branch `corral\/s-live`/);
    assert.match(hover, /2026-11-20 10:04 \*\*ann\*\*: handed off to @bob: tables left/);
  });

  it('completion: @users, status words in a status field, the next free id on a new item', () => {
    let version = 10;
    const at = (text: string, line: number): string[] => {
      const d = TextDocument.create('file:///c/TASKS.md', 'markdown', version++, text);
      const character = text.split('\n')[line]!.length;
      return service.completions(d, { line, character }, facts).map((c) => c.label);
    };
    assert.deepEqual(at(`${BOARD}- [ ] T-9 x @`, 17).sort(), ['@ann', '@bob', '@carol']);
    assert.deepEqual(at(`${BOARD}- [ ] `, 17), ['T-5']);
    assert.ok(at(`${BOARD}### T-9 Spec\n\nStatus: `, 19).includes('in progress'));
  });

  it('symbols: lanes with their status and count, tasks with subtasks', () => {
    const [title] = service.symbols(doc);
    assert.equal(title!.name, 'Board');
    assert.deepEqual(
      title!.children.map((s) => [s.name, s.detail]),
      [
        ['Todo', 'todo · 3 tasks'],
        ['In progress', 'in progress · 1 task'],
        ['Done', 'done · 2 tasks'],
      ],
    );
    assert.equal(title!.children[0]!.children[0]!.name, 'T-1 Write the parser @ann');
  });

  it('code actions: give an id, mark done, move to a lane — as changes of the open text', () => {
    const idAction = service.actions(doc, { start: { line: 6, character: 2 }, end: { line: 6, character: 2 } }, 'ann').find((a) => a.title.startsWith('Give'))!;
    assert.equal(idAction.title, 'Give this task the id T-5');
    assert.match(apply(BOARD, idAction.changes), /- \[ \] T-5 Untitled work without an id/);
    const actions = service.actions(doc, { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, 'ann');
    assert.ok(actions.some((a) => a.title === 'Mark T-1 done'));
    const move = actions.find((a) => a.title === 'Move T-1 to "In progress" (in progress)')!;
    const moved = apply(BOARD, move.changes);
    assert.match(moved, /## Todo\n\n- \[ \] Untitled work without an id\n/);
    assert.match(moved, /- \[ \] T-4 The web app @bob\n- \[~\] T-1 Write the parser @ann\n {2}- 2026-11-20/);
    // A task that already reads as done offers no move to Done: the board's edit would not move it.
    assert.ok(!service.actions(doc, { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }, 'ann').some((a) => a.title.includes('to "Done"')));
    // The service's own action on an unsaved text: start assigns and marks in progress, surgically.
    const started = apply(BOARD, service.edit(doc, 'T-4', { action: 'start' }, 'ann'));
    // T-4 is in progress by its lane already: start only assigns it.
    assert.equal(started, BOARD.replace('T-4 The web app @bob', 'T-4 The web app @ann'));
  });

  it('runs every feature on every board of the corpus without throwing', () => {
    for (const { name, text } of allBoards()) {
      const d = TextDocument.create(`file:///corpus/${encodeURIComponent(name)}`, 'markdown', 1, text);
      const board = service.board(d);
      service.diagnostics(d, facts);
      service.lenses(d, facts);
      service.symbols(d);
      for (const t of board.tasks.slice(0, 5)) {
        const position = d.positionAt(t.firstLine.start);
        service.hover(d, position, facts);
        for (const action of service.actions(d, { start: position, end: position }, 'ann')) assert.ok(action.changes.length > 0, `${name}: ${action.title}`);
      }
    }
  });
});
