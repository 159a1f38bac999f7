import * as fs from 'node:fs';
import * as path from 'node:path';

/** Makes a rename or create inside `dir` durable. */
export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `target` atomically: write a temp file, fsync it, keep the old target as `previous`
 * (a hard link, so both names are valid at every moment), rename, fsync the folder.
 */
export async function writeFileAtomic(target: string, data: Uint8Array, previous?: string): Promise<void> {
  const dir = path.dirname(target);
  const temp = `${target}.tmp-${process.pid}`;
  const handle = await fs.promises.open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (previous && fs.existsSync(target)) {
    const previousTemp = `${previous}.tmp-${process.pid}`;
    await fs.promises.rm(previousTemp, { force: true });
    await fs.promises.link(target, previousTemp);
    await fs.promises.rename(previousTemp, previous);
  }
  await fs.promises.rename(temp, target);
  fsyncDirectory(dir);
}
