/**
 * The study report: a journal read into StudyData (readStudy), rendered as
 * one self-contained HTML page (renderStudyReport), written to a file
 * (writeStudyReport). The charts are drawn in the page (./study-page), from
 * the analysis of ./analysis.
 */
import { StorageError } from '../errors';
import { damagedLinesNote, Journal, type JournalBackend, type SkippedLine } from '../storage';
import { specOf, type Distribution } from '../storage/optuna-format';
import { isRedisUrl, redactRedisUrl } from '../storage/redis-url';
import { checkJournalTarget } from '../storage/target-checks';
import { clipText, escapeUnsafe } from '../util/terminal-text';
import type { Direction } from '../study/types';
import type { Choice, ParamSpec, Params, SpaceSpec } from '../space/types';
import { analyzeStudy } from './analysis';

export { toReportTrial, type ReportTrial } from './report-trial';
import { checkPath, checkStudyData } from './arg-checks';
import { toReportTrial, withPairs, type ReportTrial } from './report-trial';
import { formatParams, formatValue } from './format';
import { clipped, escapeHtml, inlineScript, pageStart, scriptJson, type RenderOptions } from './html';
import { chartJsSource, fileName, loadChartJs, writeTextFile } from './host';
import { STUDY_PAGE_SCRIPT } from './study-page';
import { ownValue, setOwn } from '../util/own-key';
import { checkOptionKeys } from '../util/option-keys';

/** What a study report is built from. */
export interface StudyData {
  space: SpaceSpec;
  direction: Direction;
  trials: ReportTrial[];
  /** page title [`Study report`] */
  title?: string;
  /** where the study came from (shown under the title; e.g. the journal's file name) */
  source?: string;
  /** name of the objective on axes ['objective'] */
  objective?: string;
  /** the journal's damaged lines, skipped when it was read (readStudy) */
  skipped?: SkippedLine[];
}

/**
 * Reads study `studyName` (default 'default') of a journal (a path, a
 * redis:// URL or a backend) without writing to it, through the storage
 * module's reader.
 * @throws InvalidOptionError naming an unknown option; StorageError when the journal holds studies but none named `studyName` (or "default" when not given)
 */
export async function readStudy(journal: string | JournalBackend, opts: { studyName?: string } = {}): Promise<StudyData> {
  // study_name (Optuna's spelling) read study 'default' without a word
  checkJournalTarget(journal, 'readStudy', 'journal');
  checkOptionKeys(opts, 'readStudy', ['studyName']);
  const name = opts.studyName ?? 'default';
  const j = await Journal.open(journal, { readOnly: true, checkSpace: false, studyName: name });
  try {
    const state = await j.load();
    // a file by its name; a redis:// URL whole (its last segment is only the database), password hidden
    const label = typeof journal !== 'string' ? journal.name : isRedisUrl(journal) ? redactRedisUrl(journal) : fileName(journal);
    // without a name, a journal of other studies only is refused too (it read as an empty study)
    if ((opts.studyName !== undefined || j.studyNames.length > 0) && j.format === 'optuna' && !j.studyNames.includes(name)) {
      const names = j.studyNames.map((n) => escapeUnsafe(JSON.stringify(n))).join(', ');
      // a damaged create-study line can be why: say the damaged lines with it
      const damaged = state.skipped.length ? `; ${damagedLinesNote(state.skipped)}` : '';
      // the path as given, as the other journal errors name it (the label is the page's)
      const where = typeof journal === 'string' && !isRedisUrl(journal) ? journal : label;
      throw new StorageError(`journal ${JSON.stringify(where ?? 'journal')}: no study named ${escapeUnsafe(JSON.stringify(name))}; it holds ${names || 'no study'}${damaged}`);
    }
    const trials = state.trials.map(({ worker: _w, ...t }) => toReportTrial(t));
    // a study Optuna created: its trials' distributions say the space (log scales, ints), not their values
    const space = state.header?.space ?? spaceOfDistributions(j.distributions, trials.map((t) => t.params)) ?? inferSpace(trials.map((t) => t.params));
    return {
      space,
      direction: state.header?.direction ?? 'maximize',
      trials,
      source: name === 'default' ? label : `${label}, study ${name}`,
      skipped: state.skipped,
    };
  } finally {
    await j.close();
  }
}

