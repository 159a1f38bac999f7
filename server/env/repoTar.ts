import * as fs from 'node:fs';
import * as path from 'node:path';
import { pack } from 'tar-stream';
import { git } from '../workspace/git';

/** Never copied into a build: the user's own installs and the repository's metadata. */
const SKIPPED = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__']);

/**
 * The repository's files as a tar stream owned by the jail user, for a setup container's
 * /workspace or a Dockerfile build context: the tracked files of a git repository (the user's
 * node_modules and build output stay out), every file of another folder.
 */
export async function repoTar(root: string, subdir = '.', owner = 1000): Promise<NodeJS.ReadableStream> {
  const base = path.join(root, subdir);
  const listed = await git(['ls-files', '-z', '--cached', '--', '.'], { cwd: base });
  const files = listed.code === 0 ? listed.stdout.split('\0').filter(Boolean) : walk(base, '');
  const archive = pack();
  void (async () => {
    const dirs = new Set<string>();
    for (const file of files) {
      if (file.split('/').some((part) => SKIPPED.has(part))) continue;
      const absolute = path.join(base, file);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(absolute);
      } catch {
        continue; // Deleted in the work tree since it was committed.
      }
      for (let dir = path.posix.dirname(file); dir !== '.' && !dirs.has(dir); dir = path.posix.dirname(dir)) {
        dirs.add(dir);
        archive.entry({ name: dir, type: 'directory', mode: 0o755, uid: owner, gid: owner });
      }
      if (stat.isSymbolicLink()) {
        archive.entry({ name: file, type: 'symlink', linkname: fs.readlinkSync(absolute), uid: owner, gid: owner });
      } else if (stat.isFile()) {
        await new Promise<void>((resolve, reject) =>
          archive.entry({ name: file, mode: stat.mode & 0o777, uid: owner, gid: owner, mtime: stat.mtime }, fs.readFileSync(absolute), (e) => (e ? reject(e) : resolve())),
        );
      }
    }
    archive.finalize();
  })().catch((error: unknown) => archive.destroy(error as Error));
  // tar-stream's streamx Readable pipes like a Node stream, which is all the engine client does with it.
  return archive as unknown as NodeJS.ReadableStream;
}

function walk(base: string, prefix: string): string[] {
  return fs.readdirSync(path.join(base, prefix), { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? walk(base, rel) : [rel];
  });
}
