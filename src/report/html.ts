/**
 * A self-contained HTML report of a `compare` / `tune` record: best-so-far
 * curves (per evaluation and per second of wall time), the results tables
 * and the winning configurations. Chart.js's UMD build, the data and a small
 * script are inlined, so the file opens offline and loads nothing.
 */
import type { CompareRecord, RunRecord, StrategyLabel, StrategyName } from './types';
import { budgetText, formatParams, formatPruneCheck, initialPointsText, plural } from './format';
import { checkCompareRecord, checkPath } from './arg-checks';
import { PAGE_SCRIPT, STYLE } from './compare-page';
import { chartJsSource, displayPath, loadChartJs, writeTextFile } from './host';
import { InvalidOptionError } from '../errors';
import { errorText } from '../util/error-text';
import { showBrief } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import { clipText } from '../util/terminal-text';

export { chartJsSource, displayPath };

/** Characters of a page's title shown (the whole on hover). */
const TITLE_CHARS = 200;

/**
 * `text` cut to `max` characters, escaped, after its element's other attributes: with a title
 * holding the whole where cut (`<td${clipped(v, 80)}</td>`).
 */
export function clipped(text: string, max: number): string {
  const shown = clipText(text, max);
  return `${shown !== text ? ` title="${escapeHtml(text)}"` : ''}>${escapeHtml(shown)}`;
}

/** The opening of a report page, up to and including its title and meta line. */
export function pageStart(title: string, style: string, meta: string): string {
  // a title of a study's name (the CLI's "Study <source>") cut and isolated, as the names in the text are
  const shown = clipText(title, TITLE_CHARS);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shown)}</title>
<style>${style}</style>
</head>
<body>
<h1><bdi${clipped(title, TITLE_CHARS)}</bdi></h1>
<p class="meta">${meta}</p>`;
}

/** Line colours per strategy (colour-blind safe: grey, orange, blue). */
export const STRATEGY_COLORS: Record<StrategyName, string> = { grid: '#7f7f7f', random: '#e69f00', bayes: '#0072b2' };

/** A row's color: its strategy's (with a pruner, e.g. 'bayes+asha', the same as 'bayes'). */
function colorOf(label: StrategyLabel): string {
  return STRATEGY_COLORS[label.split('+')[0] as StrategyName];
}

/**
 * Escapes text for HTML element content and attribute values.
 * @throws InvalidOptionError naming `text` when it is not a string (undefined was a TypeError)
 */
export function escapeHtml(text: string): string {
  if (typeof text !== 'string') throw new InvalidOptionError(`escapeHtml: text: expected a string, got ${showBrief(text)}`, 'text');
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * JSON safe inside a <script> element: no `</script>`, no `<!--`, no line separators.
 * @throws InvalidOptionError naming `value` when JSON cannot write it (undefined, a function: a TypeError reading
 *   replace; a bigint or a cycle: JSON.stringify's TypeError)
 */
export function scriptJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new InvalidOptionError(`scriptJson: value: JSON cannot write it (${errorText(e)})`, 'value');
  }
  if (json === undefined) throw new InvalidOptionError(`scriptJson: value: JSON cannot write ${showBrief(value)}`, 'value');
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline script text with any `</script` neutralized (it cannot end the element early). */
export function inlineScript(code: string): string {
  // a source map comment points at a file the self-contained page does not ship (a DevTools warning)
  return code.replace(/<\/script/gi, '<\\/script').replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n');
}

function fmt(v: number | null | undefined, metric: 'rmse' | 'accuracy'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '&ndash;';
  return metric === 'rmse' ? v.toFixed(3) : `${(100 * v).toFixed(2)}%`;
}

const secs = (ms: number) => (ms / 1000).toFixed(1);

/**
 * A record's field as HTML text. The record is a parsed --json file: its
 * numbers and names are what the file says, so every one is escaped.
 */
const text = (v: unknown): string => escapeHtml(String(v));

function runTableHtml(r: CompareRecord, run: RunRecord): string {
  const m = r.metric === 'rmse' ? 'RMSE' : 'accuracy';
  const retrain = r.options.retrainEpochs > 0;
  const hasRandom = run.randomBest !== null;
  const head = ['strategy', 'evaluations', 'wall time (s)', `best val ${m}`, 'found at evaluation'];
  if (hasRandom) head.push("evaluations to random's best", "seconds to random's best");
  if (retrain) {
    const { retrainEpochs: e, retrainRepeats: k } = r.options;
    head.push(k > 1 ? `test ${m} (mean ± standard error of ${k} retrainings, ${e} epochs)` : `test ${m} (retrained ${e} epochs)`);
  }
  const rows = run.strategies.map((s) => {
    const cells = [
      `<th scope="row"><span class="swatch" style="background:${colorOf(s.strategy)}"></span>${escapeHtml(s.strategy)}</th>`,
      `<td>${text(s.evaluations)}${s.failed ? ` (${text(s.failed)} failed)` : ''}${s.pruned ? ` (${text(s.pruned)} pruned)` : ''}</td>`,
      `<td>${secs(s.wallMs)}</td>`,
      `<td>${fmt(s.best?.value, r.metric)}</td>`,
      `<td>${s.best ? text(s.best.index) : '&ndash;'}</td>`,
    ];
    if (hasRandom) {
      cells.push(`<td>${s.reachRandomBest ? text(s.reachRandomBest.evaluations) : 'never'}</td>`);
      cells.push(`<td>${s.reachRandomBest ? secs(s.reachRandomBest.ms) : '&ndash;'}</td>`);
    }
    if (retrain) {
      const se = s.retrain?.testSe;
      cells.push(`<td>${fmt(s.retrain?.testMetric, r.metric)}${se !== null && se !== undefined ? ` &plusmn; ${fmt(se, r.metric)}` : ''}</td>`);
    }
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`;
}

