/**
 * How commands travel through the persistent shell. Each command is sent inside a quoted
 * here-document (so no quoting of its text is needed) and run by `command eval` inside a function
 * of the shell itself, so `cd`, `export` and function definitions persist, with stdin from
 * /dev/null. (`command` keeps a syntax error from ending the shell, as a bare `eval`'s would.)
 * End markers follow: `RS nonce:status:shellpid RS` on stdout and `RS nonce RS` on stderr.
 *
 * Every process the command starts inherits `CORRAL_CMD=<seq>`: a timeout kills those, and sends
 * the shell SIGUSR1, whose trap returns from the function — abandoning the rest of the command
 * line as Ctrl-C would, while the shell and its state survive.
 */

const RS = '\x1e';

/**
 * Sent once to a new shell: the abort trap, the function commands run in, and a first end
 * marker (status 0) that tells the daemon the shell is up and its pid.
 */
export function shellPrelude(nonce: string): string {
  return [
    `trap '[ -n "$__corral_in" ] && return 130' USR1`,
    // `command eval`: a syntax error fails with status 2 instead of ending the shell (POSIX).
    '__corral_run() { __corral_in=1; command eval "$__corral_c" </dev/null; }',
    `printf '${RS}%s:0:%d${RS}' '${nonce}' "$$"`,
    '',
  ].join('\n');
}

export function wrapCommand(command: string, seq: number, nonce: string): string {
  const delimiter = `__CORRAL_${nonce}`;
  return [
    `export CORRAL_CMD=${seq}`,
    '__corral_c=; while IFS= read -r __corral_l; do __corral_c="$__corral_c$__corral_l',
    `"; done <<'${delimiter}'`,
    command,
    delimiter,
    '__corral_run',
    `__corral_rc=$?; __corral_in=; printf '${RS}%s:%d:%d${RS}' '${nonce}' "$__corral_rc" "$$"; printf '${RS}%s${RS}' '${nonce}' >&2`,
    '',
  ].join('\n');
}

/**
 * Kills every process whose environment carries `marker` (`CORRAL_CMD=<seq>` for one command,
 * `CORRAL_SHELL=<n>` for a whole shell), after sending `interruptPid` (the shell) SIGUSR1. Runs
 * as a separate exec, which carries neither.
 */
export function killScript(marker: string, interruptPid?: number): string {
  if (!/^CORRAL_[A-Z]+=\d+$/.test(marker)) throw new Error(`bad marker ${marker}`);
  const interrupt = interruptPid === undefined ? '' : `kill -USR1 ${Math.trunc(interruptPid)} 2>/dev/null; `;
  return `${interrupt}for d in /proc/[0-9]*; do tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx '${marker}' && kill -KILL "\${d#/proc/}" 2>/dev/null; done; exit 0`;
}

/**
 * Finds an end marker in a byte stream that arrives in arbitrary chunks. Bytes before the marker
 * are output; a possible start of a marker at a chunk's end is held back until the next chunk.
 */
export class MarkerScanner {
  private held: Buffer = Buffer.alloc(0);
  private readonly pattern: RegExp;
  private readonly longest: number;

  constructor(nonce: string, withStatus: boolean) {
    this.pattern = withStatus ? new RegExp(`${RS}${nonce}:(\\d+):(\\d+)${RS}`) : new RegExp(`${RS}${nonce}${RS}`);
    this.longest = nonce.length + (withStatus ? 20 : 2) + 1;
  }

  /** Output before the marker and, once it is seen, its status and shell pid (`-1` on stderr). */
  feed(chunk: Buffer): { output: Buffer; status?: number; pid?: number } {
    // The common case, bulk output: no separator byte at all, no string conversion.
    if (this.held.length === 0 && chunk.indexOf(0x1e) < 0) return { output: chunk };
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const text = data.toString('latin1');
    const match = this.pattern.exec(text);
    if (match) {
      this.held = Buffer.alloc(0);
      return {
        output: data.subarray(0, match.index),
        status: match[1] === undefined ? -1 : Number(match[1]),
        pid: match[2] === undefined ? -1 : Number(match[2]),
      };
    }
    const start = text.lastIndexOf(RS);
    if (start >= 0 && data.length - start < this.longest) {
      this.held = data.subarray(start);
      return { output: data.subarray(0, start) };
    }
    this.held = Buffer.alloc(0);
    return { output: data };
  }

  reset(): void {
    this.held = Buffer.alloc(0);
  }
}
