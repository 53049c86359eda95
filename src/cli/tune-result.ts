/**
 * What `tune --objective` says after a run: its result, the table of its
 * trials, and the exit status when none completed. Apart from the run
 * (./tune-objective), so the formatting is read and tested on its own.
 *
 * @example
 * ```ts
 * const r = await runTuneObjective({ objective: './train.mjs', budget: 20 });
 * console.log(formatTuneResult(r)); // a row per trial, then "best: trial 7, value ..."
 * checkSomeCompleted(r.trials);     // StateError when no trial completed
 * ```
 */
import { StateError } from '../errors';
import type { Direction, Trial } from '../optimizer';
import type { SpaceSpec } from '../space/types';
import { formatValue, plural } from '../report/format';
import { digitsApart, formatDigits } from '../util/format-value';
import { renderTable } from './table';
import type { StrategyName } from './types';
import { clipText, escapeUnsafe, terminalText } from '../util/terminal-text';

/** What a run of a user objective returns. */
export interface TuneObjectiveResult {
  strategy: StrategyName;
  direction: Direction;
  /** the space searched (typed form) */
  space: SpaceSpec;
  /** parameter names in space order */
  names: string[];
  /** every finished trial of the study (earlier runs' too, with a journal) */
  trials: Trial[];
  /** best completed trial, or null */
  best: Trial | null;
  /** the trial the strategy recommends (Bayesian search: the one its GP rates best) */
  recommended: { id: number; target: number; predicted: number | null } | null;
  wallMs: number;
  /** errors that escaped the objective during the run (said on the stream as they came; see withEscapedErrors) */
  escaped: number;
}

/** Rows of the table beyond which it shows the study's last trials and its best only. */
export const TABLE_ROWS = 40;

/**
 * The table printed after a run: one row per trial, then the best and the
 * recommended trial. A study of more than {@link TABLE_ROWS} trials (a
 * resumed journal of thousands printed thousands of lines) shows its last
 * TABLE_ROWS - 1 trials and its best, and says how many it left out.
 */
export function formatTuneResult(r: TuneObjectiveResult): string {
  // names, choices and reasons may come from other machines (a shared journal): escaped, so none splits a row or drives the terminal
  const head = ['trial', ...r.names.map(terminalText), 'value', 's'];
  const shown = r.trials.length <= TABLE_ROWS ? r.trials
    : r.trials.filter((t, i) => i >= r.trials.length - (TABLE_ROWS - 1) || t.id === r.best?.id);
  const rows = shown.map((t) => [
    String(t.id) + (r.best?.id === t.id ? ' *' : ''),
    ...r.names.map((n) => terminalText(formatValue(t.params[n]))),
    t.status === 'complete' && t.target !== null ? formatValue(t.target)
      : t.status === 'pruned' ? `pruned at step ${t.step} (${t.target === null ? '-' : formatValue(t.target)})`
        : `failed${t.error ? ` (${clipText(escapeUnsafe(t.error), 40)})` : ''}`,
    t.durationMs === undefined ? '-' : (t.durationMs / 1000).toFixed(2),
  ]);
  const lines = [renderTable(head, rows)];
  const hidden = r.trials.length - shown.length;
  if (hidden > 0) lines.push(`(${plural(hidden, 'earlier trial')} not shown; \`report\` lists every trial)`);
  const failed = r.trials.filter((t) => t.status === 'failed').length;
  const pruned = r.trials.filter((t) => t.status === 'pruned').length;
  lines.push('', `${r.strategy} search, ${r.direction === 'minimize' ? 'minimizing' : 'maximizing'}: ${r.trials.length} trial(s)` +
    (failed ? `, ${failed} failed` : '') + (pruned ? `, ${pruned} pruned` : '') + ` in ${(r.wallMs / 1000).toFixed(1)} s`);
  // the recommended line (only when it names another trial than the best) sets its value beside the best's:
  // both, and the prediction, get the digits that tell the two values apart
  const rec = r.recommended && r.recommended.id !== r.best?.id ? r.recommended : null;
  const digits = rec && r.best ? digitsApart([r.best.target!, rec.target]) : 3;
  if (r.best) lines.push(`best: trial ${r.best.id}, value ${formatDigits(r.best.target!, digits)}, ${r.names.map((n) => `${terminalText(n)}=${terminalText(formatValue(r.best!.params[n]))}`).join(', ')}`);
  if (rec) {
    lines.push(`recommended (the model's pick on a noisy objective): trial ${rec.id}, value ${formatDigits(rec.target, digits)}` +
      (rec.predicted !== null ? `, predicted ${formatDigits(rec.predicted, digits)}` : ''));
  }
  return lines.join('\n');
}

/**
 * A run none of whose trials completed has no result: exit 1 (after the
 * table, journal and report are written), so a script or a CI job running
 * `tune` sees an objective that fails every time.
 * @throws StateError naming the count and the first failure's reason
 */
export function checkSomeCompleted(trials: readonly { status: string; error?: string }[]): void {
  if (trials.length === 0 || trials.some((t) => t.status === 'complete')) return;
  const failed = trials.filter((t) => t.status === 'failed');
  const pruned = trials.filter((t) => t.status === 'pruned').length;
  const first = failed.find((t) => t.error !== undefined)?.error;
  throw new StateError(`tune: no trial completed (${[failed.length ? `${failed.length} failed` : '', pruned ? `${pruned} pruned` : '']
    .filter(Boolean).join(', ')})${first !== undefined ? `; the first: ${clipText(escapeUnsafe(first), 500)}` : ''}`);
}
