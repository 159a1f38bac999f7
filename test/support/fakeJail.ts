import { PassThrough } from 'node:stream';
import type { JailInfo, JailPort, JailProcess, JailSpec, JailStats } from '../../server/jail/port';

/**
 * A jail port with no engine behind it, for the in-process harness (test/support/harness.ts).
 * Containers are records; the persistent shell is a fake `sh` that speaks the daemon's real
 * framing (server/jail/framing.ts: prelude, here-document, end markers on both streams), so the
 * real PersistentShell, SessionService and tools run on top of it. What a command prints is up to
 * a script the test gives. Docker-backed tests keep what only an engine shows (isolation, limits,
 * real processes).
 */

export interface CommandOutcome {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

export interface CommandContext {
  containerId: string;
  /** The host folder mounted at /workspace: a script edits it as a command in the jail would. */
  workspace: string;
  /** Aborted when the daemon kills the command (timeout or interrupt) or the whole shell. */
  signal: AbortSignal;
}

/** What a command does in the fake jail. */
export type CommandScript = (command: string, context: CommandContext) => CommandOutcome | Promise<CommandOutcome>;

/** `echo`, `true`, `false`, `exit N`; anything else is not found (127), as in sh. */
export const basicScript: CommandScript = (command) => {
  const echo = /^echo (.*)$/.exec(command);
  if (echo) return { stdout: `${echo[1]}\n` };
  if (command === 'true' || command === '') return {};
  if (command === 'false') return { exitCode: 1 };
  const exit = /^exit (\d+)$/.exec(command);
  if (exit) return { exitCode: Number(exit[1]) };
  return { stderr: `sh: 1: ${command.split(' ')[0] ?? ''}: not found\n`, exitCode: 127 };
};

interface FakeContainer {
  id: string;
  spec: JailSpec;
  state: JailInfo['state'];
  /** Commands running now by their `CORRAL_CMD` number, and every shell by `CORRAL_SHELL`. */
  commands: Map<number, AbortController>;
  shells: Map<number, FakeShell>;
}

export class FakeJail implements JailPort {
  /** Every engine call, in order (`create s1`, `pause c1`…), for tests that check what was asked. */
  readonly calls: string[] = [];
  /** Every command the shells ran, in order. */
  readonly commands: string[] = [];
  private readonly containers = new Map<string, FakeContainer>();
  private nextId = 1;
  private listing: Promise<void> = Promise.resolve();

  constructor(public script: CommandScript = basicScript) {}

  /** A container's state as the engine would report it, or undefined once removed. */
  stateOf(containerId: string): JailInfo['state'] | undefined {
    return this.containers.get(containerId)?.state;
  }

  async create(spec: JailSpec): Promise<JailInfo> {
    const id = `fake${this.nextId++}`;
    this.calls.push(`create ${spec.sessionId}`);
    this.containers.set(id, { id, spec, state: 'running', commands: new Map(), shells: new Map() });
    return { containerId: id, state: 'running', oomKilled: false };
  }

  async spawn(containerId: string, command: string[], options: { tty: boolean; env?: string[] }): Promise<JailProcess> {
    const container = this.running(containerId);
    if (options.tty) return echoProcess();
    if (command.length === 1 && command[0] === 'sh') {
      const generation = Number((options.env ?? []).find((e) => e.startsWith('CORRAL_SHELL='))?.split('=')[1] ?? 0);
      const shell = new FakeShell(container, generation, this);
      container.shells.set(generation, shell);
      return shell.process;
    }
    const kill = command[0] === 'sh' && command[1] === '-c' ? /grep -qx 'CORRAL_(CMD|SHELL)=(\d+)'/.exec(command[2] ?? '') : null;
    if (kill) {
      this.calls.push(`kill ${kill[1]}=${kill[2]} ${containerId}`);
      const n = Number(kill[2]);
      if (kill[1] === 'CMD') container.commands.get(n)?.abort();
      else container.shells.get(n)?.kill();
      return exitedProcess(0);
    }
    throw new Error(`the fake jail cannot run ${JSON.stringify(command)}`);
  }

  async inspect(containerId: string): Promise<JailInfo> {
    const container = this.containers.get(containerId);
    if (!container) throw new Error(`no such container: ${containerId}`);
    return { containerId, state: container.state, oomKilled: false };
  }

  async stats(containerId: string): Promise<JailStats> {
    this.running(containerId);
    return { cpuPercent: 1.5, memoryBytes: 8 * 1024 * 1024, pids: 2 };
  }

  async start(containerId: string): Promise<void> {
    this.calls.push(`start ${containerId}`);
    this.get(containerId).state = 'running';
  }

  async pause(containerId: string): Promise<void> {
    this.calls.push(`pause ${containerId}`);
    this.running(containerId).state = 'paused';
  }

  async resume(containerId: string): Promise<void> {
    this.calls.push(`resume ${containerId}`);
    const container = this.get(containerId);
    if (container.state !== 'paused') throw new Error(`container ${containerId} is not paused`);
    container.state = 'running';
  }

  async remove(containerId: string): Promise<void> {
    this.calls.push(`remove ${containerId}`);
    const container = this.containers.get(containerId);
    for (const shell of container?.shells.values() ?? []) shell.kill();
    this.containers.delete(containerId);
  }

