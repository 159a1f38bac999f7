import * as posix from 'node:path/posix';
import type { ShellResult } from '../jail/shell';
import type { ToolCall, ToolResult, ToolSpec } from '../llm/types';

/** Runs one command line in the session's persistent shell, inside the jail. */
export type JailShell = (command: string, options: { timeoutMs?: number; signal?: AbortSignal }) => Promise<ShellResult>;

export const WORKSPACE = '/workspace';
/** Longest tool result the model gets; the rest is cut with a note saying how to see it. */
export const MAX_RESULT_CHARS = 16_000;
const DEFAULT_TIMEOUT_S = 120;

const object = (properties: Record<string, unknown>, required: string[]): Record<string, unknown> => ({ type: 'object', properties, required, additionalProperties: false });
const str = (description: string): Record<string, unknown> => ({ type: 'string', description });
const int = (description: string): Record<string, unknown> => ({ type: 'integer', description });

/** The tools the model is offered. Every one acts only inside the session's jail. */
export const TOOL_SPECS: ToolSpec[] = [
  {
    name: 'shell',
    description: 'Run a shell command in /workspace (sh; the shell persists between calls: cd and export stay). No network. Returns the exit status, stdout and stderr.',
    parameters: object({ command: str('the command line'), timeout_s: int(`seconds before it is killed (default ${DEFAULT_TIMEOUT_S})`) }, ['command']),
  },
  {
    name: 'read_file',
    description: 'Read a text file under /workspace with line numbers; optionally only lines start_line..end_line (1-based, inclusive).',
    parameters: object({ path: str('path relative to /workspace'), start_line: int('first line'), end_line: int('last line') }, ['path']),
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file under /workspace with the given content (parent folders are created).',
    parameters: object({ path: str('path relative to /workspace'), content: str('the whole new content') }, ['path', 'content']),
  },
  {
    name: 'edit_file',
    description: 'Replace exactly one occurrence of old_text with new_text in a file under /workspace. old_text must match exactly once, whitespace included.',
    parameters: object({ path: str('path relative to /workspace'), old_text: str('the exact text to replace'), new_text: str('its replacement') }, [
      'path',
      'old_text',
      'new_text',
    ]),
  },
  {
    name: 'list_files',
    description: 'List files and folders under a folder of /workspace (default the root), to a depth (default 2); .git is left out.',
    parameters: object({ path: str('folder relative to /workspace'), depth: int('how deep (1-6)') }, []),
  },
  {
    name: 'search',
    description: 'Search file contents under /workspace with a regular expression (grep -E); returns path:line:text for each match.',
    parameters: object({ pattern: str('extended regular expression'), path: str('folder or file relative to /workspace (default all)') }, ['pattern']),
  },
  {
    name: 'task_progress',
    description: 'Record a short progress note on the task (what you did, what you found, what is next).',
    parameters: object({ note: str('one or two sentences') }, ['note']),
  },
  {
    name: 'finish',
    description: 'End the work with a summary of what was changed and how it was checked. Call this when the goal is reached or cannot be.',
    parameters: object({ summary: str('what you did and how you verified it') }, ['summary']),
  },
];

export interface ToolOutcome {
  result: ToolResult;
  /** Set by `finish`: the run ends with this summary. */
  finished?: string;
  /** Set by `task_progress`. */
  note?: string;
}

/** Tool errors are the model's to handle: they come back as results, never as exceptions. */
class ToolError extends Error {}

/** Executes the model's tool calls in the jail through `shell`. */
export class Toolbox {
  constructor(private readonly shell: JailShell) {}

