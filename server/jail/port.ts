import type { Duplex } from 'node:stream';
import type { JailLimits } from './policy';

/** What a jail is made from. */
export interface JailSpec {
  /** Session id, also used in the container name `corral-<id>`. */
  sessionId: string;
  owner: string;
  /** `$CORRAL_HOME`, so a restarted daemon finds its own containers. */
  home: string;
  image: string;
  /** Host folder bind-mounted read-write at /workspace. */
  workspace: string;
  /** Further host folders, read-only (the user's git objects, for a git session). */
  readOnlyMounts?: { host: string; container: string }[];
  /** Added to the jail's fixed environment. */
  env?: string[];
  limits: JailLimits;
}

export interface JailInfo {
  containerId: string;
  state: 'created' | 'running' | 'paused' | 'exited' | 'dead' | 'removing' | 'restarting';
  exitCode?: number;
  oomKilled: boolean;
}

export interface JailStats {
  cpuPercent: number;
  memoryBytes: number;
  pids: number;
}

/**
 * A process inside the jail with its stdio: stdout and stderr apart (no TTY), or one stream
 * (TTY). `done` resolves with the exit code once the process has ended.
 */
export interface JailProcess {
  stdin: Duplex;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  done: Promise<number>;
  /** TTY processes only. */
  resize(rows: number, cols: number): Promise<void>;
  kill(): void;
}

/** The container engine, as the jail service sees it. */
export interface JailPort {
  create(spec: JailSpec): Promise<JailInfo>;
  /** Starts a process as the jail user; `tty` for interactive attach only (4× slower output). */
  spawn(containerId: string, command: string[], options: { tty: boolean; env?: string[]; workdir?: string }): Promise<JailProcess>;
  inspect(containerId: string): Promise<JailInfo>;
  stats(containerId: string): Promise<JailStats>;
  /** Starts a stopped container again (after an engine restart). */
  start(containerId: string): Promise<void>;
  pause(containerId: string): Promise<void>;
  resume(containerId: string): Promise<void>;
  /** Stops and removes the container, killing whatever runs in it. Missing is fine. */
  remove(containerId: string): Promise<void>;
  /** Containers labelled with this home, for reconciliation. */
  list(home: string): Promise<{ containerId: string; sessionId: string; state: JailInfo['state'] }[]>;
}