  /** Holds `list` (what start-up reconciliation asks first) until the returned function is called: a slow engine. */
  holdList(): () => void {
    let release: () => void = () => undefined;
    this.listing = new Promise((resolve) => (release = resolve));
    return release;
  }

  async list(home: string): Promise<{ containerId: string; sessionId: string; state: JailInfo['state'] }[]> {
    this.calls.push('list');
    await this.listing;
    return [...this.containers.values()].filter((c) => c.spec.home === home).map((c) => ({ containerId: c.id, sessionId: c.spec.sessionId, state: c.state }));
  }

  private get(containerId: string): FakeContainer {
    const container = this.containers.get(containerId);
    if (!container) throw new Error(`no such container: ${containerId}`);
    return container;
  }

  /** Like the engine: a paused or stopped container runs nothing. */
  private running(containerId: string): FakeContainer {
    const container = this.get(containerId);
    if (container.state !== 'running') throw new Error(`container ${containerId} is ${container.state}`);
    return container;
  }
}

const RS = '\x1e';
const PRELUDE = new RegExp(`printf '${RS}%s:0:%d${RS}' '([0-9a-f]+)' "\\$\\$"\n`);
const COMMAND_HEAD = /^export CORRAL_CMD=(\d+)\n[^\n]*\n"; done <<'__CORRAL_([0-9a-f]+)'\n/;
const COMMAND_TAIL = '>&2\n';

/** A fake `sh` reading the framing the daemon writes and answering with the script's output and end markers. */
class FakeShell {
  readonly process: JailProcess;
  private readonly stdout = new PassThrough();
  private readonly stderr = new PassThrough();
  private input = '';
  private busy = false;
  private ended = false;
  private finish: (code: number) => void = () => undefined;
  private readonly pid: number;

  constructor(
    private readonly container: FakeContainer,
    private readonly generation: number,
    private readonly jail: FakeJail,
  ) {
    this.pid = 100 + generation;
    const stdin = new PassThrough();
    stdin.on('data', (chunk: Buffer) => {
      this.input += chunk.toString('utf8');
      void this.pump();
    });
    stdin.on('end', () => this.kill());
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    this.process = { stdin, stdout: this.stdout, stderr: this.stderr, done, resize: async () => undefined, kill: () => this.kill() };
  }

  kill(): void {
    if (this.ended) return;
    this.ended = true;
    for (const controller of this.container.commands.values()) controller.abort();
    this.container.shells.delete(this.generation);
    this.stdout.end();
    this.stderr.end();
    this.finish(137);
  }

  /** Handles every complete piece of input, one command at a time, as sh reads its stdin. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (;;) {
        if (this.ended) return;
        const prelude = PRELUDE.exec(this.input);
        if (prelude) {
          this.input = this.input.slice(prelude.index + prelude[0].length);
          this.stdout.write(`${RS}${prelude[1]}:0:${this.pid}${RS}`);
          continue;
        }
        const head = COMMAND_HEAD.exec(this.input);
        if (!head) return;
        const [, seq, nonce] = head;
        const delimiter = `\n__CORRAL_${nonce}\n`;
        const bodyEnd = this.input.indexOf(delimiter, head[0].length - 1);
        const tailEnd = bodyEnd < 0 ? -1 : this.input.indexOf(COMMAND_TAIL, bodyEnd + delimiter.length);
        if (tailEnd < 0) return;
        const command = this.input.slice(head[0].length, Math.max(head[0].length, bodyEnd));
        this.input = this.input.slice(tailEnd + COMMAND_TAIL.length);
        const status = await this.run(Number(seq), command);
        if (this.ended) return;
        this.stdout.write(`${RS}${nonce}:${status}:${this.pid}${RS}`);
        this.stderr.write(`${RS}${nonce}${RS}`);
      }
    } finally {
      this.busy = false;
    }
  }

  private async run(seq: number, command: string): Promise<number> {
    const controller = new AbortController();
    this.container.commands.set(seq, controller);
    this.jail.commands.push(command);
    try {
      const outcome = await Promise.race([
        Promise.resolve(this.jail.script(command, { containerId: this.container.id, workspace: this.container.spec.workspace, signal: controller.signal })),
        // A killed command ends as the shell's trap ends it: status 130.
        new Promise<CommandOutcome>((resolve) => controller.signal.addEventListener('abort', () => resolve({ exitCode: 130 }), { once: true })),
      ]);
      if (outcome.stdout) this.stdout.write(outcome.stdout);
      if (outcome.stderr) this.stderr.write(outcome.stderr);
      return outcome.exitCode ?? 0;
    } catch (error) {
      this.stderr.write(`${(error as Error).message}\n`);
      return 1;
    } finally {
      this.container.commands.delete(seq);
    }
  }
}

/** A process that has already ended with `code`. */
function exitedProcess(code: number): JailProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end();
  return { stdin: new PassThrough(), stdout, stderr, done: Promise.resolve(code), resize: async () => undefined, kill: () => undefined };
}

/** A TTY process that echoes what it is sent (enough for attach), ending with its input. */
function echoProcess(): JailProcess {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  stdin.pipe(stdout);
  const done = new Promise<number>((resolve) => stdout.once('end', () => resolve(0)));
  return { stdin, stdout, stderr: stdout, done, resize: async () => undefined, kill: () => stdin.end() };
}
