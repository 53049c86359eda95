/**
 * The trial operations of a journal as the fold (./state) applies them to
 * one trial of our study, once it has found the trial and checked that it
 * may still change: params, state and values, intermediate values and
 * attributes; and an enqueued trial's creation. The fold keeps the study-wide
 * bookkeeping (ids, numbers, views); these keep Optuna's per-trial rules.
 */
import { parseIsoTime } from './optuna-format';
import type { ParamDecoder } from './param-decoder';
import type { PointCheck } from './line-checks';
import { isNum, isObject } from './params-check';
import { isFinished, setState, systemAttr, type Entry, type StudyStreams } from './trial-fold';
import { CLAIM_ATTR_KEYS, OP, PRUNED_STEP_ATTR, TRIAL_STATE, type JournalOp, type JournalTrial } from './types';
import { setOwn } from '../util/own-key';

const CLAIM_ATTRS: ReadonlySet<string> = new Set(CLAIM_ATTR_KEYS);

/** What the trial operations read and write of the fold around them. */
export interface TrialFoldHost extends StudyStreams {
  /** our study's params, decoded through their distributions */
  readonly params: ParamDecoder;
  /** checks params against the study's space; null: no space to check against */
  readonly check: PointCheck | null;
  /** `wbo:ask` id -> trial number */
  readonly asks: Map<string, number>;
  /** trial number -> the step a pruner stopped it at (PRUNED_STEP_ATTR) */
  readonly prunedSteps: Map<number, number>;
}

/** Leaves trial `e` out (params outside the space); its number stays taken. */
export function skipEntry(e: Entry, line: number, reason: string): string {
  e.skippedAt = line;
  return reason;
}

/**
 * An enqueued trial (Optuna's `enqueue_trial`: state WAITING, its point in
 * system attr `fixed_params`, given as the objective would see it): status
 * 'waiting', source 'enqueue', params the fixed ones (all or some of the
 * space's; a None choice is left out); skipped when one is not a
 * parameter of the space or a value it cannot take. `problems`: those found so far in the create op.
 */
export function enqueuedEntry(e: Entry, o: JournalOp, line: number, problems: string[], check: PointCheck | null): string | null {
  const t = e.trial;
  e.state = TRIAL_STATE.WAITING;
  t.status = 'waiting';
  t.source = 'enqueue';
  delete t.startedAt;
  const fixed = isObject(o.system_attrs) ? o.system_attrs.fixed_params : undefined;
  if (isObject(fixed)) {
    for (const [k, v] of Object.entries(fixed)) {
      if (typeof v === 'string' || typeof v === 'boolean' || isNum(v)) setOwn(t.params, k, v);
      // Optuna's None choice (enqueue_trial({'c': None})): left out, as a SET_TRIAL_PARAM of it is (ParamDecoder)
      else if (v === null) continue;
      else problems.push(`fixed param "${k}": expected a string, boolean or finite number, got ${JSON.stringify(v)}`);
    }
  }
  const outside = problems.length ? null : check?.partialProblem(t.params);
  if (outside) return skipEntry(e, line, `create trial ${t.id}: enqueued ${outside}`);
  return problems.length ? skipEntry(e, line, `create trial ${t.id}: ${problems.join('; ')}`) : null;
}

/**
 * Applies update `o` (any op but the study ops and CREATE_TRIAL) to trial
 * `e`, not skipped and not finished; returns the problem with the line, or
 * null. Optuna's rules: the first RUNNING of an enqueued trial takes it and
 * later ones change nothing; what a worker whose claim came second wrote
 * with it is not its to set.
 */
