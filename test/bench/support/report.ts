import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../../support/home';

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** What the same run measured for the floor this is compared with. */
  floor?: { name: string; value: number };
  /** The target, as text ("≤ 1 ms"), and whether this run met it. */
  target?: { text: string; met: boolean };
}

/** Times (ms) of `count` sequential calls of `fn`. */
export async function timeCalls(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

const round = (n: number): number => (Math.abs(n) >= 100 ? Math.round(n) : Number(n.toPrecision(3)));

/** Prints the table and writes bench-results/<name>.json. Never asserts a time. */
export function report(name: string, rows: BenchRow[]): void {
  const lines = [
    ['metric', 'value', 'floor (same run)', 'ratio', 'target'],
    ...rows.map((r) => [
      r.metric,
      `${round(r.value)} ${r.unit}`,
      r.floor ? `${r.floor.name}: ${round(r.floor.value)} ${r.unit}` : '',
      r.floor ? `${round(r.value / r.floor.value)}×` : '',
      r.target ? `${r.target.text} ${r.target.met ? 'met' : 'NOT met'}` : '',
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  console.log(`\n      ${name}`);
  for (const line of lines)
    console.log(
      '      ' +
        line
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
    );
  const dir = path.join(repoRoot, 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ name, at: new Date().toISOString(), node: process.version, rows }, null, 2));
}
