import * as assert from 'node:assert/strict';
import { readBoard } from '../../server/tasks/board';
import { markdownParser } from '../../server/tasks/markdown';
import { IncrementalBoardReader } from '../../server/lsp/service/incrementalBoard';
import { cutBoard } from '../../server/lsp/service/regions';
import { allBoards } from '../support/boards';

/**
 * The language server reads a board region by region and, after an edit, only the regions it
 * touched: the result must be exactly what readBoard makes of the whole text, on every board we
 * have and after random edits that open fences, comments, headings and front matter.
 */
describe('board language: incremental reading', function () {
  // Hundreds of random edits over every corpus board: seconds on a busy machine, not mocha's 2.
  this.timeout(120_000);
  const parser = markdownParser();

  it('reads every board as readBoard does', () => {
    const boards = allBoards();
    assert.ok(boards.length >= 20);
    for (const { name, text } of boards) {
      const board = new IncrementalBoardReader(parser).read(text);
      const whole = readBoard(text, parser);
      assert.deepEqual(board.tasks, whole.tasks, name);
      assert.deepEqual(board.headings, whole.headings, name);
      assert.deepEqual(
        board.warnings.filter((w) => w.includes('id')),
        whole.warnings.filter((w) => w.includes('id')),
        name,
      );
    }
  });

  it('after random edits, reads each new text as readBoard does, parsing again only what changed', () => {
    let seed = 20261204;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const snippets = [
      '```',
      '## Done',
      '# Other',
      '',
      '- [ ] T-9 new thing',
      '<!-- ',
      '-->',
      '| a | Status |\n|---|---|\n| x | done |',
      '### F-052: again\nStatus: done',
      'Title\n===',
      '~~~',
      '<pre>',
      '</pre>',
      '---',
      'Legend: ✅ Done · 🚧 Doing',
    ];
    let edits = 0;
    for (const { name, text: original } of allBoards()) {
      const reader = new IncrementalBoardReader(parser);
      let text = original;
      reader.read(text);
      for (let k = 0; k < 12; k++) {
        const lines = text.split('\n');
        const at = random(lines.length);
        const op = random(3);
        if (op === 0) lines.splice(at, 0, ...snippets[random(snippets.length)]!.split('\n'));
        else if (op === 1) lines.splice(at, 1 + random(3));
        else lines[at] = (lines[at] ?? '').replace(/\[ \]/, '[x]').replace(/^#/, '');
        text = lines.join('\n');
        const board = reader.read(text);
        const whole = readBoard(text, parser);
        assert.deepEqual(board.tasks, whole.tasks, `${name} after edit ${k}`);
        assert.deepEqual(board.headings, whole.headings, `${name} after edit ${k}`);
        edits++;
      }
    }
    assert.ok(edits > 200);
  });

  it('parses one region again after an edit inside it, and cuts only where nothing stays open', () => {
    const lanes = ['# Board', '', ...Array.from({ length: 20 }, (_, i) => [`## ${['Todo', 'Done'][i % 2]} ${i}`, '', `- [ ] T-${i} task ${i}`, ''].join('\n'))].join('\n');
    const reader = new IncrementalBoardReader(parser);
    reader.read(lanes);
    assert.equal(reader.lastParsed, 21);
    const edited = lanes.replace('- [ ] T-7 task 7', '- [x] T-7 task 7');
    const board = reader.read(edited);
    assert.equal(reader.lastParsed, 1);
    assert.equal(board.tasks.find((t) => t.id === 'T-7')?.status, 'done');
    // Inside a fence or an HTML comment a heading is text: no cut there.
    assert.equal(cutBoard('a\n\n```\n\n## not a cut\n```\n\n## cut\n').regions.length, 2);
    assert.equal(cutBoard('a\n\n<!--\n\n## not a cut\n-->\n\n## cut\n').regions.length, 2);
    assert.equal(cutBoard('- item\n## no blank line above: no cut\n').regions.length, 1);
    // Front matter is a region of its own (read without a preamble); a `#` in it is a YAML comment.
    assert.equal(cutBoard('---\ntitle: x\n\n# comment\n---\n\n## cut\n').regions.length, 3);
  });
});
