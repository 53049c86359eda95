/** The text printed on stdout after a run: header, one table per seed, the summary over seeds, the goal check. */
import stringWidth from 'string-width';
import { budgetText, formatParams, formatPruneCheck, initialPointsText, plural } from '../report/format';
import { bestWithinEpochs, formatEpochs, randomBestShared, totalEpochs } from './summary';
import type { CompareRecord, RetrainRecord, RunRecord, StrategySummary } from './types';

function metricLabel(r: CompareRecord): string {
  return r.metric === 'rmse' ? 'RMSE' : 'accuracy';
}

/** A metric value as printed: RMSE with 3 decimals, accuracy as a percentage. */
export function fmtValue(v: number | null | undefined, metric: 'rmse' | 'accuracy'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return metric === 'rmse' ? v.toFixed(3) : `${(100 * v).toFixed(2)}%`;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/**
 * Rows as lines: the first column left-aligned, the others right-aligned,
 * two spaces apart, padded by the columns a cell takes on a terminal
 * (string-width: a CJK character takes two), not by its length.
 */
export function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => stringWidth(r[j]))));
  const pad = (c: string, w: number) => ' '.repeat(Math.max(0, w - stringWidth(c)));
  return rows.map((cells) => cells.map((c, j) => (j === 0 ? c + pad(c, widths[j]) : pad(c, widths[j]) + c)).join('  ').trimEnd());
}

/** A header, a rule of dashes and the rows, aligned by {@link alignRows}. */
export function renderTable(head: string[], rows: string[][]): string {
  const rule = head.map((_, j) => '-'.repeat(Math.max(...[head, ...rows].map((r) => stringWidth(r[j])))));
  return alignRows([head, rule, ...rows]).join('\n');
}

/** "retrained 6 ep" or "mean ± s.e. of 3 retrainings, 6 ep". */
export function retrainLabel(o: { retrainEpochs: number; retrainRepeats: number }): string {
  return o.retrainRepeats > 1
    ? `mean ± s.e. of ${o.retrainRepeats} retrainings, ${o.retrainEpochs} ep`
    : `retrained ${o.retrainEpochs} ep`;
}

/** The per-seed table. */
export function runTable(r: CompareRecord, run: RunRecord): string {
  const m = metricLabel(r);
  const hasRandom = run.randomBest !== null;
  // epochs trained: the time in a unit the machine's load does not change (records before it lack them)
  const epochs = run.strategies.every((s) => totalEpochs(s) !== null);
  const head = ['strategy', 'evals', 'wall s', ...(epochs ? ['epochs'] : []), `best val ${m}`];
  if (hasRandom) head.push("evals to random's best", "s to random's best", ...(epochs ? ["epochs to random's best"] : []));
  if (r.options.retrainEpochs > 0) head.push(`test ${m} (${retrainLabel(r.options)})`);
  const rows = run.strategies.map((s) => {
    const row = [
      s.strategy,
      evalsCell(s),
      secs(s.wallMs),
      ...(epochs ? [formatEpochs(totalEpochs(s) as number)] : []),
      fmtValue(s.best?.value, r.metric),
    ];
    if (hasRandom) {
      row.push(s.reachRandomBest ? String(s.reachRandomBest.evaluations) : 'never');
      row.push(s.reachRandomBest ? secs(s.reachRandomBest.ms) : '-');
      if (epochs) row.push(s.reachRandomBest?.epochs !== undefined ? formatEpochs(s.reachRandomBest.epochs) : '-');
    }
    if (r.options.retrainEpochs > 0) row.push(fmtTest(s.retrain, r.metric));
    return row;
  });
  return renderTable(head, rows);
}

/** "20", "20 (1 failed)", "20 (12 pruned)". */
function evalsCell(s: { evaluations: number; failed: number; pruned?: number }): string {
  const notes = [s.failed > 0 ? `${s.failed} failed` : '', s.pruned ? `${s.pruned} pruned` : ''].filter((x) => x !== '');
  return notes.length ? `${s.evaluations} (${notes.join(', ')})` : String(s.evaluations);
}

