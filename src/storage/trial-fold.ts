/**
 * What one journal operation does to one trial of the study being folded
 * (./state): our system attributes (`wbo:*`) read into trial fields and the
 * study's random and model streams, and a state change (complete, pruned,
 * failed) with its value and times, as Optuna applies them.
 */
import { PRUNER_ATTR_PREFIX } from '../pruners/types';
import type { TrialSource } from '../study/types';
import { isRngState, type RngState } from '../util/rng';
import { parseIsoTime } from './optuna-format';
import { isNum, isObject, TRIAL_SOURCES } from './params-check';
import { gpStateProblem } from '../gp/gp-options';
import { rungOfKey, TRIAL_STATE, type JournalTrial, type ModelState } from './types';

/** A trial of the folded study with its bookkeeping. */
export interface Entry {
  trial: JournalTrial;
  /** Optuna's trial_id (file-wide) */
  tid: number;
  /** Optuna's state */
  state: number;
  line: number;
  doneLine?: number;
  /** the line at which its params were found not to fit the space: the trial is left out */
  skippedAt?: number;
  /** an enqueued trial taken by a worker: that worker's id (the first RUNNING, Optuna's rule) */
  claimant?: string;
  /** the worker_id of the line that created it (running or ended) */
  creator?: string;
  /** such a trial's params set since it was taken: once it ends, its params are these alone (see updateEntry) */
  setSinceClaim?: Set<string>;
}

/** Where the latest ask's random stream and model state go. */
export interface StudyStreams {
  rngState: RngState | null;
  modelState: ModelState | null;
  /** the first design trial's `wbo:design_rng` (see JournalState.designRngState) */
  designRngState: RngState | null;
}

// all zero is no generator state: xoshiro stays at zero for good
// the GP's own check of its state, so that what is read here is what restoreState takes
const isModel = (m: unknown): m is ModelState => isObject(m) && gpStateProblem(m) === null;

/** COMPLETE, PRUNED or FAIL. */
export function isFinished(state: unknown): boolean {
  return state === TRIAL_STATE.COMPLETE || state === TRIAL_STATE.PRUNED || state === TRIAL_STATE.FAIL;
}

/** Reads system attribute `key` of a trial: our `wbo:*` keys set its fields, or the study's streams; others are ignored. */
export function systemAttr(trial: JournalTrial, key: string, v: unknown, study: StudyStreams): void {
  switch (key) {
    case 'wbo:source':
      if (TRIAL_SOURCES.includes(v as TrialSource)) trial.source = v as TrialSource;
      break;
    case 'wbo:worker':
      if (typeof v === 'string') trial.worker = v;
      break;
    case 'wbo:engine':
      if (v === 'cpu' || v === 'webgpu') trial.engine = v;
      break;
    case 'wbo:suggest_ms':
      if (isNum(v) && v >= 0) trial.suggestMs = v;
      break;
    case 'wbo:duration_ms':
      if (isNum(v) && v >= 0) trial.durationMs = v;
      break;
    case 'wbo:error':
      if (typeof v === 'string') trial.error = v;
      break;
    case 'wbo:reasked_at': // journals written before retries were new trials
      if (isNum(v)) trial.startedAt = v;
      break;
    case 'wbo:late_of':
      if (Number.isInteger(v) && (v as number) >= 0) trial.lateOf = v as number;
      break;
    case 'failed_trial': // Optuna's RetryFailedTrialCallback
      if (Number.isInteger(v) && (v as number) >= 0) trial.retryOf = v as number;
      break;
    case 'wbo:rng':
      if (isRngState(v)) study.rngState = [v[0], v[1], v[2], v[3]];
      break;
    case 'wbo:design_rng':
      if (isRngState(v) && study.designRngState === null) study.designRngState = [v[0], v[1], v[2], v[3]];
      break;
    case 'wbo:model':
      if (isModel(v)) study.modelState = v; // parsed from this line alone: not shared; copied on read
      break;
    default:
      if (key.startsWith('completed_rung_') || key.startsWith(PRUNER_ATTR_PREFIX)) keepPrunerAttrs(trial, { [key]: v });
  }
}

