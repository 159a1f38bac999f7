import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import MarkdownIt from 'markdown-it';
import { readBoard } from '../../server/tasks/board';
import { applyEdit } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import { percentile, report } from './support/report';

/** A 1 MB board as a busy project would have: lanes, nested tasks with notes, tables, prose, code. */
function bigBoard(): string {
  const parts: string[] = ['# Project board', '', 'How we work: give every task an id; `@name` assigns, `#tag` tags.', ''];
  let n = 0;
  for (let section = 0; parts.join('\n').length < 1_000_000; section++) {
    const lane = ['Todo', 'In progress', 'Review', 'Done'][section % 4]!;
    parts.push(`## ${lane} — sprint ${section}`, '');
    for (let i = 0; i < 40; i++) {
      const id = ++n;
      parts.push(
        `- [${lane === 'Done' ? 'x' : ' '}] T-${id} Implement the ${['parser', 'cache', 'CLI flag', 'API endpoint'][i % 4]} for module ${id % 97} @dev${id % 7} #area${id % 5}  `,
      );
      if (i % 3 === 0)
        parts.push(
          `  - [${i % 2 ? 'x' : ' '}] T-${id}.1 write the tests for it`,
          `  - 2026-11-2${i % 9} 10:0${i % 9} dev${i % 7}: looked at the failing case, see \`src/mod${id}.ts\``,
        );
    }
    parts.push('', '| ID | Task | Status |', '|----|------|--------|');
    for (let i = 0; i < 10; i++) parts.push(`| B-${section * 10 + i} | background job ${i} | ${['✅ done', '🚧 in progress', '⬜ todo'][i % 3]} |`);
    parts.push('', '```ts', '// - [ ] not a task: code', 'export const x = 1;', '```', '');
  }
  return parts.join('\n');
}

describe('benchmark: task board', function () {
  this.timeout(300_000);

  it('measures parsing and listing a 1 MB board, and one status edit, against markdown-it alone', () => {
    const text = bigBoard();
    const parser = markdownParser();
    const floorParser = new MarkdownIt('commonmark').enable(['table', 'strikethrough']);
    const times = (count: number, fn: () => unknown): number[] =>
      Array.from({ length: count }, () => {
        const start = performance.now();
        fn();
        return performance.now() - start;
      });
    times(3, () => readBoard(text, parser));
    const floor = times(10, () => floorParser.parse(text, {}));
    const parse = times(10, () => readBoard(text, parser).tasks.filter((t) => t.status !== 'done').length);
    const board = readBoard(text, parser);
    const middle = board.tasks.filter((t) => t.kind === 'list' && t.parent === null)[Math.floor(board.tasks.length / 3)]!;
    const edit = times(10, () => applyEdit(board, { op: 'status', id: middle.id, status: 'blocked' }));
    const checked = times(10, () => applyEdit(board, { op: 'status', id: middle.id, status: 'blocked' }, (t) => readBoard(t, parser)));
    assert.ok(board.tasks.length > 10_000);
    const p50 = (v: number[]): number => percentile(v, 50);
    report('board', [
      {
        metric: `parse + list a ${(text.length / 1e6).toFixed(2)} MB board, ${board.tasks.length.toLocaleString('en-US')} tasks (p50)`,
        value: p50(parse),
        unit: 'ms',
        floor: { name: 'markdown-it parse alone', value: p50(floor) },
        target: { text: '≤ 50 ms', met: p50(parse) <= 50 },
      },
      { metric: 'one status edit on it, given the parsed board (p50)', value: p50(edit), unit: 'ms', target: { text: '≤ 20 ms', met: p50(edit) <= 20 } },
      { metric: 'one status edit, verified by parsing the result again (p50)', value: p50(checked), unit: 'ms' },
    ]);
  });
});
