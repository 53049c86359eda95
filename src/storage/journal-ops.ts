/**
 * The operations a Journal writes and the checks it makes, as free functions:
 * a new study (CREATE_STUDY and its `wbo:` system attrs), a new trial
 * (CREATE_TRIAL with our extras as system attrs), the check of a stored
 * study against the options it is opened with, and the copy of the folded
 * study that readers get.
 */
import { InvalidPointError } from '../errors';
import type { Params, SpaceSpec } from '../space/types';
import { notBefore, startTime, tellTime } from '../util/clock';
import { staleReason, type AskExtra, type JournalOptions } from './journal-io';
import { directionCode, encodeParams, formatOps, isoTime, type Distribution } from './optuna-format';
import { PointCheck } from './line-checks';
import { paramsProblem } from './params-check';
import { distributionDifference, wideningDifference } from './space-check';
import { OP, TRIAL_STATE, type JournalOp, type JournalState, type JournalTrial, type StudyHeader } from './types';
import type { JournalReducer } from './state';
import type { V1Reducer } from './v1-state';

/** SET_STUDY_SYSTEM_ATTR `key` of study id `sid` (one key per operation, as Optuna replays them). */
export function studyAttrOp(worker: string, sid: number, key: string, value: unknown): JournalOp {
  return { op_code: OP.SET_STUDY_SYSTEM_ATTR, worker_id: worker, study_id: sid, system_attr: { [key]: value } };
}

/** CREATE_STUDY `studyName` and its system attrs (space, creation time, meta), for study id `sid`, as journal lines. */
export function createStudyOps(worker: string, studyName: string, sid: number, opts: JournalOptions): string {
  const ops: JournalOp[] = [{ op_code: OP.CREATE_STUDY, worker_id: worker, study_name: studyName, directions: [directionCode(opts.direction ?? 'maximize')] }];
  const attr = (key: string, value: unknown): JournalOp => studyAttrOp(worker, sid, key, value);
  if (opts.space) ops.push(attr('wbo:space', opts.space));
  ops.push(attr('wbo:created', Date.now()));
  if (opts.meta) ops.push(attr('wbo:meta', opts.meta));
  return formatOps(ops);
}

/** How to go on where a study's space does not take the one given now. */
export const NEW_STUDY_HINT = ' (a study keeps its space: continue in a new study, under another study name, enqueuing or registering the points to keep)';

/** NEW_STUDY_HINT for a study with a stored space, which may widen (see widens). */
export const WIDEN_HINT = ' (a study\'s space may only widen: the same parameters, scales, steps and choices, bounds kept or moved outwards; ' +
  'else continue in a new study, under another study name, enqueuing or registering the points to keep)';

/**
 * Why a stored study cannot be opened with `opts` (its space, when checked,
 * against `wbo:space` or else the distributions its trials used; several
 * objectives; its direction), or null.
 */
export function headerProblem(h: StudyHeader, distributions: ReadonlyMap<string, readonly Distribution[]> | null, opts: JournalOptions): string | null {
  const { space, direction, checkSpace } = opts;
  // first: no space would open a study of several objectives, so a space difference would only mislead
  if (h.meta?.directions) return `study ${JSON.stringify(h.name)} has several objectives; only single-objective studies are supported`;
  if (space && checkSpace !== false) {
    // a stored space may be widened (see widens); a study Optuna created takes other bounds, as Optuna does
    const diff = h.space ? wideningDifference(h.space, space) : distributions ? distributionDifference(distributions, space) : null;
    if (diff) return `the search space differs from the one the study was created with: ${diff}${h.space ? WIDEN_HINT : NEW_STUDY_HINT}`;
  }
  if (direction && h.direction && direction !== h.direction) return `the study was created to ${h.direction}, not to ${direction} (open it with direction '${h.direction}', the option or an objective module's export, or give another study name)`;
  return null;
}

