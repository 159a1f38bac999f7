import { AttachClose, AttachClosedNotification, AttachInput, AttachOpen, AttachOutputNotification, AttachResize } from '../../server/protocol';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

/** Ctrl-P then Ctrl-Q, as in Docker. */
const DETACH = '\x10\x11';

/**
 * `corral attach ID`: an interactive shell in the session. The terminal goes raw, follows
 * resizes, and is restored on every way out: detach, shell exit, daemon gone, signals.
 */
export async function attach(_options: object, ctx: CliContext, id: string): Promise<void> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const connection = await ctx.connect();
  const size = (): { rows: number; cols: number } => ({ rows: stdout.rows || 24, cols: stdout.columns || 80 });
  // The shell's first output (its prompt) can arrive before the reply that names the attachment:
  // listen first, keep what comes early, and play it once the id is known.
  const opened: { attachId?: string } = {};
  const early: { attachId: string; data: string }[] = [];
  connection.rpc.onNotification(AttachOutputNotification, (chunk) => {
    if (opened.attachId === undefined) early.push(chunk);
    else if (chunk.attachId === opened.attachId) stdout.write(chunk.data);
  });
  const { attachId } = await connection.rpc.sendRequest(AttachOpen, { session: id, ...size() });
  opened.attachId = attachId;
  for (const chunk of early.splice(0)) if (chunk.attachId === attachId) stdout.write(chunk.data);
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  const restore = (): void => {
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
  };
  process.once('exit', restore);

  const ended = new Promise<{ code: number; reason: string }>((resolve) => {
    connection.rpc.onNotification(AttachClosedNotification, (closed) => {
      if (closed.attachId === attachId) resolve({ code: closed.exitCode, reason: 'exited' });
    });
    void connection.closed.then(() => resolve({ code: ExitCode.DaemonUnavailable, reason: 'daemon-gone' }));
    let pending = '';
    stdin.on('data', (chunk: Buffer) => {
      let data = pending + chunk.toString('utf8');
      pending = '';
      const at = data.indexOf(DETACH);
      if (at >= 0) {
        if (at > 0) void connection.rpc.sendRequest(AttachInput, { attachId, data: data.slice(0, at) });
        resolve({ code: 0, reason: 'detached' });
        return;
      }
      if (data.endsWith(DETACH[0]!)) {
        pending = DETACH[0]!;
        data = data.slice(0, -1);
      }
      if (data.length > 0) void connection.rpc.sendRequest(AttachInput, { attachId, data }).catch(() => undefined);
    });
    stdin.once('end', () => resolve({ code: 0, reason: 'detached' }));
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve({ code: ExitCode.Interrupted, reason: 'signal' }));
  });
  const onResize = (): void => void connection.rpc.sendRequest(AttachResize, { attachId, ...size() }).catch(() => undefined);
  stdout.on('resize', onResize);

  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.resume();
  try {
    const { code, reason } = await ended;
    // Give the terminal back before printing anything: a raw terminal would not turn \n into \r\n.
    restore();
    if (reason === 'detached') {
      await connection.rpc.sendRequest(AttachClose, { attachId }).catch(() => undefined);
      ctx.out.note(`detached from ${id}; the session keeps running`);
    }
    if (reason === 'daemon-gone') throw new CliError('the daemon went away', 'see `corral doctor`', ExitCode.DaemonUnavailable);
    process.exitCode = code;
  } finally {
    restore();
    stdout.off('resize', onResize);
    stdin.pause();
    connection.dispose();
  }
}
