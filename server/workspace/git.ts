import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Settings that keep anything a session planted from running on the host when Corral runs git:
 * no hooks, no fsmonitor, no pager or editor, no external diff or textconv, no credential or
 * protocol helpers. (The trusted repositories Corral runs git in have no such config anyway;
 * these are a second wall.)
 */
const HARDENING = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.pager=cat',
  '-c',
  'core.editor=false',
  '-c',
  'core.sshCommand=false',
  '-c',
  'credential.helper=',
  '-c',
  'protocol.allow=never',
  '-c',
  'safe.directory=*',
  '-c',
  'core.quotePath=false',
];

let emptyHome: string | undefined;

/** An environment with no user or system git config and nothing of the caller's git variables. */
function gitEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  emptyHome ??= fs.mkdtempSync(path.join(os.tmpdir(), 'corral-git-home-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return {
    ...env,
    HOME: emptyHome,
    XDG_CONFIG_HOME: emptyHome,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * Runs git on the host with the hardening above. `user: true` runs it in the user's own
 * repository with their config (hooks included, as they would expect from git).
 */
export function git(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: Buffer | string; user?: boolean; maxBuffer?: number } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      options.user ? args : [...HARDENING, ...args],
      {
        cwd: options.cwd,
        env: options.user ? { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env } : gitEnv(options.env ?? {}),
        maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
        if (error && code === -1) {
          reject(new CorralError(ErrorCode.Internal, `git could not run: ${error.message}`, 'install git on this machine'));
          return;
        }
        resolve({ stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), code });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Like `git`, but a non-zero status is an error carrying git's message. */
export async function gitOk(args: string[], options: Parameters<typeof git>[1] = {}): Promise<string> {
  const result = await git(args, options);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}
