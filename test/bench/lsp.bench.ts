import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { NO_FACTS } from '../../server/lsp/service/facts';
import { BoardLanguageService } from '../../server/lsp/service/service';
import { readBoard } from '../../server/tasks/board';
import { markdownParser } from '../../server/tasks/markdown';
import { percentile, report } from './support/report';

/** A board of about `bytes`: lanes of tasks with subtasks and notes, a table and code per lane. */
function board(bytes: number): string {
  const parts: string[] = ['# Project board', '', 'Give every task an id; `@name` assigns, `#tag` tags.', ''];
  let n = 0;
  let size = 0;
  for (let section = 0; size < bytes; section++) {
    const lane = ['Todo', 'In progress', 'Review', 'Done'][section % 4]!;
    const lines = [`## ${lane} — sprint ${section}`, ''];
    for (let i = 0; i < 40; i++) {
      const id = ++n;
      lines.push(
        `- [${lane === 'Done' ? 'x' : ' '}] T-${id} Implement the ${['parser', 'cache', 'CLI flag', 'API endpoint'][i % 4]} for module ${id % 97} @dev${id % 7} #area${id % 5}`,
      );
      if (i % 3 === 0)
        lines.push(
          `  - [${i % 2 ? 'x' : ' '}] T-${id}.1 write the tests for it`,
          `  - 2026-11-2${i % 9} 10:0${i % 9} dev${i % 7}: looked at the failing case, see \`src/mod${id}.ts\``,
        );
    }
    lines.push('', '| ID | Task | Status |', '|----|------|--------|');
    for (let i = 0; i < 10; i++) lines.push(`| B-${section * 10 + i} | background job ${i} | ${['✅ done', '🚧 in progress', '⬜ todo'][i % 3]} |`);
    lines.push('', '```ts', '// - [ ] not a task: code', 'export const x = 1;', '```', '');
    size += lines.join('\n').length + 1;
    parts.push(...lines);
  }
  return parts.join('\n');
}

/** p50 of the time from an edit (a new document version) to its diagnostics, over edits spread through the board. */
function afterEdits(text: string, edits: number): { times: number[]; parsed: number[] } {
  const service = new BoardLanguageService();
  let doc = TextDocument.create('file:///bench/docs/TASKS.md', 'markdown', 1, text);
  service.diagnostics(doc, NO_FACTS);
  const times: number[] = [];
  const parsed: number[] = [];
  for (let i = 0; i < edits; i++) {
    // Typing in a task's title somewhere in the board: one character more.
    const current = doc.getText();
    const at = current.indexOf('Implement the', Math.floor((current.length * ((i * 7) % edits)) / edits));
    const offset = at < 0 ? current.indexOf('Implement the') : at;
    doc = TextDocument.update(doc, [{ range: { start: doc.positionAt(offset), end: doc.positionAt(offset) }, text: 'x' }], doc.version + 1);
    const start = performance.now();
    const diagnostics = service.diagnostics(doc, NO_FACTS);
    times.push(performance.now() - start);
    parsed.push(service.index.lastParsed(doc.uri));
    assert.ok(Array.isArray(diagnostics));
  }
  return { times, parsed };
}

describe('benchmark: board language server', function () {
  this.timeout(600_000);

  it('measures diagnostics after an edit on a 50 KB and a 1 MB board, against reading the whole board again', () => {
    const parser = markdownParser();
    const rows = [];
    for (const [label, bytes, target] of [
      ['50 KB', 50_000, 20],
      ['1 MB', 1_000_000, 100],
    ] as const) {
      const text = board(bytes);
      const floor: number[] = [];
      for (let i = 0; i < 7; i++) {
        const start = performance.now();
        readBoard(text, parser);
        floor.push(performance.now() - start);
      }
      const { times, parsed } = afterEdits(text, 30);
      const p50 = percentile(times, 50);
      rows.push({
        metric: `diagnostics after an edit, ${label} board (${(text.length / 1000).toFixed(0)} KB; p50, ${percentile(parsed, 50)} region(s) read again)`,
        value: p50,
        unit: 'ms',
        floor: { name: 'readBoard of the whole text', value: percentile(floor, 50) },
        target: { text: `≤ ${target} ms`, met: p50 <= target },
      });
      rows.push({ metric: `the same, p95 (${label})`, value: percentile(times, 95), unit: 'ms' });
    }
    report('lsp', rows);
  });
});