/** CREATE_TRIAL of a running trial at `enc` in study `sid`, with our extras (and the ask's id `askId`) as system attrs. */
export function createTrialOp(worker: string, sid: number, enc: { params: Record<string, number>; distributions: Record<string, string> }, extra: AskExtra, askId: string): JournalOp {
  const sys = askAttrs(worker, extra, askId);
  return {
    op_code: OP.CREATE_TRIAL, worker_id: worker, study_id: sid,
    datetime_start: isoTime(startTime()), state: TRIAL_STATE.RUNNING, value: null, values: null,
    params: enc.params, distributions: enc.distributions, user_attrs: { ...extra.userAttrs }, system_attrs: sys, intermediate_values: {},
  };
}

/** The `wbo:` system attrs of an ask (or of taking an enqueued trial) by `worker`, with our extras and the ask's id. */
export function askAttrs(worker: string, extra: AskExtra, askId: string): Record<string, unknown> {
  const sys: Record<string, unknown> = { 'wbo:source': extra.source ?? 'suggest', 'wbo:worker': worker, 'wbo:ask': askId };
  if (extra.engine) sys['wbo:engine'] = extra.engine;
  if (extra.suggestMs !== undefined) sys['wbo:suggest_ms'] = extra.suggestMs;
  if (extra.lateOf !== undefined) sys['wbo:late_of'] = extra.lateOf;
  if (extra.rng) sys['wbo:rng'] = [...extra.rng];
  if (extra.designRng) sys['wbo:design_rng'] = [...extra.designRng];
  if (extra.model) sys['wbo:model'] = structuredClone(extra.model);
  return sys;
}

/** An InvalidPointError for `problem` (a PointCheck message) in `label`'s `op`, naming the parameter the message names. */
export function pointError(label: string, op: string, problem: string): InvalidPointError {
  return new InvalidPointError(`${label}: ${op}: ${problem}`, /^parameter "([^"]+)"/.exec(problem)?.[1]);
}

/**
 * CREATE_TRIAL of an enqueued trial in study `sid`, as Optuna's
 * `enqueue_trial` writes one: state WAITING, no start time, the point in
 * system attr `fixed_params` (values as the objective sees them).
 */
export function enqueueTrialOp(worker: string, sid: number, params: Params, userAttrs: Record<string, unknown> = {}): JournalOp {
  return {
    op_code: OP.CREATE_TRIAL, worker_id: worker, study_id: sid, datetime_start: null, state: TRIAL_STATE.WAITING, value: null, values: null,
    distributions: {}, params: {}, user_attrs: { ...userAttrs }, system_attrs: { fixed_params: { ...params } }, intermediate_values: {},
  };
}

/**
 * `params` in Optuna's internal form, with their distributions (from `space`).
 * @throws InvalidPointError naming the parameter: not a string, boolean or finite number, or outside `space`
 */
export function encodeAsk(label: string, params: Params, space: SpaceSpec | undefined): { params: Record<string, number>; distributions: Record<string, string> } {
  const problem = paramsProblem(params);
  if (problem) {
    const bad = Object.entries(params ?? {}).find(([, v]) => paramsProblem({ v }) !== null);
    throw new InvalidPointError(`${label}: ask: ${problem}`, bad?.[0]);
  }
  // a point outside the space would be written, then skipped by every reader
  const outside = askProblem(params, space);
  if (outside) throw pointError(label, 'ask', outside);
  const enc = encodeParams(params, space);
  if (typeof enc === 'string') throw new InvalidPointError(`${label}: ask: ${enc}`);
  return enc;
}

/**
 * Why `params` cannot be enqueued in `space` (a value that is not a string,
 * boolean or finite number, a name the space lacks, a value it cannot take),
 * or null. Some of the space's parameters may be missing: they are drawn
 * when a worker takes the trial.
 */
export function enqueueProblem(params: Params, space: SpaceSpec | undefined): string | null {
  return paramsProblem(params) ?? (space ? checkOf(space).partialProblem(params) : null);
}

/** Why `params` is not a point of `space` (every parameter given), or null; null without a space. */
export function askProblem(params: Params, space: SpaceSpec | undefined): string | null {
  return space ? checkOf(space).problem(params) : null;
}

