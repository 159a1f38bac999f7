import type { ChangedFile } from '../protocol';
import type { CheckoutPaths } from './checkout';
import { trustedGit } from './checkout';

export interface WorkspaceDiff {
  base: string;
  files: ChangedFile[];
  /** `git diff --binary`: what `apply` applies. */
  patch: string;
  stat: string;
}

/**
 * Everything the session changed against its base commit: its commits, uncommitted edits and
 * untracked (not ignored) files alike, because the work tree is snapshot into Corral's trusted
 * index (`add -A`) and compared with the base there. Nothing is read from the session's `.git`.
 */
export async function workspaceDiff(paths: CheckoutPaths, base: string): Promise<WorkspaceDiff> {
  await trustedGit(paths, ['add', '--all', '--', '.']);
  const nameStatus = (await trustedGit(paths, ['diff', '--no-ext-diff', '--no-textconv', '--cached', '-M', '--name-status', '-z', base])).split('\0');
  const numstat = (await trustedGit(paths, ['diff', '--no-ext-diff', '--no-textconv', '--cached', '-M', '--numstat', '-z', base])).split('\0');
  const counts = parseNumstat(numstat);
  const files: ChangedFile[] = [];
  for (let i = 0; i < nameStatus.length - 1;) {
    const code = nameStatus[i++]!;
    const status = fileStatus(code);
    if (status === 'R' || status === 'C') {
      const from = nameStatus[i++]!;
      const to = nameStatus[i++]!;
      files.push({ path: to, status, from, ...(counts.get(to) ?? { binary: false, added: 0, deleted: 0 }) });
    } else {
      const file = nameStatus[i++]!;
      files.push({ path: file, status, ...(counts.get(file) ?? { binary: false, added: 0, deleted: 0 }) });
    }
  }
  const patch = await trustedGit(paths, ['diff', '--no-ext-diff', '--no-textconv', '--cached', '-M', '--binary', base]);
  const stat = await trustedGit(paths, ['diff', '--no-ext-diff', '--no-textconv', '--cached', '-M', '--stat', base]);
  return { base, files, patch, stat };
}

const STATUSES = new Set<string>(['A', 'M', 'D', 'R', 'C', 'T']);

/**
 * The change's letter from `--name-status` (`R087` → `R`). A diff of the trusted index against a
 * commit shows no unmerged (`U`) or unknown (`X`) entries; should one appear, it is a modification.
 */
function fileStatus(code: string): ChangedFile['status'] {
  const letter = code.charAt(0);
  return STATUSES.has(letter) ? (letter as ChangedFile['status']) : 'M';
}

/** `--numstat -z`: "added\tdeleted\tpath\0", or for renames "added\tdeleted\t\0from\0to\0"; binary shows "-". */
function parseNumstat(fields: string[]): Map<string, { binary: boolean; added: number; deleted: number }> {
  const counts = new Map<string, { binary: boolean; added: number; deleted: number }>();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field === '') continue;
    const [added = '', deleted = '', file = ''] = field.split('\t');
    let target = file;
    if (file === '') {
      i++; // from
      target = fields[++i] ?? '';
    }
    counts.set(target, { binary: added === '-', added: added === '-' ? 0 : Number(added), deleted: deleted === '-' ? 0 : Number(deleted) });
  }
  return counts;
}
