import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { repoRoot, requireBuild } from '../support/home';
import { report } from './support/report';

const WEB = path.join(repoRoot, 'dist', 'web');
const TARGET_BYTES = 150 * 1024;

/** The files a module pulls in by its static imports (esbuild's shared chunks), itself included. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = fs.readFileSync(path.join(WEB, file), 'utf8');
  for (const match of source.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) closure(match[1]!, seen);
  return seen;
}

const gzipped = (file: string): number => zlib.gzipSync(fs.readFileSync(path.join(WEB, file)), { level: 9 }).length;

describe('benchmark: web app bundle size', () => {
  it('measures what each page loads, gzipped (the entry, its stylesheet, the page chunk and their shared chunks)', () => {
    requireBuild();
    const entry = closure('app.js');
    // The terminal page loads xterm.js with import() when it opens: counted with it.
    const chunkOf = (prefix: string): string | undefined => fs.readdirSync(WEB).find((name) => name.startsWith(`${prefix}-`) && name.endsWith('.js'));
    const rows = ['sessions', 'board', 'usage', 'terminal'].map((page) => {
      const chunk = chunkOf(page);
      assert.ok(chunk, `dist/web has no chunk for the ${page} page`);
      const xterm = page === 'terminal' ? chunkOf('xterm') : undefined;
      if (page === 'terminal') assert.ok(xterm, 'dist/web has no xterm.js chunk');
      const files = new Set([...entry, ...closure(chunk), ...(xterm ? closure(xterm) : []), 'app.css']);
      const bytes = [...files].reduce((sum, file) => sum + gzipped(file), 0);
      return {
        metric: `${page} page, gzipped (${files.size} files)`,
        value: bytes / 1024,
        unit: 'KB',
        floor: { name: 'the entry alone', value: gzipped('app.js') / 1024 },
        target: { text: '≤ 150 KB', met: bytes <= TARGET_BYTES },
      };
    });
    // The VS Code board editor's page (extension/kanban): its own entry and the chunks it shares.
    const editor = new Set([...closure('kanbanEditor.js'), 'app.css']);
    const editorBytes = [...editor].reduce((sum, file) => sum + gzipped(file), 0);
    rows.push({
      metric: `board editor (VS Code kanban), gzipped (${editor.size} files)`,
      value: editorBytes / 1024,
      unit: 'KB',
      floor: { name: 'the entry alone', value: gzipped('kanbanEditor.js') / 1024 },
      target: { text: '≤ 150 KB', met: editorBytes <= TARGET_BYTES },
    });
    report('web-bundle', rows);
  });
});
