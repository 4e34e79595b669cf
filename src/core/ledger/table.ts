/**
 * Markdown (GFM) tables with Commit and Status columns, in any order, with any other columns:
 *
 *   | Date | Commit | Status | Accuracy |
 *   |------|--------|--------|---------:|
 *   | 2024-12-20 | `611b29b` | ✅ Passed | 0.91 |
 */
import { columnKey, metricName, type FieldKey } from './fields.js';

export function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '\\' && t[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '|') {
      cells.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  cells.push(cur.trim());
  return cells;
}

/** `|---|:--:|` (at least one pipe, so a thematic break `---` is not a table). */
export function isDelimiterRow(line: string): boolean {
  if (!line.includes('|')) return false;
  const cells = splitRow(line);
  return cells.length > 0 && cells.every((c) => /^:?-+:?$/.test(c));
}

export interface TableColumns {
  /** For each column: the ledger field it holds, or a metric name when it is another column. */
  columns: ({ key: FieldKey } | { metric: string })[];
  hasCommit: boolean;
  hasStatus: boolean;
}

export function tableColumns(headerLine: string): TableColumns {
  const columns = splitRow(headerLine).map((name) => {
    const key = columnKey(name);
    return key ? { key } : { metric: metricName(name) };
  });
  return {
    columns,
    hasCommit: columns.some((c) => 'key' in c && c.key === 'commit'),
    hasStatus: columns.some((c) => 'key' in c && c.key === 'status'),
  };
}
