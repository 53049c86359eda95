/**
 * The report functions' own argument checks: called from plain JavaScript
 * with the arguments swapped or a record of another kind, they failed deep
 * inside (`Cannot convert undefined or null to object`); now each is a typed
 * error naming the argument, before anything is written.
 */
import { InvalidOptionError } from '../errors';
import { showBrief } from '../util/format-value';
import { checkOptionKeys, given } from '../util/option-keys';
import { checkPathArg } from '../util/path-arg';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short account of a value: its JSON up to 80 characters. */
const brief = showBrief;

/** `path` of a write: a non-empty string (see checkPathArg). */
export function checkPath(path: unknown): void {
  checkPathArg(path);
}

const STATUSES = ['complete', 'failed', 'pruned', 'pending', 'waiting'];
/** Absent, or a finite number (times in epoch ms, durations in ms, steps, trial ids). */
const optionalNumber = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/**
 * The fields of a report's trial it reads: name, what it must be, and the
 * check. A date or duration that is not a number left its CSV cell empty, a
 * status of another name was written as Optuna's state, unsaid.
 */
const TRIAL_FIELDS: ReadonlyArray<readonly [string, string, (v: unknown) => boolean]> = [
  ['id', 'a number', (v) => typeof v === 'number'],
  ['status', `one of ${STATUSES.map((s) => JSON.stringify(s)).join(', ')}`, (v) => STATUSES.includes(v as string)],
  ['params', 'an object of parameter values', isObject],
  ['target', 'a number or null', (v) => v === null || v === undefined || typeof v === 'number'],
  ['userAttrs', 'an object', (v) => v === undefined || isObject(v)],
  // readStudy's [step, value] pairs, or a Trial's { step: value } (an optimizer's own `trials`)
  ['intermediate', '[step, value] pairs or { step: value }', (v) => v === undefined || Array.isArray(v) || isObject(v)],
  ...['startedAt', 'finishedAt', 'durationMs', 'suggestMs', 'step', 'retryOf'].map((k) => [k, 'a finite number or nothing', optionalNumber] as const),
  ...['error', 'source'].map((k) => [k, 'a string or nothing', (v: unknown) => v === undefined || typeof v === 'string'] as const),
];

/**
 * `study` of a study report or CSV: `{ space, trials }` (readStudy's
 * StudyData), each trial an object with the fields the report reads, and
 * the texts and direction it shows of the right kind (a title of 5 failed as
 * `s.replace is not a function`, a trial `{}` or null as a TypeError).
 */
export function checkStudyData(study: unknown): void {
  if (!isObject(study) || !isObject(study.space) || !Array.isArray(study.trials)) {
    throw new InvalidOptionError(`study: expected study data ({ space, trials, ... }, as readStudy returns), got ${brief(study)}`, 'study');
  }
  study.trials.forEach((t: unknown, i) => {
    if (!isObject(t)) throw new InvalidOptionError(`study.trials[${i}]: expected a trial ({ id, status, params, target, ... }), got ${brief(t)}`, 'study.trials');
    const bad = TRIAL_FIELDS.find(([k, , ok]) => !ok(t[k]));
    if (bad) throw new InvalidOptionError(`study.trials[${i}].${bad[0]}: expected ${bad[1]}, got ${brief(t[bad[0]])}`, 'study.trials');
    // the page drew -Infinity as the best yet left it off the curve, and the CSV wrote COMPLETE with no value
    if (t.status === 'complete' && !(typeof t.target === 'number' && Number.isFinite(t.target))) {
      throw new InvalidOptionError(`study.trials[${i}].target: a complete trial needs a finite number (a non-finite result is a failed trial, as readStudy reads one), got ${brief(t.target)}`, 'study.trials');
    }
  });
  for (const k of ['title', 'source', 'objective']) {
    if (study[k] !== undefined && typeof study[k] !== 'string') throw new InvalidOptionError(`study.${k}: expected a string, got ${brief(study[k])}`, `study.${k}`);
  }
  if (study.direction !== undefined && study.direction !== 'maximize' && study.direction !== 'minimize') {
    throw new InvalidOptionError(`study.direction: expected "maximize" or "minimize", got ${brief(study.direction)}`, 'study.direction');
  }
}

/** `record` of a compare/tune report: a CompareRecord (`--json`'s file, parsed). */
export function checkCompareRecord(r: unknown): void {
  if (!isObject(r) || !Array.isArray(r.runs) || !isObject(r.options)) {
    throw new InvalidOptionError(`record: expected a compare or tune record (the --json file, parsed), got ${brief(r)}`, 'record');
  }
}

/** The most seeded shuffles analyzeStudy averages per parameter (AnalysisOptions.repeats). */
export const MAX_ANALYSIS_REPEATS = 1000;

/** The finest contour analyzeStudy draws, per axis (AnalysisOptions.gridSize). */
export const MAX_GRID_SIZE = 500;

/**
 * `spec`, `trials` and the options of analyzeStudy (see AnalysisOptions): a
 * spec that is not an object (null was a TypeError in Object.keys), a
 * trial that is not an object with its params (null was a TypeError reading params).
 */
export function checkAnalysisArgs(spec: unknown, trials: unknown, opts: unknown): void {
  if (!isObject(spec)) throw new InvalidOptionError(`spec: expected a search space ({ name: { type, ... } }, as readStudy's space), got ${brief(spec)}`, 'spec');
  if (!Array.isArray(trials)) throw new InvalidOptionError(`trials: expected an array of trials, got ${brief(trials)}`, 'trials');
  trials.forEach((t: unknown, i) => {
    if (!isObject(t)) throw new InvalidOptionError(`trials[${i}]: expected a trial ({ status, target, params }), got ${brief(t)}`, 'trials');
    if (!isObject(t.params)) throw new InvalidOptionError(`trials[${i}].params: expected an object of parameter values, got ${brief(t.params)}`, 'trials');
  });
  checkOptionKeys(opts, 'analyzeStudy', ['seed', 'repeats', 'gridSize']);
  const o = opts as Record<string, unknown>;
  const seed = given(o.seed, 1);
  if (!(typeof seed === 'number' && Number.isFinite(seed))) throw new InvalidOptionError(`option "seed": expected a finite number, got ${brief(seed)}`, 'seed');
  for (const [k, v, min, max] of [['repeats', given(o.repeats, 8), 1, MAX_ANALYSIS_REPEATS], ['gridSize', given(o.gridSize, 40), 2, MAX_GRID_SIZE]] as const) {
    if (!(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
      throw new InvalidOptionError(`option "${k}": expected an integer from ${min} to ${max}, got ${brief(v)}`, k);
    }
  }
}
