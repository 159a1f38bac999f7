// Bundles each entry point into dist/ with esbuild and ships the sql.js wasm beside them.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Minified always: less to parse at every CLI and daemon start; source maps keep stacks readable.
  minify: true,
  logLevel: 'warning',
  define: { CORRAL_VERSION: JSON.stringify(version) },
  // Optional native parts of ssh2 (pulled in by dockerode); it works without them.
  external: ['cpu-features', '*.node', 'sql.js/dist/sql-wasm.wasm'],
};

// dockerode is bundled on its own and required at run time from beside the daemon.
const lazyDockerode = {
  name: 'lazy-dockerode',
  setup(build) {
    build.onResolve({ filter: /^\.\/dockerode$/ }, () => ({ path: './dockerode.js', external: true }));
  },
};

// Start clean, so no stale bundle or map from an older layout is left behind.
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await Promise.all([
  esbuild.build({ ...common, entryPoints: { server: 'server/main.ts' }, outdir: 'dist', plugins: [lazyDockerode] }),
  esbuild.build({ ...common, entryPoints: { dockerode: 'server/docker/dockerode.ts' }, outdir: 'dist' }),
  esbuild.build({
    ...common,
    entryPoints: { 'cli-main': 'cli/main.ts' },
    outdir: 'dist',
  }),
  esbuild.build({ ...common, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist', external: [...common.external, 'vscode'] }),
]);
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');
// The executable is a small launcher that runs cli-main.js with V8's code cache (cli/launcher.cjs).
copyFileSync('cli/launcher.cjs', 'dist/cli.js');
chmodSync('dist/cli.js', 0o755);
// Prime the cache with a command that loads the parser and the client (no daemon is started).
rmSync('dist/cli-main.cache', { force: true });
const primeHome = mkdtempSync(path.join(tmpdir(), 'corral-prime-'));
try {
  execFileSync(process.execPath, ['dist/cli.js', 'daemon', 'status'], { env: { ...process.env, CORRAL_HOME: primeHome }, stdio: 'ignore' });
} catch {
  // `daemon status` exits 3 when nothing runs, as expected here.
} finally {
  rmSync(primeHome, { recursive: true, force: true });
}