  async run(call: ToolCall, signal?: AbortSignal): Promise<ToolOutcome> {
    const ok = (content: string): ToolOutcome => ({ result: { id: call.id, content: cut(content), isError: false } });
    try {
      const args = parseArguments(call.arguments);
      switch (call.name) {
        case 'shell': {
          const timeout = Math.min(Math.max(1, integer(args, 'timeout_s') ?? DEFAULT_TIMEOUT_S), 1800);
          const r = await this.shell(text(args, 'command'), { timeoutMs: timeout * 1000, ...(signal ? { signal } : {}) });
          const status = r.timedOut ? `killed after ${timeout} s (timeout)` : `exit ${r.exitCode}`;
          return { result: { id: call.id, content: cut(`${status}\n${section('stdout', r.stdout)}${section('stderr', r.stderr)}`), isError: r.exitCode !== 0 } };
        }
        case 'read_file': {
          const path = confine(text(args, 'path'));
          const start = Math.max(1, integer(args, 'start_line') ?? 1);
          const end = integer(args, 'end_line');
          const r = await this.exec(`${fileGuard(path)} awk -v s=${start} -v e=${end ?? 0} 'NR>=s && (e==0 || NR<=e) {printf "%6d\\t%s\\n", NR, $0}' ${quote(path)}`, signal);
          return ok(r.stdout === '' ? `(no lines${start > 1 ? ` from line ${start}` : ''}: the file is empty or shorter)` : r.stdout);
        }
        case 'write_file': {
          const path = confine(text(args, 'path'));
          const content = text(args, 'content', true);
          await this.write(path, content, signal);
          return ok(`wrote ${Buffer.byteLength(content)} bytes to ${relative(path)}`);
        }
        case 'edit_file': {
          const path = confine(text(args, 'path'));
          const oldText = text(args, 'old_text');
          const newText = text(args, 'new_text', true);
          const content = Buffer.from((await this.exec(`${fileGuard(path)} base64 < ${quote(path)}`, signal)).stdout.replace(/\s+/g, ''), 'base64').toString('utf8');
          const count = content.split(oldText).length - 1;
          if (count === 0) throw new ToolError(`old_text was not found in ${relative(path)}; read_file it to see the current text and copy it exactly`);
          if (count > 1) throw new ToolError(`old_text occurs ${count} times in ${relative(path)}; include more surrounding lines so it matches exactly once`);
          const index = content.indexOf(oldText);
          await this.write(path, content.slice(0, index) + newText + content.slice(index + oldText.length), signal);
          return ok(`replaced 1 occurrence in ${relative(path)}`);
        }
        case 'list_files': {
          const path = confine(typeof args.path === 'string' ? args.path : '.');
          const depth = Math.min(Math.max(1, integer(args, 'depth') ?? 2), 6);
          const r = await this.exec(
            `${dirGuard(path)} cd ${quote(path)} && find . -mindepth 1 -maxdepth ${depth} -name .git -prune -o -print 2>/dev/null | sort | head -n 1000 | while IFS= read -r f; do if [ -d "$f" ]; then echo "\${f#./}/"; else echo "\${f#./}"; fi; done`,
            signal,
          );
          return ok(r.stdout === '' ? '(empty)' : r.stdout);
        }
        case 'search': {
          const path = confine(typeof args.path === 'string' ? args.path : '.');
          const r = await this.shell(`(cd ${WORKSPACE} && grep -rnIE --exclude-dir=.git -e ${quote(text(args, 'pattern'))} -- ${quote(path)} | head -n 300)`, {
            timeoutMs: 60_000,
            ...(signal ? { signal } : {}),
          });
          if (r.stderr.trim() !== '' && r.stdout === '') throw new ToolError(r.stderr.trim());
          return ok(r.stdout === '' ? 'no matches' : r.stdout.replaceAll(`${WORKSPACE}/`, ''));
        }
        case 'task_progress': {
          const note = text(args, 'note').trim().slice(0, 500);
          return { ...ok('noted'), note };
        }
        case 'finish': {
          const summary = text(args, 'summary');
          return { ...ok('finished'), finished: summary };
        }
        default:
          throw new ToolError(`there is no tool named ${call.name}; the tools are ${TOOL_SPECS.map((t) => t.name).join(', ')}`);
      }
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      return { result: { id: call.id, content: error.message, isError: true } };
    }
  }

