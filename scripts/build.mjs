// Bundles each entry point into dist/ with esbuild and ships the sql.js wasm beside them.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
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

// Large libraries the daemon needs only for some work are bundled on their own and loaded with
// import() on first use: the daemon starts without parsing them.
const lazyModules = {
  dockerode: 'server/docker/dockerode.ts',
  openaiSdk: 'server/llm/openaiSdk.ts',
  anthropicSdk: 'server/llm/anthropicSdk.ts',
  priceData: 'server/ledger/priceData.ts',
  tokenizer: 'server/ledger/tokenizer.ts',
  // The board language server (`corral lsp`): loaded by the CLI for that command only.
  lsp: 'server/lsp/main.ts',
};
const lazyLsp = {
  name: 'lazy-lsp',
  setup(build) {
    // A plain require at run time: the CLI runs in vm.Script (cli/launcher.cjs), which has no import().
    build.onResolve({ filter: /^\.\.\/\.\.\/server\/lsp\/main$/ }, () => ({ path: 'lsp', namespace: 'lazy-lsp' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-lsp' }, () => ({ contents: "module.exports = require(require('node:path').join(__dirname, 'lsp.js'));", loader: 'js' }));
  },
};
const lazy = {
  name: 'lazy-modules',
  setup(build) {
    const filter = new RegExp(`^\\./(${Object.keys(lazyModules).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `${args.path}.js`, external: true }));
  },
};
const genaiPricesVersion = JSON.parse(readFileSync('node_modules/@pydantic/genai-prices/package.json', 'utf8')).version;

// vscode-languageclient in its own bundle (dist/lspClient.js), required when the first board is opened.
const lazyLspClient = {
  name: 'lazy-lsp-client',
  setup(build) {
    build.onResolve({ filter: /^\.\/client$/ }, (args) =>
      args.importer.endsWith(`lsp${path.sep}boardLanguage.ts`) ? { path: 'lspClient', namespace: 'lazy-lsp-client' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-lsp-client' }, () => ({
      contents: "module.exports = require(require('node:path').join(__dirname, 'lspClient.js'));",
      loader: 'js',
    }));
  },
};
const extensionBuild = {
  ...common,
  entryPoints: { extension: 'extension/main.ts', lspClient: 'extension/lsp/client.ts' },
  outdir: 'dist',
  external: [...common.external, 'vscode'],
  plugins: [lazyLspClient],
};
// `--extension-only`: just dist/extension.js, over an existing build (scripts/test-vscode.sh
// after an edit of extension/; the daemon bundle it starts is left as it is).
if (process.argv.includes('--extension-only')) {
  await esbuild.build(extensionBuild);
  process.exit(0);
}

// Built into a fresh folder beside dist/ and swapped in only when everything built: no stale bundle
// from an older layout is left behind, and a failed build leaves the last good dist/ in place
// (tests and daemons of other work running from it keep their files).
const out = mkdtempSync('dist.build-');
try {
  // allSettled: a failed build must not leave the others still writing into the folder removed below.
  const builds = await Promise.allSettled([
    esbuild.build({
      ...common,
      entryPoints: { server: 'server/main.ts' },
      outdir: out,
      plugins: [lazy],
      define: { ...common.define, GENAI_PRICES_VERSION: JSON.stringify(genaiPricesVersion) },
    }),
    esbuild.build({ ...common, entryPoints: lazyModules, outdir: out }),
    esbuild.build({
      ...common,
      entryPoints: { 'cli-main': 'cli/main.ts' },
      outdir: out,
      plugins: [lazyLsp],
    }),
    esbuild.build({ ...extensionBuild, outdir: out }),
    // The web app (webview/): one page in a browser (`corral web`) and in VS Code webviews. ES
    // modules split per page, so a page loads only its own code; the stylesheet beside it.
    esbuild.build({
      // kanbanEditor: the VS Code board editor's page (extension/kanban), the kanban alone.
      entryPoints: ['webview/app.ts', 'webview/app.css', 'webview/kanban/kanbanEditor.ts'],
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      outdir: `${out}/web`,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: 'linked',
      logLevel: 'warning',
    }),
  ]);
  const failed = builds.find((build) => build.status === 'rejected');
  if (failed) throw failed.reason;
  copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), `${out}/sql-wasm.wasm`);
  // The executable is a small launcher that runs cli-main.js with V8's code cache (cli/launcher.cjs).
  copyFileSync('cli/launcher.cjs', `${out}/cli.js`);
  chmodSync(`${out}/cli.js`, 0o755);
  // Prime the cache with a command that loads the parser and the client (no daemon is started).
  rmSync(`${out}/cli-main.cache`, { force: true });
  const primeHome = mkdtempSync(path.join(tmpdir(), 'corral-prime-'));
  try {
    execFileSync(process.execPath, [`${out}/cli.js`, 'daemon', 'status'], { env: { ...process.env, CORRAL_HOME: primeHome }, stdio: 'ignore' });
  } catch {
    // `daemon status` exits 3 when nothing runs, as expected here.
  } finally {
    rmSync(primeHome, { recursive: true, force: true });
  }
} catch (error) {
  rmSync(out, { recursive: true, force: true });
  throw error;
}
const old = existsSync('dist') ? renameToAside('dist') : undefined;
renameSync(out, 'dist');
if (old) rmSync(old, { recursive: true, force: true });

function renameToAside(dir) {
  const aside = `${dir}.old-${process.pid}`;
  renameSync(dir, aside);
  return aside;
}