/**
 * The space Optuna distributions describe (`d`: the first distribution seen
 * of each parameter), widened to hold every trial's value: Optuna lets a
 * range or a choice list change from trial to trial. A choice of None (which
 * no space here can hold) is left out; trials with it, or without a
 * parameter (a conditional one), stay out of the model-based panels only.
 * Null when there are none or one is of a kind this library does not know.
 */
function spaceOfDistributions(d: ReadonlyMap<string, Distribution> | null, points: readonly Params[]): SpaceSpec | null {
  if (!d || d.size === 0) return null;
  const out: Record<string, ParamSpec> = {};
  for (const [name, dist] of d) {
    const spec = specOf(dist);
    if (!spec) return null;
    const values = points.map((p) => ownValue(p, name)).filter((v) => v !== undefined && v !== null);
    if (spec.type === 'categorical') {
      const choices = [...new Set([...spec.choices, ...values])].filter((c) => c !== null && c !== undefined) as Choice[];
      if (choices.length === 0) return null;
      setOwn(out, name, { ...spec, choices });
      continue;
    }
    const nums = values.filter((v): v is number => typeof v === 'number');
    const low = Math.min(spec.low, ...nums);
    const high = Math.max(spec.high, ...nums);
    if (!(low <= high) || (spec.log && !(low > 0))) return null;
    setOwn(out, name, { ...spec, low, high });
  }
  // a single-value distribution is a fixed parameter (Optuna's low == high); when every one is,
  // the study says nothing of a range (values registered with no space): the values tell more
  const ranged = Object.values(out).some((p) => p.type === 'categorical' || p.low < p.high);
  return ranged ? out : null;
}

/** A space for a journal without a header: numbers become float ranges, anything else a categorical. */
function inferSpace(points: Params[]): SpaceSpec {
  const out: SpaceSpec = {};
  const names = [...new Set(points.flatMap((p) => Object.keys(p)))];
  for (const n of names) {
    const vs = points.map((p) => p[n]).filter((v): v is Choice => v !== undefined);
    if (vs.every((v) => typeof v === 'number')) {
      const lo = Math.min(...(vs as number[]));
      const hi = Math.max(...(vs as number[]));
      out[n] = { type: 'float', low: lo, high: hi > lo ? hi : lo + 1 };
    } else {
      out[n] = { type: 'categorical', choices: [...new Set(vs)] };
    }
  }
  return out;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1.2rem; }