/** One PointCheck per space spec (asks repeat the same one). */
const checks = new WeakMap<SpaceSpec, PointCheck>();
function checkOf(space: SpaceSpec): PointCheck {
  let c = checks.get(space);
  if (!c) checks.set(space, (c = new PointCheck(space)));
  return c;
}

/**
 * The operations that retry trial `t`, whose worker stopped mid-trial, as
 * Optuna's `fail_stale_trials` with `RetryFailedTrialCallback` do: `fail_reason`
 * (and `wbo:error`), state FAIL, then `retry` (a CREATE_TRIAL at its params)
 * with system attrs `failed_trial` (the first trial of the chain) and
 * `retry_history` (`history`, see retryHistory). `closed`: its worker's
 * optimizer closed while it ran (see staleReason).
 */
export function staleRetryOps(on: ReturnType<typeof trialOps>, t: JournalTrial, retry: JournalOp, history: number[], closed = false): JournalOp[] {
  return [...failOps(on, staleReason(t.worker, closed), t.startedAt), namedRetry(retry, t, history)];
}

/** `retry` (a CREATE_TRIAL at `t`'s params) naming the chain it retries: Optuna's `failed_trial` (the chain's first trial) and `retry_history`. */
export function namedRetry(retry: JournalOp, t: JournalTrial, history: number[]): JournalOp {
  Object.assign(retry.system_attrs as Record<string, unknown>, { failed_trial: t.retryOf ?? t.id, retry_history: history });
  return retry;
}

/**
 * The operations that fail a trial with `reason` (a stopped worker's, an enqueued point it cannot
 * take): `fail_reason` (and `wbo:error`), then state FAIL, at a time no earlier than the trial's
 * `startedAt` (another worker's start, a clock ahead or another time zone's naive time: Optuna
 * showed a failed trial's duration as -1 day, 23:50:01).
 */
export function failOps(on: ReturnType<typeof trialOps>, reason: string, startedAt?: number): JournalOp[] {
  return [...on.attrs({ fail_reason: reason, 'wbo:error': reason }), on.state(TRIAL_STATE.FAIL, null, notBefore(tellTime(), startedAt))];
}

/** Optuna's `retry_history` of a retry of `t`: the numbers of its chain, from the first trial up to `t`. */
export function retryHistory(r: JournalReducer, t: JournalTrial): number[] {
  const first = t.retryOf ?? t.id;
  const chain = [first];
  for (let id = first + 1; id <= t.id; id++) if (r.get(id)?.retryOf === first) chain.push(id);
  return chain;
}

/**
 * The study after an ask: `before` (the state read under the lock) plus the
 * trial `added`, with the streams the ask wrote; null when more than that one
 * trial was folded since (the study was created again), so the caller reads
 * a fresh snapshot. Saves a second copy of every trial per ask.
 */
export function withAsked(before: JournalState, r: JournalReducer, added: JournalTrial): JournalState | null {
  if (r.nextId !== before.nextId + 1 || !before.header) return null;
  return {
    ...before, trials: [...before.trials, added], pending: [...before.pending, added], nextId: r.nextId, skipped: r.skipped(),
    rngState: r.rngState ? [...r.rngState] : null, modelState: r.modelState ? structuredClone(r.modelState) : null,
    designRngState: r.designRngState ? [...r.designRngState] : null,
  };
}