export function updateEntry(e: Entry, o: JournalOp, line: number, host: TrialFoldHost): string | null {
  const t = e.trial;
  const number = t.id;
  if (o.op_code === OP.SET_TRIAL_STATE_VALUES && o.state === TRIAL_STATE.RUNNING && e.state === TRIAL_STATE.RUNNING) return null;
  if (o.op_code === OP.SET_TRIAL_SYSTEM_ATTR && e.claimant !== undefined && o.worker_id !== e.claimant && isObject(o.system_attr)
    && Object.keys(o.system_attr).some((k) => CLAIM_ATTRS.has(k))) return null;
  switch (o.op_code) {
    case OP.SET_TRIAL_PARAM: {
      if (typeof o.param_name !== 'string') return 'set param: "param_name" must be a string';
      const p = host.params.set(t, o.param_name, o.param_value_internal, o.distribution);
      if (p) return `set param: ${p}`;
      e.setSinceClaim?.add(o.param_name);
      const outside = host.check?.partialProblem(t.params);
      return outside ? skipEntry(e, line, `set param: trial ${number}: ${outside}`) : null;
    }
    case OP.SET_TRIAL_STATE_VALUES: {
      // a taken enqueued trial that completes or is pruned holds the params its worker set (Optuna's rule):
      // the fixed ones are suggestions its objective may never have asked for (they showed as params, and
      // reached the model). While it runs they stand for its point among the pending ones, and a failed
      // one keeps them: a worker that failed it as stale retries that point
      const evaluated = o.state === TRIAL_STATE.COMPLETE || o.state === TRIAL_STATE.PRUNED;
      const params = evaluated && e.setSinceClaim ? pickOwn(t.params, e.setSinceClaim) : t.params;
      // an enqueued trial failed before it was taken may hold some parameters only
      const outside = !isFinished(o.state) ? null : e.state === TRIAL_STATE.WAITING ? host.check?.partialProblem(params) : host.check?.problem(params);
      if (outside) return skipEntry(e, line, `set state: trial ${number}: ${outside}`);
      const claim = e.state === TRIAL_STATE.WAITING && o.state === TRIAL_STATE.RUNNING;
      const p = setState(e, o.state, o.values, o.datetime_complete, line, o.worker_id);
      if (!p) t.params = params;
      if (!p && o.state === TRIAL_STATE.RUNNING) {
        const s = parseIsoTime(o.datetime_start);
        if (s !== null) t.startedAt = s;
      }
      if (!p && claim) {
        t.status = 'pending';
        e.claimant = typeof o.worker_id === 'string' ? o.worker_id : '';
        e.setSinceClaim = new Set();
      }
      return p && `set state: ${p}`;
    }
    case OP.SET_TRIAL_INTERMEDIATE_VALUE:
      if (!Number.isInteger(o.step) || typeof o.intermediate_value !== 'number') return 'intermediate value: needs an integer "step" and a number "intermediate_value"';
      // Optuna records a report of NaN or inf, and its pruners read both: ±inf is compared (a median of
      // [inf, 2] is no bar), NaN left out of a percentile (nanpercentile) but counted as a report (the
      // trial's last step, a median's n_min_trials); the models read finite values only
      (t.intermediate ??= {})[o.step as number] = o.intermediate_value;
      return null;
    case OP.SET_TRIAL_USER_ATTR:
      if (!isObject(o.user_attr)) return 'user attr: "user_attr" must be an object';
      t.userAttrs = { ...t.userAttrs, ...o.user_attr };
      return null;
    default:
      if (!isObject(o.system_attr)) return 'system attr: "system_attr" must be an object';
      for (const [k, v] of Object.entries(o.system_attr)) {
        systemAttr(t, k, v, host);
        if (k === 'wbo:ask' && typeof v === 'string') host.asks.set(v, number); // a claim of an enqueued trial
        if (k === PRUNED_STEP_ATTR && isNum(v)) host.prunedSteps.set(number, v);
      }
      return null;
  }
}

/** The own entries of `params` named in `names`. */
function pickOwn(params: JournalTrial['params'], names: ReadonlySet<string>): JournalTrial['params'] {
  const out: JournalTrial['params'] = {};
  for (const k of Object.keys(params)) if (names.has(k)) setOwn(out, k, params[k]);
  return out;
}
