import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

/** Every `*.jsonl` under `root`, sorted, so rows come in a stable order. */
export function jsonlFiles(root: string): string[] {
  const stat = fs.statSync(root, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return root.endsWith('.jsonl') ? [root] : [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The lines of a file, numbered from 1, each parsed as JSON (lines that are not JSON objects are skipped). */
export async function* jsonLines(file: string): AsyncGenerator<{ line: number; value: Record<string, unknown> }> {
  const reader = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of reader) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue; // a line being written as we read, or not JSON: not a usage record
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) yield { line, value: value as Record<string, unknown> };
  }
}
