import type { UsageReport } from '../../server/protocol';
import { count, h, money } from '../dom';

type Row = UsageReport['rows'][number];

interface Column {
  label: string;
  /** The row's value to sort by; text columns sort by name, numbers from the largest. */
  value(row: Row): string | number;
  cell(row: Row): string;
}

const COLUMNS: Column[] = [
  { label: 'Calls', value: (r) => r.calls, cell: (r) => count(r.calls) },
  { label: 'Input', value: (r) => r.inputTokens, cell: (r) => count(r.inputTokens) },
  { label: 'Output', value: (r) => r.outputTokens, cell: (r) => count(r.outputTokens) },
  { label: 'Cached', value: (r) => r.cacheReadTokens, cell: (r) => count(r.cacheReadTokens) },
  { label: 'Cost', value: (r) => r.costUsd, cell: (r) => (r.unpricedCalls > 0 ? `${money(r.costUsd)} + ${r.unpricedCalls} unpriced` : money(r.costUsd)) },
];

export interface SortState {
  /** -1: the key column; else an index into the number columns. */
  column: number;
  descending: boolean;
}

/**
 * A breakdown as a table whose headers sort it: a button in each header (keyboard and screen
 * readers reach it), `aria-sort` on the sorted one. The sort is UI state: kept by the caller
 * across reloads so live updates do not undo the reader's choice.
 */
export function sortableTable(keyLabel: string, report: UsageReport, sort: SortState, onSort: (sort: SortState) => void): HTMLElement {
  if (report.rows.length === 0) return h('p', {}, 'Nothing in the ledger for this period.');
  const keyOf = (row: Row): string => row.key || '(none)';
  const valueOf = (row: Row): string | number => (sort.column < 0 ? keyOf(row) : COLUMNS[sort.column]!.value(row));
  const rows = [...report.rows].sort((a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sort.descending ? -order : order;
  });
  const header = (label: string, column: number, numeric: boolean): HTMLElement => {
    const sorted = sort.column === column;
    const next: SortState = { column, descending: sorted ? !sort.descending : numeric };
    const button = h('button', { type: 'button', class: 'sort', 'data-sort': label.toLowerCase() }, label, sorted ? (sort.descending ? ' ▼' : ' ▲') : '');
    button.addEventListener('click', () => onSort(next));
    return h('th', { scope: 'col', class: numeric ? 'num' : undefined, 'aria-sort': sorted ? (sort.descending ? 'descending' : 'ascending') : undefined }, button);
  };
  return h(
    'table',
    { class: 'grid sortable' },
    h('thead', {}, h('tr', {}, header(keyLabel, -1, false), ...COLUMNS.map((c, i) => header(c.label, i, true)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, h('th', { scope: 'row' }, keyOf(row)), ...COLUMNS.map((c) => h('td', { class: 'num' }, c.cell(row)))))),
  );
}
