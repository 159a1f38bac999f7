import { AttachClose, AttachClosedNotification, AttachInput, AttachOpen, AttachOutputNotification, AttachResize } from '../../server/protocol';
import type { CommandFunction } from '../command';
import type { attachCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

/** Ctrl-P then Ctrl-Q, as in Docker. */
const DETACH = '\x10\x11';

/**
 * `corral attach ID`: an interactive shell in the session. The terminal goes raw, follows
 * resizes, and is restored on every way out: detach, shell exit, daemon gone, signals.
 */
export const attach: CommandFunction<typeof attachCommand> = async (ctx, { id }) => {
  const { stdin, stdout } = ctx;
  const connection = await ctx.connection();
  const size = (): { rows: number; cols: number } => ({ rows: stdout.rows || 24, cols: stdout.columns || 80 });
  // The shell's first output (its prompt) can arrive before the reply that names the attachment:
  // listen first, keep what comes early, and play it once the id is known.
  const opened: { attachId?: string } = {};
  const early: { attachId: string; data: string }[] = [];
  connection.rpc.onNotification(AttachOutputNotification, (chunk) => {
    if (opened.attachId === undefined) early.push(chunk);
    else if (chunk.attachId === opened.attachId) stdout.write(chunk.data);
  });
  const { attachId } = await ctx.call(AttachOpen, { session: id, ...size() });
  opened.attachId = attachId;
  for (const chunk of early.splice(0)) if (chunk.attachId === attachId) stdout.write(chunk.data);
  const wasRaw = stdin.isRaw === true;
  const restore = (): void => {
    if (ctx.isTTY.stdin) stdin.setRawMode?.(wasRaw);
  };

  let terminated: { dispose(): void } | undefined;
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
        if (at > 0) void ctx.call(AttachInput, { attachId, data: data.slice(0, at) });
        resolve({ code: 0, reason: 'detached' });
        return;
      }
      if (data.endsWith(DETACH[0]!)) {
        pending = DETACH[0]!;
        data = data.slice(0, -1);
      }
      if (data.length > 0) void ctx.call(AttachInput, { attachId, data }).catch(() => undefined);
    });
    stdin.once('end', () => resolve({ code: 0, reason: 'detached' }));
    terminated = ctx.onTerminate(() => resolve({ code: ExitCode.Interrupted, reason: 'signal' }));
  });
  const onResize = (): void => void ctx.call(AttachResize, { attachId, ...size() }).catch(() => undefined);
  stdout.on('resize', onResize);

  if (ctx.isTTY.stdin) stdin.setRawMode?.(true);
  stdin.resume();
  try {
    const { code, reason } = await ended;
    // Give the terminal back before printing anything: a raw terminal would not turn \n into \r\n.
    restore();
    if (reason === 'detached') {
      await ctx.call(AttachClose, { attachId }).catch(() => undefined);
      ctx.out.note(`detached from ${id}; the session keeps running`);
    }
    if (reason === 'daemon-gone') throw new CliError('the daemon went away', 'see `corral doctor`', ExitCode.DaemonUnavailable);
    return code;
  } finally {
    restore();
    terminated?.dispose();
    stdout.off('resize', onResize);
    stdin.pause();
  }
};
