import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh CORRAL_HOME, short enough for a Unix socket path; removed by `cleanup`. */
export function tempHome(label = 'h'): { home: string; cleanup(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `cr-${label}-`));
  return { home, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
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
