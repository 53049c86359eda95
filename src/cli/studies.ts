/** The `studies` command's output: one line per study in a storage. */
import type { StudySummary } from '../storage/list-studies';
import { formatValue } from '../util/format-value';
import { terminalText } from '../util/terminal-text';
import { alignRows } from './table';

/** A study name as a cell: one with a control or formatting character (a newline, ESC, U+009B, U+202E) quoted and escaped, so it can neither split its row nor drive the terminal. */
const nameCell = terminalText;

export function formatStudies(storage: string, studies: readonly StudySummary[]): string {
  if (studies.length === 0) return `${storage}: no studies\n`;
  const rows = [['study', 'direction', 'trials', 'complete', 'pruned', 'failed', 'running', 'waiting', 'best']];
  for (const s of studies) {
    if (s.unsupported) rows.push([nameCell(s.name), `(${s.unsupported}: not supported)`, '-', '-', '-', '-', '-', '-', '-']);
    else rows.push([nameCell(s.name), s.direction ?? '-', String(s.trials), String(s.complete), String(s.pruned), String(s.failed), String(s.pending), String(s.waiting), s.best === null ? '-' : formatValue(s.best)]);
  }
  const table = alignRows(rows).join('\n') + '\n';
  // counted as Optuna counts them, and said apart: no worker of this library will take them
  const notes = studies.filter((s) => s.waitingOutside?.length).map((s) => {
    const ids = s.waitingOutside as number[];
    const [which, them] = ids.length === 1 ? [`waiting trial ${ids[0]} is`, 'it'] : [`waiting trials ${ids.join(', ')} are`, 'them'];
    return `${nameCell(s.name)}: ${which} outside the study's space: Optuna's workers may take ${them}, this library's leave ${them} waiting\n`;
  });
  return table + notes.join('');
}
