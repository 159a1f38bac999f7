import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ShellExecResult } from '../protocol';
import type { JailProcess } from './port';
import { MarkerScanner, shellPrelude, wrapCommand } from './framing';

export type Stream = 'stdout' | 'stderr';

const NOTIFY_BYTES = 64 * 1024;
const NOTIFY_MS = 5;

export interface OutputChunk {
  stream: Stream;
  /** Per command, from 0, across both streams. */
  seq: number;
  data: string;
}

/** What a command returns: the protocol's result without the RPC's own fields. */
export type ShellResult = Omit<ShellExecResult, 'execId' | 'droppedNotifications'>;

export interface RunOptions {
  timeoutMs: number;
  onOutput?: (chunk: OutputChunk) => void;
  /** Aborting interrupts the command like Ctrl-C (status 130); the shell and its state stay. */
  signal?: AbortSignal;
}

export interface ShellDeps {
  /** Starts `sh` in the jail (no TTY) with `env` (`CORRAL_SHELL=<n>`) added. */
  spawnShell(env: string[]): Promise<JailProcess>;
  /** Kills every process in the jail whose environment has `marker`, after interrupting `interruptPid` (see `killScript`). */
  kill(marker: string, interruptPid?: number): Promise<void>;
  /** Told when the shell had to be replaced, and why. */
  onRestart?(reason: string): void;
  /** Output kept per stream and command. */
  maxKeptBytes: number;
  /** After a timeout's kill, how long to wait for the command to end before replacing the shell. */
  graceMs?: number;
}

interface Running {
  seq: number;
  started: number;
  options: RunOptions;
  kept: { stdout: Buffer[]; stderr: Buffer[] };
  keptBytes: { stdout: number; stderr: number };
  truncated: { stdout: number; stderr: number };
  decoders: { stdout: StringDecoder; stderr: StringDecoder };
  /** Output not yet sent as a notification. */
  pending: { stdout: Buffer[]; stderr: Buffer[] };
  pendingBytes: { stdout: number; stderr: number };
  flushTimer: NodeJS.Timeout | undefined;
  outputSeq: number;
  status?: number;
  stderrDone: boolean;
  timedOut: boolean;
  interrupted: boolean;
  finish(result: ShellResult): void;
}

/**
 * One long-lived `sh` in a jail. Commands run one at a time in order; each returns its exit
 * status, stdout and stderr apart, and its duration. State (cwd, variables, functions) persists
 * between commands. A timeout kills the command's processes, not the shell — unless the command
 * runs inside the shell itself (a builtin loop), in which case the shell is replaced and the
 * result says so.
 */
export class PersistentShell {
  private process: JailProcess | undefined;
  private starting: Promise<JailProcess> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private running: Running | undefined;
  private nextSeq = 1;
  private scanners = { stdout: new MarkerScanner('', true), stderr: new MarkerScanner('', false) };
  private nonce = '';
  private closed = false;
  private generation = 0;
  /** The shell's pid inside the jail, learnt when it starts. */
  private shellPid: number | undefined;

  constructor(private readonly deps: ShellDeps) {}