function summaryHtml(r: CompareRecord): string {
  if (r.runs.length < 2) return '';
  const m = r.metric === 'rmse' ? 'RMSE' : 'accuracy';
  const n = r.runs.length;
  // the columns of the printed summary: random search's best to reach only where random search ran on every
  // seed, a test metric only where there was a retraining
  const hasRandom = r.runs.every((x) => x.randomBest !== null);
  const tested = r.options.retrainEpochs > 0;
  const dash = '&ndash;';
  const rows = r.summary.map((s) => `<tr><th scope="row"><span class="swatch" style="background:${colorOf(s.strategy)}"></span>${text(s.strategy)}</th>` +
    `<td>${s.meanEvaluations.toFixed(1)}</td><td>${secs(s.meanWallMs)}</td><td>${fmt(s.meanBest, r.metric)}</td>` +
    (hasRandom ? `<td>${text(s.reached)}/${n}</td><td>${s.meanReachEvaluations === null ? dash : s.meanReachEvaluations.toFixed(1)}</td>` +
      `<td>${s.meanReachMs === null || s.meanReachMs === undefined ? dash : secs(s.meanReachMs)}</td>` : '') +
    (tested ? `<td>${fmt(s.meanTest, r.metric)}</td>` : '') + '</tr>');
  return `<h2>Over ${n} seeds (${text(r.runs.map((x) => x.seed).join(', '))})</h2>` +
    `<table><thead><tr><th scope="col">strategy</th><th scope="col">mean evaluations</th><th scope="col">mean wall time (s)</th>` +
    `<th scope="col">mean best val ${m}</th>` +
    (hasRandom ? `<th scope="col">reached random's best</th><th scope="col">mean evaluations to reach it</th><th scope="col">mean s to reach it</th>` : '') +
    (tested ? `<th scope="col">mean test ${m}</th>` : '') + `</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** How Bayesian search did against random search, as facts (no pass/fail verdict: that was a benchmark's internal goal). */
function goalHtml(r: CompareRecord): string {
  const g = r.goal;
  if (g === null) return '';
  const m = r.metric === 'rmse' ? 'RMSE' : 'accuracy';
  const test = g.bayesBestTest === null
    ? 'the test metric was not measured (retraining off)'
    : `had the best test ${m} on ${text(g.bayesBestTest)} of ${text(g.seeds)}`;
  const shared = g.sharedBest ?? 0;
  const reach = shared > 0
    ? `Random search's best was a shared initial point on ${text(shared)} of ${text(g.seeds)} seed(s), where reaching it says nothing of the search (not counted); ` +
      `on the other ${text(g.seeds - shared)}, Bayesian search reached it within half the budget on ${text(g.bayesHalfBudget)}`
    : `Bayesian search reached random search's best validation ${m} within half the budget on ${text(g.bayesHalfBudget)} of ${text(g.seeds)} seed(s)`;
  return `<p class="goal">${reach}, and ${test}.</p>`;
}