/** "2.507" or, over several retrainings, "2.507 ± 0.019" (standard error). */
export function fmtTest(t: RetrainRecord | null | undefined, metric: 'rmse' | 'accuracy'): string {
  const v = fmtValue(t?.testMetric, metric);
  if (t?.testSe === null || t?.testSe === undefined) return v;
  return `${v} ± ${fmtValue(t.testSe, metric)}`;
}

/** Means over seeds. */
export function summaryTable(r: CompareRecord, summary: readonly StrategySummary[]): string {
  const m = metricLabel(r);
  const n = r.runs.length;
  const hasRandom = r.runs.every((x) => x.randomBest !== null);
  const head = ['strategy', 'mean evals', 'mean wall s', `mean best val ${m}`];
  if (hasRandom) head.push(`reached random's best`, 'mean evals to reach', 'mean s to reach');
  if (r.options.retrainEpochs > 0) head.push(`mean test ${m}`);
  const rows = summary.map((s) => {
    const row = [s.strategy, s.meanEvaluations.toFixed(1), secs(s.meanWallMs), fmtValue(s.meanBest, r.metric)];
    if (hasRandom) {
      row.push(`${s.reached}/${n}`);
      row.push(s.meanReachEvaluations === null ? '-' : s.meanReachEvaluations.toFixed(1));
      row.push(s.meanReachMs === null || s.meanReachMs === undefined ? '-' : secs(s.meanReachMs));
    }
    if (r.options.retrainEpochs > 0) row.push(fmtValue(s.meanTest, r.metric));
    return row;
  });
  return renderTable(head, rows);
}