/**
 * Of `attrs` (a pruner's, see PruneVerdict) what pruners read back, set on
 * trial `t`: the `completed_rung_<k>` values as `rungs`, the keys starting
 * with PRUNER_ATTR_PREFIX as `prunerAttrs` (each replaced by a new object
 * when it changes, never mutated: copies may share them).
 */
export function keepPrunerAttrs(t: { rungs?: Record<number, number>; prunerAttrs?: Record<string, number> }, attrs: Readonly<Record<string, unknown>> | undefined): void {
  const rungs = withRungs(t.rungs, attrs);
  if (rungs !== t.rungs) t.rungs = rungs;
  let own = t.prunerAttrs;
  for (const [key, v] of Object.entries(attrs ?? {})) {
    if (!key.startsWith(PRUNER_ATTR_PREFIX) || typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (own === t.prunerAttrs) own = { ...t.prunerAttrs };
    own![key] = v;
  }
  if (own !== t.prunerAttrs) t.prunerAttrs = own;
}

/**
 * `rungs` with the `completed_rung_<k>` entries of `attrs` (finite numbers)
 * set: a new object when any is, else `rungs` itself (records are replaced,
 * never mutated: copies may share them).
 */
export function withRungs(rungs: Record<number, number> | undefined, attrs: Readonly<Record<string, unknown>> | undefined): Record<number, number> | undefined {
  let out = rungs;
  for (const [key, v] of Object.entries(attrs ?? {})) {
    const k = rungOfKey(key);
    // ±inf too: an Optuna worker's trial that reported it holds its rung with it (NaN never reaches a rung)
    if (k !== null && typeof v === 'number' && !Number.isNaN(v)) {
      if (out === rungs) out = { ...rungs };
      out![k] = v;
    }
  }
  return out;
}

/**
 * Sets a trial's state (and value, finish time); returns why it could not, or null. `ender`: the
 * worker_id of the line that ends it; a trial without its own objective time (`wbo:duration_ms`,
 * which Optuna does not write) takes end minus start only where the worker that started it ended
 * it: another's end (a stale trial failed by a resume) is another machine's clock or time zone,
 * and was read as a 10.5 h objective call.
 */
export function setState(e: Entry, state: unknown, values: unknown, completed: unknown, line: number, ender?: unknown): string | null {
  if (!Number.isInteger(state) || (state as number) < 0 || (state as number) > 4) return `"state" must be 0-4, got ${JSON.stringify(state)}`;
  const t = e.trial;
  if (state === TRIAL_STATE.RUNNING || state === TRIAL_STATE.WAITING) {
    e.state = state as number;
    return null;
  }
  if (state === TRIAL_STATE.COMPLETE) {
    const v = Array.isArray(values) ? values[0] : undefined;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // Optuna completes a trial told float('inf') (or NaN); here, as an objective returning it, a failed trial
      t.status = 'failed';
      t.target = null;
      t.error = `completed with the value ${v}, not a finite number: read as failed`;
    } else {
      if (!isNum(v)) return 'state complete needs a finite value';
      t.status = 'complete';
      t.target = v;
    }
  } else if (state === TRIAL_STATE.PRUNED) {
    // Optuna stores a pruned trial's last intermediate value as its value (none when it reported nothing)
    const v = Array.isArray(values) ? values[0] : undefined;
    t.status = 'pruned';
    t.target = isNum(v) ? v : null;
    const steps = t.intermediate ? Object.keys(t.intermediate).map(Number) : [];
    if (steps.length) t.step = Math.max(...steps);
  } else {
    t.status = 'failed';
    t.target = null;
  }
  e.state = state as number;
  e.doneLine = line;
  const done = parseIsoTime(completed);
  if (done !== null) t.finishedAt = done;
  const starter = e.claimant ?? e.creator;
  const byStarter = ender === undefined || starter === undefined || ender === starter;
  if (t.durationMs === undefined && done !== null && t.startedAt !== undefined && byStarter) t.durationMs = Math.max(0, done - t.startedAt);
  return null;
}
