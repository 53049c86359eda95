/** The `studies` command's output: one line per study in a storage. */
import type { StudySummary } from '../storage/list-studies';
import { formatValue } from '../util/format-value';

/** A study name as a cell: one with a control character (a tab, a newline) JSON-quoted, so it cannot split its row. */
const nameCell = (name: string): string => (/[\u0000-\u001f\u007f]/.test(name) ? JSON.stringify(name) : name);

export function formatStudies(storage: string, studies: readonly StudySummary[]): string {
  if (studies.length === 0) return `${storage}: no studies\n`;
  const rows = [['study', 'direction', 'trials', 'complete', 'pruned', 'failed', 'running', 'waiting', 'best']];
  for (const s of studies) {
    if (s.unsupported) rows.push([nameCell(s.name), `(${s.unsupported}: not supported)`, '-', '-', '-', '-', '-', '-', '-']);
    else rows.push([nameCell(s.name), s.direction ?? '-', String(s.trials), String(s.complete), String(s.pruned), String(s.failed), String(s.pending), String(s.waiting), s.best === null ? '-' : formatValue(s.best)]);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  ').trimEnd()).join('\n') + '\n';
}