/** With a pruner, how its Bayesian row did against random search's whole budget (the text table's line). */
function pruneGoalHtml(r: CompareRecord): string {
  if (!r.pruneGoal) return '';
  return `<p class="goal">${escapeHtml(formatPruneCheck(r.pruneGoal, r.metric === 'rmse' ? 'RMSE' : 'accuracy'))}.</p>`;
}

function winnersHtml(r: CompareRecord): string {
  // The retrained configuration: the recommended one (Bayesian search: its model's pick), else the best.
  const items = r.runs.flatMap((run) => run.strategies.map((s) => {
    const w = s.recommended ?? s.best;
    if (w === null) return '';
    const note = s.best !== null && w.index !== s.best.index ? ` (model's pick; best observed was evaluation ${s.best.index})` : '';
    return `<tr><td>${text(run.seed)}</td><th scope="row">${text(s.strategy)}</th><td><code>${escapeHtml(formatParams(w.params))}</code>${escapeHtml(note)}</td>` +
      `<td>${fmt(w.value, r.metric)}</td><td>${fmt(s.retrain?.testMetric, r.metric)}</td></tr>`;
  }));
  const m = r.metric === 'rmse' ? 'RMSE' : 'accuracy';
  // without a retraining (--retrain-epochs 0) it is only recommended
  const what = r.options.retrainEpochs > 0 ? 'retrained configuration' : 'recommended configuration (not retrained)';
  return `<table><thead><tr><th scope="col">seed</th><th scope="col">strategy</th><th scope="col">${what}</th>` +
    `<th scope="col">val ${m}</th><th scope="col">test ${m}</th></tr></thead><tbody>${items.join('')}</tbody></table>`;
}

/** What the page script plots: per run, per strategy, the best-so-far steps. */
function chartData(r: CompareRecord) {
  return {
    metric: r.metric,
    direction: r.direction,
    colors: STRATEGY_COLORS,
    runs: r.runs.map((run) => ({
      seed: run.seed,
      randomBest: run.randomBest,
      strategies: run.strategies.map((s) => ({
        strategy: s.strategy,
        color: colorOf(s.strategy),
        byEval: s.trials.filter((t) => t.bestSoFar !== null).map((t) => ({ x: t.index, y: t.bestSoFar })),
        byTime: s.trials.filter((t) => t.bestSoFar !== null).map((t) => ({ x: t.endMs / 1000, y: t.bestSoFar })),
        // each evaluation's validation metric at each report, against epochs (a quarter epoch
        // apart on digits rows with a pruner), pruned ones flagged (drawn grey)
        curves: s.trials.filter((t) => t.curve && t.curve.length > 0)
          .map((t) => ({ pruned: t.status === 'pruned', points: (t.curve as number[]).map((y, e) => ({ x: (e + 1) / (s.reportsPerEpoch ?? 1), y })) })),
      })),
    })),
  };
}

/** Options of a render. */
export interface RenderOptions {
  /**
   * The text of Chart.js's UMD build (`chart.js/dist/chart.umd.js`), inlined
   * into the page; needed in a browser [Node and Deno: the installed package's]
   */
  chartJs?: string;
}

/**
 * The report as one HTML string.
 * @throws InvalidOptionError naming `record`, or `chartJs` where it is needed and not given (see chartJsSource)
 */