/** Builders of the operations by `worker` on the trial with Optuna trial_id `tid`. */
export function trialOps(worker: string, tid: number | undefined) {
  const attr = (key: string, value: unknown): JournalOp => ({ op_code: OP.SET_TRIAL_SYSTEM_ATTR, worker_id: worker, trial_id: tid, system_attr: { [key]: value } });
  return {
    /** one SET_TRIAL_SYSTEM_ATTR per key (Optuna's replay takes one key per operation) */
    attrs: (a: Record<string, unknown>): JournalOp[] => Object.entries(a).map(([k, v]) => attr(k, v)),
    /** SET_TRIAL_STATE_VALUES ending the trial at time `at` (ms) */
    state: (state: number, values: unknown[] | null, at: number): JournalOp =>
      ({ op_code: OP.SET_TRIAL_STATE_VALUES, worker_id: worker, trial_id: tid, state, values, datetime_complete: isoTime(at) }),
    /** SET_TRIAL_STATE_VALUES RUNNING at time `at` (ms): taking an enqueued trial, as Optuna's `ask` pops one */
    running: (at: number): JournalOp =>
      ({ op_code: OP.SET_TRIAL_STATE_VALUES, worker_id: worker, trial_id: tid, state: TRIAL_STATE.RUNNING, values: null, datetime_start: isoTime(at) }),
    /** SET_TRIAL_PARAM, the value in Optuna's internal form */
    param: (name: string, internal: number, distribution: string): JournalOp =>
      ({ op_code: OP.SET_TRIAL_PARAM, worker_id: worker, trial_id: tid, param_name: name, param_value_internal: internal, distribution }),
    /** SET_TRIAL_INTERMEDIATE_VALUE */
    intermediate: (step: number, value: number): JournalOp =>
      ({ op_code: OP.SET_TRIAL_INTERMEDIATE_VALUE, worker_id: worker, trial_id: tid, step, intermediate_value: value }),
    /** one SET_TRIAL_USER_ATTR per key, as Optuna's `trial.set_user_attr` writes them */
    userAttrs: (a: Record<string, unknown>): JournalOp[] =>
      Object.entries(a).map(([k, v]) => ({ op_code: OP.SET_TRIAL_USER_ATTR, worker_id: worker, trial_id: tid, user_attr: { [k]: v } })),
  };
}

/**
 * A copy of the folded study for readers: trials, pending ones, and those
 * whose owner `alive` says has stopped (asked once per worker). `frozen`:
 * the trials are read-only copies shared with other such snapshots (cheap
 * for a reader that only looks, such as an ask's choice).
 */
export async function snapshotOf(
  r: JournalReducer | V1Reducer, alive: (t: JournalTrial) => Promise<boolean | undefined>, frozen = false,
): Promise<JournalState> {
  const views = frozen && 'trialsView' in r;
  const trials = views ? r.trialsView() : r.trials();
  const pending = views ? r.pendingViews(trials) : trials.filter((t) => t.status === 'pending');
  const orphaned: JournalTrial[] = [];
  // one test per worker, not per trial; and per side of its mark of closing, which covers its trials before it
  const known = new Map<string, boolean | undefined>();
  for (const t of pending) {
    const key = `${t.worker ?? ''}\u0000${'markedClosed' in r && r.markedClosed(t) ? 1 : 0}`;
    if (!known.has(key)) known.set(key, await alive(t));
    if (known.get(key) === false) orphaned.push(t);
  }
  const stopped = orphaned.filter((t) => 'prunedStep' in r && r.prunedStep(t.id) !== undefined).map((t) => t.id);
  const waitingOutside = 'waitingOutside' in r ? r.waitingOutside() : [];
  return {
    header: r.header ? structuredClone(r.header) : null,
    trials,
    pending,
    orphaned,
    ...(stopped.length ? { stoppedByPruner: stopped } : {}),
    ...(waitingOutside.length ? { waitingOutside } : {}),
    // shared (frozen) with the views, a copy with the copies
    ...('finishOrder' in r ? { finishOrder: views ? r.finishOrder() : [...r.finishOrder()] } : {}),
    nextId: r.nextId,
    rngState: r.rngState ? [...r.rngState] : null,
    modelState: r.modelState ? structuredClone(r.modelState) : null,
    designRngState: r.designRngState ? [...r.designRngState] : null,
    skipped: r.skipped(),
  };
}

/** Non-empty lines in `text`: operations, one per line. */
export function countLines(text: string): number {
  let n = 0;
  for (let i = 0, start = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      if (i > start) n++;
      start = i + 1;
    }
  }
  return n;
}
