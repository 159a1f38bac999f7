import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { readBoard, type Board } from '../../server/tasks/board';
import { applyEdit, BoardEditError, type BoardEdit } from '../../server/tasks/edit';
import { markdownParser } from '../../server/tasks/markdown';
import { TASK_STATUSES, type TaskStatus } from '../../server/tasks/status';

const parser = markdownParser();
const read = (text: string): Board => readBoard(text, parser);

/** Words with emoji, accents and trailing spaces, but nothing that changes the markdown structure. */
const word = fc.constantFrom('fix', 'the', 'parser', 'ünïcode', '🚀', '测试', 'add', 'tests', 'café', 'API');
const title = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const mark = fc.constantFrom(' ', 'x', '~', '!');
const lane = fc.constantFrom('Todo', 'In Progress', 'Done', 'Blocked', 'Notes', '');

interface GenTask {
  mark: string;
  title: string;
  trailing: string;
  subtasks: { mark: string; title: string }[];
}
const task: fc.Arbitrary<GenTask> = fc.record({
  mark,
  title,
  trailing: fc.constantFrom('', '  ', ' '),
  subtasks: fc.array(fc.record({ mark, title }), { maxLength: 2 }),
});
const board = fc.record({
  eol: fc.constantFrom('\n', '\r\n'),
  bullet: fc.constantFrom('-', '*', '+'),
  sections: fc.array(fc.record({ heading: lane, tasks: fc.array(task, { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
});

/** A board in markdown, every task with an explicit id so it can be followed through edits. */
function render(b: { eol: string; bullet: string; sections: { heading: string; tasks: GenTask[] }[] }): string {
  let n = 0;
  const lines: string[] = ['# Board 🗂️', ''];
  for (const section of b.sections) {
    if (section.heading) lines.push(`## ${section.heading}`, '');
    for (const t of section.tasks) {
      lines.push(`${b.bullet} [${t.mark}] T-${++n} ${t.title}${t.trailing}`);
      for (const s of t.subtasks) lines.push(`  ${b.bullet} [${s.mark}] T-${++n} ${s.title}`);
    }
    lines.push('');
  }
  return lines.join(b.eol);
}

const edits = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('status' as const), pick: fc.nat(), status: fc.constantFrom(...TASK_STATUSES) }),
    fc.record({ op: fc.constant('assign' as const), pick: fc.nat(), user: fc.constantFrom('alice', 'bob', 'corral-bot') }),
    fc.record({ op: fc.constant('note' as const), pick: fc.nat(), text: title }),
    fc.record({ op: fc.constant('add' as const), text: title }),
  ),
  { minLength: 1, maxLength: 8 },
);

describe('task board: random edit sequences on generated boards (fast-check)', function () {
  this.timeout(60_000);

  it('keeps every other task as it was, does what each edit says, and never mixes line endings', () => {
    fc.assert(
      fc.property(board, edits, (b, sequence) => {
        let text = render(b);
        let added = 0;
        for (const step of sequence) {
          const before = read(text);
          const ids = before.tasks.map((t) => t.id);
          if (ids.length === 0 && step.op !== 'add') continue;
          const id = ids[('pick' in step ? step.pick : 0) % Math.max(1, ids.length)]!;
          const change: BoardEdit =
            step.op === 'status'
              ? { op: 'status', id, status: step.status }
              : step.op === 'assign'
                ? { op: 'assign', id, user: step.user }
                : step.op === 'note'
                  ? { op: 'note', id, text: `2026-11-24 03:00 alice: ${step.text}` }
                  : { op: 'add', title: `N-${++added} ${step.text}` };
          let after: string;
          try {
            after = applyEdit(before, change, read);
          } catch (error) {
            // Refusals are fine when they say why; the text is then unchanged.
            assert.ok(error instanceof BoardEditError, String(error));
            continue;
          }
          const now = read(after);
          const target = 'id' in change ? now.tasks.find((t) => t.id === change.id) : undefined;
          if (change.op === 'status') assert.equal(target?.status, change.status as TaskStatus);
          if (change.op === 'assign') assert.ok(target?.assignees.includes(change.user));
          assert.equal(now.tasks.length, before.tasks.length + (change.op === 'add' ? 1 : 0));
          for (const other of before.tasks) {
            if ('id' in change && other.id === change.id) continue;
            assert.equal(now.tasks.find((t) => t.id === other.id)?.status, other.status, `${other.id} changed after ${JSON.stringify(change)}`);
          }
          if (b.eol === '\r\n') assert.equal(after.split('\r\n').length, after.split('\n').length, 'only CRLF line endings');
          else assert.ok(!after.includes('\r'));
          text = after;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives back the same text when nothing is edited', () => {
    fc.assert(fc.property(board, (b) => read(render(b)).text === render(b)));
  });
});
