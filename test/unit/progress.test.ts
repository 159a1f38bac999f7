import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Output } from '../../cli/output';
import { until } from '../support/until';

/** A stream that says it is (or is not) a terminal, and keeps what was written to it. */
function stream(isTTY: boolean): { stream: NodeJS.WriteStream; text(): string } {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  Object.assign(s, { isTTY });
  return { stream: s as unknown as NodeJS.WriteStream, text: () => text };
}

describe('CLI progress on stderr', () => {
  it('shows nothing for work that ends before the delay', async () => {
    const err = stream(true);
    const out = new Output(false, stream(true).stream, err.stream, {});
    await out.during('quick', async () => sleep(5));
    // Nothing must appear: watched for longer than the 300 ms delay (a shorter look passed with
    // a progress line left to appear after the work).
    await sleep(400);
    assert.equal(err.text(), '');
  });

  it('on a terminal: a spinner line with the step, its count and the time, erased at the end', async () => {
    const err = stream(true);
    const out = new Output(true, stream(false).stream, err.stream, {});
    const progress = out.progress('building', 20);
    await until(() => err.text().includes('building'), { what: 'the spinner line' });
    progress.update('packing');
    await until(() => err.text().includes('packing (step 1'), { what: 'the spinner redrawn with the step' });
    progress.done();
    const text = err.text();
    // eslint-disable-next-line no-control-regex
    assert.match(text, /\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] building \(0 s\)/);
    assert.match(text, /packing \(step 1, 0 s\)/);
    assert.ok(text.endsWith('\r\x1b[2K'), 'the line is erased');
    assert.doesNotMatch(text, /\n/, 'one line redrawn in place');
    const length = text.length;
    // Watched for longer than the 100 ms redraw: nothing must appear.
    await sleep(250);
    assert.equal(err.text().length, length, 'nothing drawn after done');
  });

  it('off a terminal: plain lines, one per step, no escape codes', async () => {
    const err = stream(false);
    const out = new Output(false, stream(false).stream, err.stream, {});
    const progress = out.progress('building', 20);
    await until(() => err.text() !== '', { what: 'the first line' });
    progress.update('packing');
    progress.done();
    assert.equal(err.text(), 'corral: building…\ncorral: packing\n');
  });

  it('colours only a terminal stdout, and never with NO_COLOR or --json', () => {
    assert.equal(new Output(false, stream(true).stream, stream(true).stream, {}).paint('ok', 'green'), '\x1b[32mok\x1b[0m');
    assert.equal(new Output(false, stream(true).stream, stream(true).stream, { NO_COLOR: '1' }).paint('ok', 'green'), 'ok');
    assert.equal(new Output(false, stream(false).stream, stream(true).stream, {}).paint('ok', 'green'), 'ok');
    assert.equal(new Output(true, stream(true).stream, stream(true).stream, {}).paint('ok', 'green'), 'ok');
  });
});