/** "skipped 500 of 592 rows read (malformed 3, missing 497)". */
export function describeSkipped(rowsRead: number, skipped: Record<string, number>): string {
  const total = Object.values(skipped).reduce((a, b) => a + b, 0);
  const parts = Object.entries(skipped).map(([k, n]) => `${k} ${n}`);
  return `skipped ${total} of ${rowsRead} rows read${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The full stdout text of a run. */
export function formatRecord(r: CompareRecord): string {
  const o = r.options;
  const out: string[] = [];
  const first = r.runs[0];
  const d = first?.data;
  out.push(`study: ${r.study} (${r.direction} validation ${metricLabel(r)})` +
    (d ? `; data: ${shortPath(d.source)}, ${d.train} train / ${d.val} val / ${d.test} test` : '') +
    (d?.skipped && d.rowsRead !== undefined ? `; ${describeSkipped(d.rowsRead, d.skipped)}` : ''));
  if (d?.classCounts) {
    const c = d.classCounts;
    out.push(`per class (0-${c.train.length - 1}): train ${c.train.join(' ')}; val ${c.val.join(' ')}; test ${c.test.join(' ')}` +
      (r.runs.length > 1 ? ` (seed ${first.seed})` : ''));
  }
  out.push(`budget: ${budgetText(o)} (${initialPointsText(o.init, o.strategies)}), ` +
    `${plural(o.epochs, 'epoch')} each, batch ${o.batchSize}` +
    (o.lrSchedule && o.lrSchedule !== 'constant' ? `, ${o.lrSchedule} rate` : '') +
    (o.retrainEpochs > 0
      ? `; recommended configuration retrained ${plural(o.retrainEpochs, 'epoch')} on train + val` +
        (d?.retrainTrain !== undefined ? ` (${d.retrainTrain} + ${d.val} images)` : '') +
        (o.retrainBatchSize ? ` at batch ${o.retrainBatchSize}` : '') +
        (o.retrainSchedule && o.retrainSchedule !== 'constant' ? `, ${o.retrainSchedule} rate` : '') +
        (o.retrainShift ? `, images shifted up to ${o.retrainShift} px` : '') +
        (o.retrainRepeats > 1 ? ` from ${o.retrainRepeats} weight seeds` : '') + ', scored on test'
      : ''));
  if (o.pruner && o.pruner !== 'none') {
    // digits' pruned rows report every quarter epoch, so their grace counts quarter epochs
    const perEpoch = r.runs.flatMap((run) => run.strategies).find((s) => s.strategy.includes('+'))?.reportsPerEpoch ?? 1;
    const every = perEpoch === 1 ? 'every epoch' : perEpoch === 4 ? 'every quarter epoch' : `${perEpoch} times an epoch`;
    const g = o.grace ?? 1;
    // the rows that ran with it (grid search never does)
    const rows = o.strategies.filter((name) => name !== 'grid').map((name) => `${name}+${o.pruner}`);
    out.push(`pruner: ${o.pruner} on the row${rows.length === 1 ? '' : 's'} ${rows.join(' and ')} (validation metric reported ${every}; ` +
      `grace ${g} report${g === 1 ? '' : 's'}, ${fmtEpochs(g / perEpoch)})` +
      (o.prunedTrials ? `; Bayesian search reads pruned trials as '${o.prunedTrials}'` : ''));
  }
  out.push(`device: ${r.environment.summary}`);
  for (const run of r.runs) {
    out.push('');
    out.push(`seed ${run.seed} (${secs(run.wallMs)} s)` +
      (run.randomBest !== null ? `: random search's best val ${metricLabel(r)} ${fmtValue(run.randomBest, r.metric)}` : ''));
    out.push(runTable(r, run));
    const random = run.strategies.find((s) => s.strategy === 'random');
    if (run.randomBestShared ?? randomBestShared(random)) {
      out.push(`  random search's best was shared initial point ${random?.best?.index}, which random and Bayesian search ` +
        'evaluate first: reaching it says nothing about the search');
    }
    for (const p of run.strategies) {
      // a pruned row against its plain twin at the same compute: the twin's best within the epochs the pruned row trained
      const plain = p.strategy.includes('+') ? run.strategies.find((x) => x.strategy === p.strategy.split('+')[0]) : undefined;
      const spent = totalEpochs(p);
      if (!plain || spent === null) continue;
      const twin = bestWithinEpochs(plain, spent, r.direction);
      if (twin === null) continue;
      out.push(`  ${plain.strategy} within the ${formatEpochs(spent)} epochs ${p.strategy} trained: best val ${metricLabel(r)} ${fmtValue(twin, r.metric)}` +
        ` (${p.strategy}: ${fmtValue(p.best?.value, r.metric)})`);
    }
    for (const s of run.strategies) {
      if (s.best) out.push(`  ${s.strategy} best: ${formatParams(s.best.params)} (evaluation ${s.best.index})`);
      const rec = s.recommended;
      if (rec && s.best && rec.index !== s.best.index) {
        out.push(`  ${s.strategy} ${s.retrain ? 'retrained' : 'recommends'} its model's pick: ${formatParams(rec.params)} (evaluation ${rec.index}, ` +
          `val ${fmtValue(rec.value, r.metric)}, posterior mean ${fmtValue(rec.predicted, r.metric)})`);
      }
    }
  }
  if (r.runs.length > 1) {
    out.push('');
    out.push(`over ${r.runs.length} seeds (${r.runs.map((x) => x.seed).join(', ')}):`);
    out.push(summaryTable(r, r.summary));
  }
  if (r.goal !== null) {
    const g = r.goal;
    out.push('');
    const test = g.bayesBestTest === null
      ? 'test metric not measured (retraining off)'
      : `bayes had the best test ${metricLabel(r)} on ${g.bayesBestTest}/${g.seeds} seed(s)`;
    const shared = g.sharedBest ?? 0;
    const reach = shared > 0
      ? `random's best was a shared initial point on ${shared}/${g.seeds} seed(s) (not counted); on the other ${g.seeds - shared}, ` +
        `bayes reached it within half the budget on ${g.bayesHalfBudget}`
      : `bayes reached random's best within half the budget on ${g.bayesHalfBudget}/${g.seeds} seed(s)`;
    out.push(`bayes vs random: ${reach}; ${test}${g.met ? ' (ahead on both counts on every seed)' : ''}`);
  }
  if (r.pruneGoal) {
    out.push('');
    out.push(formatPruneCheck(r.pruneGoal, metricLabel(r)));
  }
  out.push('');
  out.push(`total ${secs(r.wallMs)} s`);
  return out.join('\n');
}

/** A path under the working directory, shown relative to it. */
function shortPath(p: string): string {
  const cwd = typeof process !== 'undefined' ? process.cwd() + '/' : '';
  return cwd && p.startsWith(cwd) ? p.slice(cwd.length) : p;
}

/** Epochs for the header, e.g. "2 epochs", "0.25 epoch". */
function fmtEpochs(e: number): string {
  return `${formatEpochs(e)} epoch${e === 1 || e < 1 ? '' : 's'}`;
}
