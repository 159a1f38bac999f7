import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckoutPaths } from './checkout';

/** Where environment images keep the dependency folders their setup made (see server/env/setup.ts). */
export const JAIL_DEPS = '/opt/corral/deps';

/**
 * Makes the environment's dependency folders appear in a fresh checkout: a symlink per folder to
 * its copy in the image (read-only, shared by every session, nothing copied), unless the checkout
 * has that path already. The links are excluded in both the session's repository and Corral's
 * trusted one, so they never show in `diff` or reach `apply`. A session that needs its own
 * writable copy replaces the link (`rm node_modules && cp -r /opt/corral/deps/node_modules .`).
 */
export function linkDependencies(paths: CheckoutPaths, folders: string[]): string[] {
  const linked: string[] = [];
  for (const folder of folders) {
    const at = path.join(paths.workspace, folder);
    if (fs.lstatSync(at, { throwIfNoEntry: false })) continue;
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(path.posix.join(JAIL_DEPS, folder), at);
    linked.push(folder);
  }
  if (linked.length > 0) {
    const lines = linked.map((f) => `/${f}\n`).join('');
    for (const gitDir of [path.join(paths.workspace, '.git'), paths.trusted]) {
      if (!fs.existsSync(gitDir)) continue;
      fs.mkdirSync(path.join(gitDir, 'info'), { recursive: true });
      fs.appendFileSync(path.join(gitDir, 'info', 'exclude'), `# dependency folders of the environment (Corral)\n${lines}`);
    }
  }
  return linked;
}
