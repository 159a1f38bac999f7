import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A fresh CORRAL_HOME, short enough for a Unix socket path. `cleanup` removes it and the session
 * containers labelled with it: a stopped daemon leaves its containers running for the next one to
 * adopt, and a test home has no next daemon.
 */
export function tempHome(label = 'h'): { home: string; cleanup(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `cr-${label}-`));
  return {
    home,
    cleanup: () => {
      removeContainersOf(home);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Best effort, through the docker CLI (absent or engine down: nothing to remove). */
function removeContainersOf(home: string): void {
  const listed = spawnSync('docker', ['ps', '-aq', '--filter', `label=corral.home=${home}`], { encoding: 'utf8', timeout: 30_000 });
  const ids = listed.status === 0 ? listed.stdout.split('\n').filter(Boolean) : [];
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 60_000 });
}

export const repoRoot = path.resolve(__dirname, '..', '..');
export const distServer = path.join(repoRoot, 'dist', 'server.js');
export const distCli = path.join(repoRoot, 'dist', 'cli.js');

/** Fails fast with a hint when the bundle the test needs has not been built. */
export function requireBuild(): void {
  if (!fs.existsSync(distServer) || !fs.existsSync(distCli)) {
    throw new Error('dist/ is missing: run `npm run build` first (the test command does it)');
  }
}
