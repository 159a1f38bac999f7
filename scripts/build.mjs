// Bundles each entry point into dist/ with esbuild and ships the sql.js wasm beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, chmodSync, mkdirSync, readFileSync } from 'node:fs';
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

mkdirSync('dist', { recursive: true });
await Promise.all([
  esbuild.build({ ...common, entryPoints: { server: 'server/main.ts' }, outdir: 'dist', plugins: [lazyDockerode] }),
  esbuild.build({ ...common, entryPoints: { dockerode: 'server/docker/dockerode.ts' }, outdir: 'dist' }),
  esbuild.build({
    ...common,
    entryPoints: { cli: 'cli/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.build({ ...common, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist', external: [...common.external, 'vscode'] }),
]);
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');
chmodSync('dist/cli.js', 0o755);
