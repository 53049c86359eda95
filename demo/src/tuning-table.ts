/**
 * The tuning panel's table of trials and its winning configuration, in each
 * study's own terms: which parameters make the columns, the metric's label
 * and format (RMSE in dollars, accuracy in percent), the digits' dense width
 * in units. Apart from ./tuning-panel, which runs the study and draws the
 * charts, because this is the per-study presentation of the rows.
 */
import { formatMs, formatValue } from './format';
import { STRATEGY_LABELS, type Strategy } from './strategies';
import type { DemoStudy, TrialRecord, TuningResult } from './tuning';

/** What the panel shows per study: parameter columns, the metric's label and its formatting. */
export const VIEW: Record<DemoStudy, { params: [string, string][]; metric: string; chart: string; curves: string; fmt: (v: number) => string }> = {
  taxi: {
    params: [['learning_rate', 'learning rate'], ['l2', 'L2 penalty']],
    metric: 'val. RMSE ($)',
    chart: 'best validation RMSE so far ($)',
    curves: 'validation RMSE after each epoch ($)',
    fmt: (v) => `$${v.toFixed(3)}`,
  },
  digits: {
    // the dense width is tuned as a multiple of 128 (dense_units_x128 in 1..3); the table shows the width
    params: [['dropout', 'dropout'], ['dense_units_x128', 'dense width'], ['learning_rate', 'learning rate']],
    metric: 'val. accuracy',
    chart: 'best validation accuracy so far',
    curves: 'validation accuracy after each epoch',
    fmt: (v) => `${(100 * v).toFixed(2)}%`,
  },
};

/** The digits study's DENSE_UNIT_STEP (not imported: that module pulls TensorFlow.js into the page's first chunk). */
const DENSE_UNIT_STEP = 128;

/** A parameter's value as the panel shows it (the digits' dense width in units, not its multiplier). */
function shown(name: string, params: Record<string, unknown>): string {
  const v = params[name] as number;
  return formatValue(name === 'dense_units_x128' ? v * DENSE_UNIT_STEP : v);
}

/** The table's header row for `study`. */
export function headerRow(study: DemoStudy): HTMLTableRowElement {
  const view = VIEW[study];
  const head = ['trial', 'source', ...view.params.map(([, label]) => label), view.metric, 'training', 'suggestion'];
  const tr = document.createElement('tr');
  for (const h of head) {
    const th = document.createElement('th');
    th.textContent = h;
    tr.appendChild(th);
  }
  return tr;
}

/** A finished trial's row (marked when it was pruned). */
export function trialRow(t: TrialRecord, study: DemoStudy): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.strategy = t.strategy;
  if (t.pruned) tr.classList.add('pruned');
  const view = VIEW[study];
  const cells = [
    `${t.strategy === 'bayes' ? 'BO' : t.strategy} #${t.index}`,
    t.source,
    ...view.params.map(([name]) => shown(name, t.params)),
    (Number.isFinite(t.value) ? view.fmt(t.value).replace('$', '') : 'failed')
      + (t.pruned ? ` (pruned at epoch ${Number(t.epochsRun.toFixed(2))})` : ''),
    formatMs(t.trainMs),
    t.suggestMs !== undefined && t.source === 'suggest' ? `${formatMs(t.suggestMs)} (${t.engine ?? '?'})` : '–',
  ];
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.appendChild(td);
  }
  return tr;
}

/** Shows the run's winning configuration and each strategy's best in `el`. */
export function showWinner(el: HTMLElement, r: TuningResult, study: DemoStudy): void {
  const w = r.winner;
  if (!w) {
    el.textContent = 'Every trial failed or was pruned.';
    return;
  }
  const view = VIEW[study];
  // in the metric's own format, as the winner's line ($ 2.345, 97.50%)
  const bests = (Object.keys(r.trials) as Strategy[])
    .filter((s) => r.trials[s].length > 0)
    .map((s) => {
      const b = r.trials[s][r.trials[s].length - 1].bestSoFar;
      return `${STRATEGY_LABELS[s]}: ${Number.isFinite(b) ? view.fmt(b) : '–'}`;
    });
  const rows = view.params.map(([name, label]) => `<dt>${label}</dt><dd>${shown(name, w.params)}</dd>`).join('');
  el.innerHTML = `
      <div class="winner-title">Winning configuration <span class="tag">${STRATEGY_LABELS[w.strategy]}, trial ${w.index}</span></div>
      <dl>
        ${rows}
        <dt>${study === 'taxi' ? 'validation RMSE' : 'validation accuracy'}</dt><dd>${view.fmt(w.value)}</dd>
      </dl>
      <div class="muted">best per strategy: ${bests.join(' · ')}</div>`;
}
