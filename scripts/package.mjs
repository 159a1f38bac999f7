// `npm run package`: the extension as dist/corral-<version>.vsix (@vscode/vsce), from a fresh
// build unless `--no-build`. The package holds only what .vscodeignore lets through; this script
// lists it, refuses one that carries sources, tests, maps or node_modules, or is over 5 MB, and
// prints its size. `--json` prints {file, bytes, files[]} for the tests.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const LIMIT_BYTES = 5 * 1024 * 1024;
const args = process.argv.slice(2);
const json = args.includes('--json');
const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = path.join('dist', `${name}-${version}.vsix`);
const say = (line) => process.stderr.write(`package: ${line}\n`);

if (!args.includes('--no-build')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const vsce = path.join('node_modules', '.bin', 'vsce');
// --no-dependencies: everything is bundled, node_modules stays out. The extension's own README
// (extension/README.md) is the package's; its pictures ship inside, so links stay relative.
const common = ['--no-dependencies', '--readme-path', 'extension/README.md'];
const files = execFileSync(vsce, ['ls', ...common], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const forbidden = files.filter(
  (file) =>
    /\.(ts|map|cache|vsix)$/.test(file) ||
    /^(node_modules|test|server|cli|webview|scripts)\//.test(file) ||
    /^extension\/(?!media\/|walkthrough\/[\w-]+\.md$|README\.md$)/.test(file),
);
if (forbidden.length > 0) {
  say(`refused: the package would carry ${forbidden.length} file(s) it must not, e.g. ${forbidden[0]} — fix .vscodeignore`);
  process.exit(1);
}
execFileSync(vsce, ['package', ...common, '--no-rewrite-relative-links', '--allow-missing-repository', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
const bytes = statSync(out).size;
if (bytes > LIMIT_BYTES) {
  say(`refused: ${out} is ${(bytes / 1048576).toFixed(2)} MB, over the 5 MB limit — see which bundle grew (unzip -l ${out})`);
  process.exit(1);
}
if (json) process.stdout.write(`${JSON.stringify({ file: out, bytes, files })}\n`);
else say(`${out}: ${(bytes / 1048576).toFixed(2)} MB, ${files.length} files`);