figure { margin: 0; height: 300px; position: relative; }
figure.wide { height: 360px; }
figure canvas { width: 100%; height: 100%; display: block; }
figcaption { font-size: .85rem; color: #555; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { cursor: pointer; user-select: none; background: #f4f4f4; position: sticky; top: 0; }
thead th[aria-sort=ascending]::after { content: ' ▲'; } thead th[aria-sort=descending]::after { content: ' ▼'; }
tr.best td { font-weight: 600; }
td.failed { color: #b35900; text-align: left; }
`;

/** Reasons longer than this are cut in the table (the cell's title holds the whole). */
const REASON_CHARS = 80;

/**
 * Parameter values and names longer than this are cut in the table and the
 * best line (a cell's title holds the whole): a 20,000-character choice made
 * the page 170,000 pixels wide.
 */
const CELL_CHARS = 80;

/**
 * A name in running text (a study, a file, a parameter): cut to CELL_CHARS (a 5,000-character
 * name made a heading 77,000 pixels wide), isolated (a right-to-left override in a study name
 * reversed the rest of the summary line), with the whole on hover where cut.
 */
function inText(text: string): string {
  return `<bdi${clipped(text, CELL_CHARS)}</bdi>`;
}

/**
 * A failed trial's reason, escaped, after its status: shown in the table
 * (as `tune`'s table and `--csv` show it), not only on hover.
 */
function failReason(t: ReportTrial): string {
  if (t.status !== 'failed' || !t.error) return '';
  return `: ${escapeHtml(clipText(t.error, REASON_CHARS))}`;
}

function paramInfo(space: SpaceSpec) {
  return Object.entries(space).map(([name, p]: [string, ParamSpec]) =>
    p.type === 'categorical' ? { name, type: p.type, choices: [...p.choices] } : { name, type: p.type, low: p.low, high: p.high, log: !!p.log });
}

/**
 * The report as one HTML string: optimization history, parallel
 * coordinates, parameter importance (permutation importance on a GP fitted
 * to the trials), a slice plot per parameter, a contour of the GP mean over
 * the two most important parameters, intermediate values where trials
 * reported them, and a sortable trial table. Chart.js, the data and the page
 * script are inlined: the file loads nothing from the network and opens
 * offline.
 * @throws InvalidOptionError naming `study`, or `chartJs` where it is needed and not given (a browser: see chartJsSource)
 */
export function renderStudyReport(given: StudyData, opts: RenderOptions = {}): string {
  checkStudyData(given);
  const study = withPairs(given);
  checkOptionKeys(opts, 'renderStudyReport', ['chartJs']);
  const chart = chartJsSource(opts.chartJs);
  const objective = study.objective ?? 'objective';
  const names = Object.keys(study.space);
  const done = study.trials.filter((t) => t.status === 'complete' && t.target !== null);
  const sign = study.direction === 'minimize' ? -1 : 1;
  const best = done.reduce<ReportTrial | null>((b, t) => (b === null || sign * (t.target as number) > sign * (b.target as number) ? t : b), null);
  // The GP works on "larger is better" values; its contour is shown in the objective's units.
  const oriented = study.trials.map((t) => (t.status === 'complete' && t.target !== null ? { ...t, target: sign * t.target } : t));
  const a = analyzeStudy(study.space, oriented);
  const contour = a.contour ? { ...a.contour, z: a.contour.z.map((v) => sign * v) } : null;
  const failed = study.trials.filter((t) => t.status === 'failed').length;
  const pending = study.trials.filter((t) => t.status === 'pending').length;
  const waiting = study.trials.filter((t) => t.status === 'waiting').length;
  const pruned = study.trials.filter((t) => t.status === 'pruned').length;
  const hasIntermediate = study.trials.some((t) => (t.intermediate?.length ?? 0) > 0);
  const title = study.title ?? 'Study report';
  const meta = [
    study.source ? `Source: ${inText(study.source)}.` : '',
    `${study.trials.length} trial(s): ${done.length} complete` + (pruned ? `, ${pruned} pruned` : '') + (failed ? `, ${failed} failed` : '') +
      (pending ? `, ${pending} pending` : '') + (waiting ? `, ${waiting} waiting (enqueued)` : '') + '.',
    `Direction: ${study.direction}.`,
    // isolated (bdi): a right-to-left override in a choice reversed the rest of the line; cut as the cells are
    best ? `Best: trial ${escapeHtml(String(best.id))}, ${escapeHtml(objective)} ${escapeHtml(formatValue(best.target as number))} at <code><bdi>${escapeHtml(clipText(formatParams(best.params), 4 * CELL_CHARS))}</bdi></code>.` : '',
  ].filter(Boolean).join(' ');

  const head = ['trial', 'status', objective, ...names, 'duration (s)', 'source'];
  const rows = study.trials.map((t) => {
    const cells = [
      // every field escaped: a caller's StudyData is checked for shape, not for what its strings hold
      `<td data-v="${escapeHtml(String(t.id))}">${escapeHtml(String(t.id))}</td>`,
      `<td data-v="${escapeHtml(t.status)}"${t.status === 'failed' ? ` class="failed" title="${escapeHtml(t.error ?? '')}"` : ''}>${escapeHtml(t.status)}${failReason(t)}</td>`,
      `<td data-v="${escapeHtml(String(t.target ?? ''))}">${t.target === null ? '&ndash;' : escapeHtml(formatValue(t.target))}</td>`,
      // a parameter the trial does not have (an Optuna study's conditional one, a None choice): a dash
      ...names.map((n) => {
        const v = ownValue(t.params, n);
        return v === undefined || v === null ? '<td data-v="">&ndash;</td>' : `<td data-v="${escapeHtml(String(v))}"${clipped(formatValue(v), CELL_CHARS)}</td>`;
      }),
      `<td data-v="${escapeHtml(String(t.durationMs ?? ''))}">${t.durationMs === undefined ? '&ndash;' : escapeHtml((Number(t.durationMs) / 1000).toFixed(2))}</td>`,
      `<td data-v="${escapeHtml(String(t.source))}">${escapeHtml(String(t.source))}</td>`,
    ];
    return `<tr${best && t.id === best.id ? ' class="best"' : ''}>${cells.join('')}</tr>`;
  });
  const slices = names.map((n, j) => `<figure><canvas id="slice-${j}" aria-label="${escapeHtml(objective)} against ${escapeHtml(n)}"></canvas></figure>`).join('\n');
  const pageData = {
    direction: study.direction,
    objective,
    params: paramInfo(study.space),
    importance: a.importance,
    contour,
    trials: study.trials.map((t) => ({ id: t.id, status: t.status, target: t.target, params: t.params, intermediate: t.intermediate })),
  };
  return `${pageStart(title, STYLE, meta)}
<div class="grid">
<section><h2>Optimization history</h2><figure><canvas id="history" aria-label="value and best so far against trial"></canvas></figure></section>
<section><h2>Parameter importance</h2>${a.importance.length > 0
    ? '<figure><canvas id="importance" aria-label="parameter importance"></canvas></figure><figcaption>Permutation importance on the posterior mean of a Gaussian process fitted to the completed trials.'
      + (a.shared ? ` Over the parameters every completed trial holds (${a.shared.map(inText).join(', ')}): fewer than 3 hold them all.` : '')
      // every bar at 0 drew an empty chart with no word of why
      + (a.importance.every((p) => p.importance === 0) ? ' Every importance is 0: the completed trials\' values do not vary (beyond rounding), so no parameter explains any change.' : '') + '</figcaption>'
    : a.shared ? '<p>No parameter is held by every completed trial, and fewer than 3 completed trials hold them all.</p>'
      : a.left && a.left.length >= Object.keys(study.space).length ? '<p>No parameter can be analysed.</p>'
        : '<p>Needs at least 3 completed trials.</p>'}${a.left
    ? `<p>Left out of the analysis: ${a.left.map((l) => `${inText(l.name)} (${escapeHtml(l.why)})`).join('; ')}.</p>` : ''}</section>
</div>
<h2>Parallel coordinates</h2>
<figure class="wide"><canvas id="parallel" aria-label="parallel coordinates"></canvas></figure>
<figcaption>One line per completed trial, coloured from worst (dark) to best (yellow).</figcaption>
${contour ? `<h2>Contour: ${inText(contour.params[0])} and ${inText(contour.params[1])}</h2>
<figure class="wide"><canvas id="contour" aria-label="GP mean over the two most important parameters"></canvas></figure>
<figcaption>Posterior mean of the GP over the two most important parameters, the others held at the best trial's values; dots are trials.</figcaption>` : ''}
<h2>Slices</h2>
<div class="grid">
${slices}
</div>
${hasIntermediate ? '<h2>Intermediate values</h2>\n<figure class="wide"><canvas id="intermediate" aria-label="intermediate values per trial"></canvas></figure>' : ''}
<h2>Trials</h2>
<p class="meta">Click a column header to sort.</p>
<table id="trials"><thead><tr>${head.map((h) => `<th scope="col" aria-sort="none"${clipped(h, CELL_CHARS)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<script>${inlineScript(chart)}</script>
<script type="application/json" id="study-data">${scriptJson(pageData)}</script>
<script>${inlineScript(STUDY_PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

/**
 * Writes {@link renderStudyReport} to `path` (parent folders are created).
 * `opts.chartJs` as for the render: where Chart.js is not installed beside
 * this package (Deno through an import map), its text.
 * @throws StorageError naming the path where it cannot be written (a folder, a read-only file system)
 * @example
 * ```ts
 * import { readStudy, writeStudyReport } from 'webgpu-bayesopt/report';
 * await writeStudyReport('report.html', await readStudy('study.jsonl'));
 * ```
 */
export async function writeStudyReport(path: string, study: StudyData, opts: RenderOptions = {}): Promise<void> {
  checkPath(path);
  checkStudyData(study);
  checkOptionKeys(opts, 'writeStudyReport', ['chartJs']);
  if (opts.chartJs === undefined) await loadChartJs();
  await writeTextFile(path, renderStudyReport(study, opts));
}
