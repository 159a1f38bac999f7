import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { textChanges, type TextChange } from '../../extension/kanban/textChanges';

function apply(text: string, changes: TextChange[]): string {
  let out = text;
  for (const c of [...changes].sort((x, y) => y.start - x.start)) out = out.slice(0, c.start) + c.text + out.slice(c.end);
  return out;
}

describe('kanban editor: text changes for a WorkspaceEdit', () => {
  it('a card moved between lanes is one deletion and one insertion, the lines between untouched', () => {
    const before = '## Todo\n\n- [ ] T-1 a\n- [ ] T-2 b\n\n## Doing\n\n- [ ] T-3 c\n\n## Done\n\n- [x] T-4 d\n';
    const after = '## Todo\n\n- [ ] T-2 b\n\n## Doing\n\n- [ ] T-3 c\n\n## Done\n\n- [x] T-4 d\n- [x] T-1 a\n';
    const changes = textChanges(before, after);
    assert.deepEqual(changes, [
      { start: 9, end: 21, text: '' },
      { start: before.length, end: before.length, text: '- [x] T-1 a\n' },
    ]);
    assert.equal(apply(before, changes), after);
  });

  it('a mark changed in place is a change of that line only', () => {
    const before = 'a\r\n- [ ] T-1 x\r\nb\r\n';
    const changes = textChanges(before, 'a\r\n- [x] T-1 x\r\nb\r\n');
    assert.deepEqual(changes, [{ start: 3, end: 16, text: '- [x] T-1 x\r\n' }]);
  });

  it('turns any text into any other (property, with and without final newlines)', () => {
    const line = fc.constantFrom('- [ ] T-1 a', '- [x] T-2 b', '', '## Done', '  - sub', 'x');
    const text = fc.array(line, { maxLength: 30 }).chain((lines) => fc.boolean().map((eol) => lines.join('\n') + (eol ? '\n' : '')));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const changes = textChanges(before, after);
        assert.equal(apply(before, changes), after);
        for (let i = 1; i < changes.length; i++) assert.ok(changes[i]!.start >= changes[i - 1]!.end, 'in order, not overlapping');
      }),
      { numRuns: 500 },
    );
  });
});