export function renderReport(r: CompareRecord, opts: RenderOptions = {}): string {
  checkCompareRecord(r);
  const chart = chartJsSource(opts?.chartJs);
  const m = r.metric === 'rmse' ? 'RMSE' : 'accuracy';
  const title = r.command === 'compare'
    ? `Grid, random and Bayesian search on the ${r.study} study`
    : `${r.options.strategies[0]} search on the ${r.study} study`;
  const o = r.options;
  const d = r.runs[0]?.data;
  const meta = [
    d ? `Data: ${displayPath(d.source)} (${d.train} train / ${d.val} validation / ${d.test} test).` : '',
    `Budget: ${budgetText(o)}, ` +
      `${initialPointsText(o.init, o.strategies)}, ${plural(o.epochs, 'epoch')} per evaluation, batch ${o.batchSize}` +
      (o.lrSchedule && o.lrSchedule !== 'constant' ? `, the learning rate decayed (${o.lrSchedule})` : '') + '.',
    o.pruner && o.pruner !== 'none'
      ? `Pruner: ${o.pruner} on the rows ${o.strategies.filter((n) => n !== 'grid').map((n) => `${n}+${o.pruner}`).join(' and ')}, ` +
        `judging from report ${o.grace ?? 1} on.`
      : '',
    o.retrainEpochs > 0
      ? `Each strategy's recommended configuration was retrained for ${plural(o.retrainEpochs, 'epoch')} on train + validation` +
        (d?.retrainTrain !== undefined ? ` (${d.retrainTrain} + ${d.val} images)` : '') +
        (o.retrainRepeats > 1 ? `, ${o.retrainRepeats} times from different weight seeds,` : '') +
        ' and scored on test' + (o.retrainRepeats > 1 ? ' (mean of the retrainings).' : '.')
      : '',
    `Device: ${r.environment.summary}.`,
    `Created ${r.createdAt} in ${secs(r.wallMs)} s.`,
  ].filter(Boolean).join(' '); // plain text, escaped as a whole below

  const select = r.runs.length > 1
    ? `<p><label>Seed <select id="seed">${r.runs.map((run, i) => `<option value="${i}">${text(run.seed)}</option>`).join('')}</select></label></p>`
    : '';
  const perRun = r.runs.map((run) => `<h3>Seed ${text(run.seed)}` +
    (run.randomBest !== null ? ` &mdash; random search's best val ${m}: ${fmt(run.randomBest, r.metric)}` : '') +
    `</h3>${runTableHtml(r, run)}`).join('');
  return `${pageStart(title, STYLE, escapeHtml(meta))}
${goalHtml(r)}
${pruneGoalHtml(r)}
<h2>Best validation ${m} so far</h2>
${select}
<div class="charts" id="charts">
<figure><canvas id="by-eval" aria-label="best so far against evaluations"></canvas></figure>
<figure><canvas id="by-time" aria-label="best so far against wall time"></canvas></figure>
</div>
${hasCurves(r) ? `<h2>Learning curves (pruned evaluations in grey)</h2>
<div class="charts"><figure><canvas id="curves" aria-label="validation metric per epoch of every evaluation"></canvas></figure></div>` : ''}
<h2>Results</h2>
${perRun}
${summaryHtml(r)}
<h2>Winning configurations</h2>
${winnersHtml(r)}
<script>${inlineScript(chart)}</script>
<script type="application/json" id="report-data">${scriptJson(chartData(r))}</script>
<script>${inlineScript(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

/** Whether any evaluation reported per-epoch values (the learning-curve chart). */
function hasCurves(r: CompareRecord): boolean {
  return r.runs.some((run) => run.strategies.some((s) => s.trials.some((t) => t.curve && t.curve.length > 0)));
}

/**
 * Writes {@link renderReport} to `path` (parent folders are created).
 * `opts.chartJs` as for the render: where Chart.js is not installed beside
 * this package (Deno through an import map), its text.
 * @throws StorageError naming the path where it cannot be written (see {@link writeTextFile})
 */
export async function writeReport(path: string, r: CompareRecord, opts: RenderOptions = {}): Promise<void> {
  checkPath(path);
  checkCompareRecord(r);
  checkOptionKeys(opts, 'writeReport', ['chartJs']);
  if (opts.chartJs === undefined) await loadChartJs();
  await writeTextFile(path, renderReport(r, opts));
}
