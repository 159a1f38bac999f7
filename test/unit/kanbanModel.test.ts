import { strict as assert } from 'node:assert';
import type { TaskInfo } from '../../server/protocol';
import { columnsOf, facets, matches, nextReady } from '../../webview/kanban/model';

function task(id: string, line: number, status: TaskInfo['status'], more: Partial<TaskInfo> = {}): TaskInfo {
  return { id, explicitId: true, title: `${id} title`, status, kind: 'list', line, parent: null, children: [], assignees: [], tags: [], section: null, dependsOn: [], ...more };
}

describe('kanban model', () => {
  it("orders columns as the board's cards first appear, then the statuses it lacks; names lanes as the board does", () => {
    const tasks = [
      task('T-1', 3, 'in_progress', { section: '🚧 Doing' }),
      task('T-2', 5, 'todo', { section: 'Backlog' }),
      task('T-3', 7, 'todo', { section: 'Later' }),
      task('T-4', 9, 'done', { section: 'Done ✅' }),
      task('T-5', 4, 'done', { parent: 'T-1', section: '🚧 Doing' }),
    ];
    const columns = columnsOf(tasks);
    assert.deepEqual(
      columns.map((c) => [c.status, c.title, c.cards.map((t) => t.id)]),
      [
        ['in_progress', '🚧 Doing', ['T-1']],
        ['todo', 'Todo', ['T-2', 'T-3']],
        ['done', 'Done ✅', ['T-4']],
        ['review', 'Review', []],
        ['blocked', 'Blocked', []],
      ],
      'subtasks are not cards; two sections of one status give the status name',
    );
    assert.equal(columnsOf([task('T-9', 1, 'other', { statusText: 'Waiting on QA' })])[0]?.status, 'other');
  });

  it('filters by words, assignee and tag, case aside, with or without @ and #', () => {
    const t = task('T-7', 1, 'todo', { title: 'Release notes', assignees: ['bob'], tags: ['docs'] });
    assert.ok(matches(t, { text: 'RELEASE', assignee: '', tag: '' }));
    assert.ok(matches(t, { text: 't-7', assignee: '@Bob', tag: '#docs' }));
    assert.ok(!matches(t, { text: '', assignee: 'ann', tag: '' }));
    assert.ok(!matches(t, { text: '', assignee: '', tag: 'ui' }));
    assert.deepEqual(facets([t, task('T-8', 2, 'todo', { assignees: ['@ann'], tags: ['#ui', 'docs'] })]), { assignees: ['ann', 'bob'], tags: ['docs', 'ui'] });
  });

  it('the next ready task: todo, in board order, every dependency done, unassigned or mine', () => {
    const tasks = [
      task('T-1', 1, 'in_progress'),
      task('T-2', 2, 'todo', { assignees: ['bob'] }),
      task('T-3', 3, 'todo', { dependsOn: ['T-1'] }),
      task('T-4', 4, 'todo', { dependsOn: ['T-9'] }),
      task('T-5', 5, 'todo', { dependsOn: ['T-6'] }),
      task('T-6', 6, 'done'),
    ];
    assert.equal(nextReady(tasks, 'ann')?.id, 'T-5', "T-2 is bob's, T-3 waits on T-1, T-4 on an unknown id");
    assert.equal(nextReady(tasks, 'bob')?.id, 'T-2');
    assert.equal(nextReady([task('T-1', 1, 'done')], 'ann'), undefined);
  });
});
