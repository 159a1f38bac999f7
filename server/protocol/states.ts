/**
 * The protocol's lists of names, in a module that imports nothing: the web app's page and the
 * extension take the very same lists without zod. Every other list of these words derives from here.
 */

/**
 * Every state a session can be in, in lifecycle order: `SessionInfo.state` on the wire, the
 * store's column and the lifecycle table (server/sessions/lifecycle.ts). `removed` is final:
 * only the record stays.
 */
export const SESSION_STATES = ['creating', 'ready', 'busy', 'paused', 'stopped', 'failed', 'lost', 'removed'] as const;

/**
 * Where a task stands: the board code, `tasks/*` params and results, config.json's `tasks`
 * settings, the CLI and the clients. `review`: done by someone, waiting for a look. A board's
 * words Corral does not know are read as `other` (listed, never dropped), which is not a status
 * one can set.
 */
export const TASK_STATUSES = ['todo', 'in_progress', 'review', 'blocked', 'done'] as const;