  /** Queues `command`; resolves when it has finished. */
  run(command: string, options: RunOptions): Promise<ShellResult> {
    const result = this.queue.then(() => this.execute(command, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Starts the shell now, so that the first command does not pay for it. */
  warm(): void {
    this.ensureShell().catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.process?.stdin.end();
    this.process?.kill();
    this.process = undefined;
  }

  private async ensureShell(): Promise<JailProcess> {
    if (this.process) return this.process;
    this.generation++;
    this.starting ??= (async () => {
      try {
        const process = await this.deps.spawnShell([`CORRAL_SHELL=${this.generation}`]);
        const nonce = randomBytes(8).toString('hex');
        const scanner = new MarkerScanner(nonce, true);
        const ready = new Promise<number>((resolve, reject) => {
          const onData = (chunk: Buffer): void => {
            const { pid } = scanner.feed(chunk);
            if (pid === undefined) return;
            process.stdout.off('data', onData);
            resolve(pid);
          };
          process.stdout.on('data', onData);
          void process.done.then((code) => reject(new Error(`the shell exited with status ${code} while starting`)));
        });
        process.stdin.write(shellPrelude(nonce));
        this.shellPid = await ready;
        this.attach(process);
        return process;
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  private attach(process: JailProcess): void {
    this.process = process;
    process.stdout.on('data', (chunk: Buffer) => this.onData('stdout', chunk));
    process.stderr.on('data', (chunk: Buffer) => this.onData('stderr', chunk));
    void process.done.then((exitCode) => {
      if (this.process !== process) return;
      this.process = undefined;
      this.shellPid = undefined;
      const running = this.running;
      if (running) {
        this.deps.onRestart?.(
          running.timedOut || running.interrupted ? 'the command could not be interrupted inside the shell itself' : `the shell exited with status ${exitCode}`,
        );
        this.complete(running, stoppedStatus(running) ?? exitCode, true);
      } else if (!this.closed) {
        this.deps.onRestart?.(`the shell exited with status ${exitCode} between commands`);
      }
    });
  }

  private async execute(command: string, options: RunOptions): Promise<ShellResult> {
    if (this.closed) throw new Error('the shell is closed');
    if (options.signal?.aborted) {
      // Interrupted while still queued: never started.
      return { exitCode: 130, stdout: '', stderr: '', durationMs: 0, timedOut: false, interrupted: true, truncated: { stdout: 0, stderr: 0 }, shellRestarted: false };
    }
    const process = await this.ensureShell();
    const seq = this.nextSeq++;
    this.nonce = randomBytes(8).toString('hex');
    this.scanners = { stdout: new MarkerScanner(this.nonce, true), stderr: new MarkerScanner(this.nonce, false) };
    return new Promise<ShellResult>((resolve) => {
      const running: Running = {
        seq,
        started: performance.now(),
        options,
        kept: { stdout: [], stderr: [] },
        keptBytes: { stdout: 0, stderr: 0 },
        truncated: { stdout: 0, stderr: 0 },
        decoders: { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') },
        pending: { stdout: [], stderr: [] },
        pendingBytes: { stdout: 0, stderr: 0 },
        flushTimer: undefined,
        outputSeq: 0,
        stderrDone: false,
        timedOut: false,
        interrupted: false,
        finish: resolve,
      };
      this.running = running;
      const timer = setTimeout(() => void this.stop(running, 'timeout'), options.timeoutMs);
      const onAbort = (): void => void this.stop(running, 'interrupt');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const clear = running.finish;
      running.finish = (result) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        clear(result);
      };
      process.stdin.write(wrapCommand(command, seq, this.nonce));
    });
  }

  private onData(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const running = this.running;
    if (!running) return; // Output of a background job between commands.
    const { output, status } = this.scanners[stream].feed(chunk);
    if (output.length > 0) this.keep(running, stream, output);
    if (status === undefined) return;
    if (stream === 'stdout') running.status = status;
    else running.stderrDone = true;
    if (running.status !== undefined && running.stderrDone) this.complete(running, stoppedStatus(running) ?? running.status, false);
  }

  private keep(running: Running, stream: Stream, data: Buffer): void {
    const room = this.deps.maxKeptBytes - running.keptBytes[stream];
    if (room > 0) {
      const part = data.length <= room ? data : data.subarray(0, room);
      running.kept[stream].push(part);
      running.keptBytes[stream] += part.length;
    }
    running.truncated[stream] += Math.max(0, data.length - Math.max(room, 0));
    if (!running.options.onOutput) return;
    // Coalesced: one notification per 64 KiB or per 5 ms, not one per engine frame.
    running.pending[stream].push(data);
    running.pendingBytes[stream] += data.length;
    if (running.pendingBytes[stream] >= NOTIFY_BYTES) this.flushOutput(running, stream);
    else running.flushTimer ??= setTimeout(() => this.flushAll(running), NOTIFY_MS);
  }

  private flushAll(running: Running): void {
    running.flushTimer = undefined;
    this.flushOutput(running, 'stdout');
    this.flushOutput(running, 'stderr');
  }

  private flushOutput(running: Running, stream: Stream): void {
    if (running.pendingBytes[stream] === 0) return;
    const data = Buffer.concat(running.pending[stream]);
    running.pending[stream] = [];
    running.pendingBytes[stream] = 0;
    const text = running.decoders[stream].write(data);
    if (text.length > 0) running.options.onOutput?.({ stream, seq: running.outputSeq++, data: text });
  }

  private complete(running: Running, exitCode: number, shellRestarted: boolean): void {
    if (this.running !== running) return;
    this.running = undefined;
    clearTimeout(running.flushTimer);
    this.flushAll(running);
    running.finish({
      exitCode,
      stdout: Buffer.concat(running.kept.stdout).toString('utf8'),
      stderr: Buffer.concat(running.kept.stderr).toString('utf8'),
      durationMs: performance.now() - running.started,
      timedOut: running.timedOut,
      interrupted: running.interrupted,
      truncated: running.truncated,
      shellRestarted,
    });
  }

  /** Timeout or interrupt: kill what the command started and abandon the rest of its line. */
  private async stop(running: Running, why: 'timeout' | 'interrupt'): Promise<void> {
    if (this.running !== running || running.timedOut || running.interrupted) return;
    if (why === 'timeout') running.timedOut = true;
    else running.interrupted = true;
    await this.deps.kill(`CORRAL_CMD=${running.seq}`, this.shellPid).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, this.deps.graceMs ?? 2000));
    if (this.running === running) {
      // The shell did not come back (its pid was not known yet, or a builtin blocks the trap):
      // kill it with everything it started; a fresh one replaces it.
      await this.deps.kill(`CORRAL_SHELL=${this.generation}`).catch(() => undefined);
      this.process?.kill();
    }
  }
}

/** 124 after a timeout (as timeout(1) says), 130 after an interrupt (as a shell says after Ctrl-C). */
function stoppedStatus(running: { timedOut: boolean; interrupted: boolean }): number | undefined {
  return running.timedOut ? 124 : running.interrupted ? 130 : undefined;
}
