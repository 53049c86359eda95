/**
 * The Journal's (./journal) steps under the backend's lock that record on a
 * running trial: its end (a tell, a prune), its intermediate values and user
 * attributes, and the end of a worker that leaves trials running. Each reads the journal
 * first, so a trial another worker ended meanwhile is seen as ended.
 */
import { InvalidPointError, StateError } from '../errors';
import { notBefore } from '../util/clock';
import type { TrialAdder } from './journal-asks';
import { formatOps } from './optuna-format';
import { CLOSED_PREFIX, JournalReducer } from './state';
import { isoTime } from './optuna-format';
import { studyAttrOp } from './journal-ops';
import { notRunning } from './trial-queries';

/** How a trial ends: the step's name (for messages), `wbo:` attrs (one op each), Optuna state, values and time (epoch ms). */
export interface TrialEnd {
  op: string;
  attrs: Record<string, unknown>;
  state: number;
  values: unknown[] | null;
  at: number;
}

/**
 * Ends pending trial `id` (asked in the study whose Optuna id was
 * `askedIn`, when this journal asked it): its attrs, then its state and
 * values. False, writing nothing, when it had ended.
 * @throws StateError when the trial is unknown, or its study was deleted while it ran
 */
export async function finishLocked(j: TrialAdder, id: number, askedIn: number | null | undefined, end: TrialEnd): Promise<boolean> {
  await j.folder.refresh();
  const r = j.folder.reducer as JournalReducer;
  const sid = r.studyId;
  if (askedIn !== undefined && askedIn !== sid) {
    // a StateError, not a StorageError: no later write could record it, so it is not kept for one
    throw new StateError(`${j.label}: ${end.op}: trial ${id}'s study was deleted${sid === null ? '' : ' and created again'} by another worker while it ran; its result was not recorded`);
  }
  const t = r.get(id);
  if (!t) throw new StateError(`${j.label}: ${end.op}: unknown trial id ${id}`);
  if (t.status !== 'pending') return false;
  const on = j.on(id);
  // never before the trial's start: a result kept from before its ask (register, a retried kept result) is told after it
  await j.folder.write(formatOps([...on.attrs(end.attrs), on.state(end.state, end.values, notBefore(end.at, t.startedAt))]));
  return true;
}

/** The trial system attributes a pruner keeps with a report: given, or returned by a judge run after the journal is read. */
export type ReportAttrs = Readonly<Record<string, number>> | undefined | (() => Promise<Readonly<Record<string, number>> | undefined>);

/**
 * Records intermediate value `value` at `step` of pending trial `id`, and
 * the trial system attributes a pruner keeps with it (`attrs`; a function
 * is called once the journal is read and the trial found running, so a
 * pruner judges the study as every worker has written it up to this report).
 * @throws StateError when the trial is unknown, waiting or ended
 */
export async function reportLocked(j: TrialAdder, id: number, step: number, value: number, attrs?: ReportAttrs): Promise<void> {
  await j.folder.refresh();
  const t = j.folder.reducer.get(id);
  if (!t) throw new StateError(`${j.label}: report: unknown trial id ${id}`);
  if (t.status !== 'pending') throw new StateError(`${j.label}: ${notRunning('report', id, t.status)}`);
  // the caller checked the step against its own record; another worker's reports of this trial are only here
  // (a second Study on the journal wrote step 3 after step 5, and replaced step 5's value)
  const last = Math.max(-1, ...Object.keys(t.intermediate ?? {}).map(Number));
  // this very report already there: a step run again after a write whose reply was lost (a Redis
  // connection dropped after the append landed) finds it, and writes nothing more
  if (step === last && Object.is(t.intermediate?.[step], value)) return;
  if (step <= last) throw new InvalidPointError(`${j.label}: report: step: ${step} must be greater than the last reported step (${last})`, 'step');
  const systemAttrs = typeof attrs === 'function' ? await attrs() : attrs;
  const on = j.on(id);
  // a pruner's attributes after the value, in one write, as Optuna's report then should_prune write them
  await j.folder.write(formatOps([on.intermediate(step, value), ...(systemAttrs ? on.attrs(systemAttrs) : [])]), { progress: true });
}

/**
 * Records user attributes `attrs` of pending trial `id` (Optuna's
 * `trial.set_user_attr`; the caller has checked they are JSON).
 * @throws StateError when the trial is unknown, waiting or ended
 */
export async function userAttrsLocked(j: TrialAdder, id: number, attrs: Readonly<Record<string, unknown>>): Promise<void> {
  await j.folder.refresh();
  const t = j.folder.reducer.get(id);
  if (!t) throw new StateError(`${j.label}: set user attr: unknown trial id ${id}`);
  if (t.status !== 'pending') throw new StateError(`${j.label}: ${notRunning('set user attr', id, t.status)}`);
  await j.folder.write(formatOps(j.on(id).userAttrs(attrs)), { progress: true });
}

/**
 * Writes that worker `j.worker` has closed, where it still owns pending
 * trials: study system attr `wbo:closed:<worker>` (the time, ISO), which
 * Optuna keeps as any system attr. Other processes cannot tell a closed
 * journal from the live process or open backend behind it, and took its
 * trials as running until that ended; reading this, they fail and retry
 * the trials it asked before (./journal-folder's ownerAlive). Only
 * generated worker ids write it (a caller's id stays the caller's); trials
 * asked later under the same id (a backend that names its worker alike in
 * every process) are not covered: the mark counts the trials before it.
 */
export async function markClosedLocked(j: TrialAdder): Promise<void> {
  await j.folder.refresh();
  const r = j.folder.reducer;
  if (!(r instanceof JournalReducer) || r.studyId === null) return;
  if (!r.trialsView().some((t) => t.status === 'pending' && t.worker === j.worker)) return;
  await j.folder.write(formatOps([studyAttrOp(j.worker, r.studyId, CLOSED_PREFIX + j.worker, isoTime(Date.now()))]));
}