  /**
   * A command that must succeed; its stderr becomes the model's error. In a subshell, so the
   * guards' `exit` and any `cd` leave the model's persistent shell as it was.
   */
  private async exec(command: string, signal?: AbortSignal): Promise<ShellResult> {
    const r = await this.shell(`(${command})`, { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
    if (r.exitCode !== 0) throw new ToolError(r.stderr.trim() || `failed with exit ${r.exitCode}`);
    return r;
  }

  /** Content travels base64-encoded, so no byte of it is ever read by the shell. */
  private async write(path: string, content: string, signal?: AbortSignal): Promise<void> {
    const parent = posix.dirname(path);
    const encoded = Buffer.from(content, 'utf8').toString('base64');
    await this.exec(
      `mkdir -p -- ${quote(parent)} && ${realGuard(parent)} { [ ! -L ${quote(path)} ] || ${realGuard(path)} } && printf '%s' '${encoded}' | base64 -d > ${quote(path)}`,
      signal,
    );
  }
}

/** A path the model gave, made absolute under /workspace; anything that leaves it is refused. */
export function confine(path: string): string {
  const absolute = posix.normalize(posix.isAbsolute(path) ? path : posix.join(WORKSPACE, path));
  if (absolute !== WORKSPACE && !absolute.startsWith(`${WORKSPACE}/`)) throw new ToolError(`${path} is outside /workspace; every path must be inside it`);
  if (absolute.split('/').includes('.git')) throw new ToolError(`${path} is inside .git; change the repository through git commands in the shell instead`);
  return absolute;
}

/** Symbolic links are followed by the shell: check where the path really is, too. */
function realGuard(path: string): string {
  return `case "$(readlink -f -- ${quote(path)})" in ${WORKSPACE}|${WORKSPACE}/*) ;; *) echo '${relative(path)} leads outside /workspace' >&2; exit 3;; esac;`;
}
function fileGuard(path: string): string {
  return `[ -f ${quote(path)} ] || { echo 'no file ${relative(path).replaceAll("'", '')} (list_files shows what exists)' >&2; exit 2; }; ${realGuard(path)}`;
}
function dirGuard(path: string): string {
  return `[ -d ${quote(path)} ] || { echo 'no folder ${relative(path).replaceAll("'", '')}' >&2; exit 2; }; ${realGuard(path)}`;
}

function relative(path: string): string {
  return path === WORKSPACE ? '.' : path.slice(WORKSPACE.length + 1);
}

export function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Long results keep their head and tail, with a note in between saying how to see the rest. */
export function cut(content: string, max = MAX_RESULT_CHARS): string {
  if (content.length <= max) return content;
  const head = Math.floor(max * 0.75);
  const tail = max - head;
  const dropped = content.length - head - tail;
  return `${content.slice(0, head)}\n[… ${dropped} characters cut; narrow it down: read_file with start_line/end_line, search, or | head / | tail …]\n${content.slice(-tail)}`;
}

function section(name: string, value: string): string {
  return value === '' ? '' : `--- ${name}\n${value}${value.endsWith('\n') ? '' : '\n'}`;
}

function parseArguments(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw === '' ? '{}' : raw);
  } catch {
    throw new ToolError(`the arguments are not valid JSON: ${raw.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ToolError('the arguments must be a JSON object');
  return value as Record<string, unknown>;
}

function text(args: Record<string, unknown>, name: string, allowEmpty = false): string {
  const value = args[name];
  if (typeof value !== 'string' || (!allowEmpty && value === '')) throw new ToolError(`${name} is required and must be a${allowEmpty ? '' : ' non-empty'} string`);
  return value;
}

function integer(args: Record<string, unknown>, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ToolError(`${name} must be an integer`);
  return value;
}
