/** Where Output writes: a process's stream, or a test's memory stream. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** How a command writes: one JSON document with `--json`, else text for people (colour on a TTY only). */
export class Output {
  readonly color: boolean;
  private readonly live: boolean;

  constructor(
    readonly json: boolean,
    private readonly stdout: TextSink = process.stdout,
    private readonly stderr: TextSink = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.color = !json && stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
    this.live = stderr.isTTY === true && env.TERM !== 'dumb';
  }

  /** The command's result: printed as JSON with `--json`, else through `human`. */
  result<T>(value: T, human: (value: T) => string): void {
    this.stdout.write(this.json ? JSON.stringify(value, null, 2) + '\n' : human(value));
  }

  /** A line of a command's running report: stdout for people, stderr under --json. */
  line(text: string): void {
    (this.json ? this.stderr : this.stdout).write(`${text}\n`);
  }

  /** Progress and notices: always stderr, so stdout stays one document. */
  note(text: string): void {
    this.stderr.write(`corral: ${text}\n`);
  }

  /**
   * Progress of something that may take a while, on stderr and only once it has taken 300 ms: on a
   * terminal a spinner line with the current step, the step count and the elapsed time, redrawn in
   * place and erased at the end; elsewhere plain lines, one per step.
   */
  progress(label: string, delayMs = 300): Progress {
    const started = Date.now();
    let text = label;
    let steps = 0;
    let frame = 0;
    let shown = false;
    const draw = (): void => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      const count = steps > 0 ? `step ${steps}, ` : '';
      this.stderr.write(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${text} (${count}${seconds} s)`);
    };
    let ticker: NodeJS.Timeout | undefined;
    const show = setTimeout(() => {
      shown = true;
      if (!this.live) return this.note(`${text}…`);
      draw();
      ticker = setInterval(draw, 100).unref();
    }, delayMs).unref();
    return {
      update: (next) => {
        text = next;
        steps++;
        if (!this.live) this.note(next);
      },
      done: () => {
        clearTimeout(show);
        clearInterval(ticker);
        if (shown && this.live) this.stderr.write('\r\x1b[2K');
      },
    };
  }

  /** Runs `work` with a progress line labelled `label`, erased however it ends. */
  async during<T>(label: string, work: (progress: Progress) => Promise<T>): Promise<T> {
    const progress = this.progress(label);
    try {
      return await work(progress);
    } finally {
      progress.done();
    }
  }

  paint(text: string, style: 'green' | 'yellow' | 'red' | 'dim' | 'bold'): string {
    if (!this.color) return text;
    const codes = { green: 32, yellow: 33, red: 31, dim: 2, bold: 1 } as const;
    return `\x1b[${codes[style]}m${text}\x1b[0m`;
  }
}

export interface Progress {
  /** A new step: the spinner shows it (and counts it); off a terminal it is printed as a line. */
  update(text: string): void;
  /** Finished (either way): the spinner line is erased. */
  done(): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[], visibleLength: (s: string) => number = stripLength): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function stripLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** "3 s", "4 min", "2 h", "5 d": how long ago or how long, for people. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
