import type { HostRepo } from '../ports/git';
import { applyToRepo } from './apply';
import { createCheckout, inspectRepo } from './checkout';
import { workspaceDiff } from './diff';
import { git } from './git';

/** The host repository port on real git (the hardened runner in git.ts). */
export const gitHostRepo: HostRepo = {
  inspect: inspectRepo,
  head: async (dir) => {
    const result = await git(['rev-parse', '--show-toplevel', 'HEAD'], { cwd: dir });
    const [root, commit] = result.stdout.trim().split('\n');
    return result.code === 0 && root && commit ? { root, commit } : undefined;
  },
  checkout: createCheckout,
  diff: workspaceDiff,
  apply: applyToRepo,
};
