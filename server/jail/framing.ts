/**
 * How commands travel through the persistent shell. Each command is sent inside a quoted
 * here-document (so no quoting of its text is needed), syntax-checked by a throw-away `sh -n` (a
 * syntax error inside `eval` would end a POSIX shell), run with `eval` in the shell itself (so
 * `cd`, `export` and functions persist) with stdin from /dev/null, and followed by end markers:
 * `RS nonce:status RS` on stdout and `RS nonce RS` on stderr. Every process the command starts
 * inherits `CORRAL_CMD=<seq>`, which is how a timeout finds and kills them.
 */

const RS = '\x1e';

export function wrapCommand(command: string, seq: number, nonce: string): string {
  const delimiter = `__CORRAL_${nonce}`;
  return [
    `export CORRAL_CMD=${seq}`,
    "__corral_c=; while IFS= read -r __corral_l; do __corral_c=\"$__corral_c$__corral_l",
    `"; done <<'${delimiter}'`,
    command,
    delimiter,
    'if sh -n -c "$__corral_c" </dev/null; then eval "$__corral_c" </dev/null; else (exit 2); fi',
    `__corral_rc=$?; printf '${RS}%s:%d${RS}' '${nonce}' "$__corral_rc"; printf '${RS}%s${RS}' '${nonce}' >&2`,
    '',
  ].join('\n');
}

/**
 * Kills every process whose environment carries `marker` (`CORRAL_CMD=<seq>` for one command,
 * `CORRAL_SHELL=<n>` for a whole shell). Run as a separate exec, which does not carry it.
 */
export function killScript(marker: string): string {
  if (!/^CORRAL_[A-Z]+=\d+$/.test(marker)) throw new Error(`bad marker ${marker}`);
  return `for d in /proc/[0-9]*; do tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx '${marker}' && kill -KILL "\${d#/proc/}" 2>/dev/null; done; exit 0`;
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
    this.pattern = withStatus ? new RegExp(`${RS}${nonce}:(\\d+)${RS}`) : new RegExp(`${RS}${nonce}${RS}`);
    this.longest = nonce.length + (withStatus ? 6 : 2) + 1;
  }

  /** Output before the marker, and the marker's status (`-1` without status) once it is seen. */
  feed(chunk: Buffer): { output: Buffer; status?: number } {
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const text = data.toString('latin1');
    const match = this.pattern.exec(text);
    if (match) {
      this.held = Buffer.alloc(0);
      return { output: data.subarray(0, match.index), status: match[1] === undefined ? -1 : Number(match[1]) };
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
