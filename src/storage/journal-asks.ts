/**
 * The two steps of the Journal (./journal) that add trials, each run under
 * the backend's lock: an ask, and the retry of a stopped worker's trial.
 * Both find their own trial when a step runs again after a write whose reply
 * was lost with the connection (the `askId` written with the trial).
 */
import { StorageError } from '../errors';
import type { Params, SpaceSpec } from '../space/types';
import { samePoint } from '../study/point-key';
import { notBefore, startTime, tellTime } from '../util/clock';
import { formatOps } from './optuna-format';
import type { JournalFolder } from './journal-folder';
import { completedElsewhereReason, type AskExtra, type AskResult } from './journal-io';
import { askAttrs, createTrialOp, encodeAsk, enqueueProblem, enqueueTrialOp, namedRetry, pointError, retryHistory, failOps, staleRetryOps, withAsked, type trialOps } from './journal-ops';
import { errorText } from '../util/error-text';
import { copyTrial, JournalReducer } from './state';
import { TRIAL_STATE, type JournalState, type JournalTrial } from './types';
import { budgetTaken, retriesFailed, type ClaimExtra, type Reclaimed, type ReclaimExtra } from './study-storage';

/** What the steps need of the journal. */
export interface TrialAdder {
  folder: JournalFolder;
  /** the id written into this process's operations */
  worker: string;
  /** the journal's name, for error messages */
  label: string;
  /** the space of the journal's options (the header's wins when there is one) */
  space: SpaceSpec | undefined;
  /** the study's Optuna study_id, creating the study if it was deleted meanwhile */
  studyId(): Promise<number>;
  /** builders of the operations on trial number `id` by this worker */
  on(id: number): ReturnType<typeof trialOps>;
}

/** Journal.askWith's step under the lock (see there). */
export async function askLocked(
  j: TrialAdder, askId: string, choose: (state: JournalState) => Params | Promise<Params>, extra: AskExtra,
): Promise<AskResult> {
  await j.folder.refresh();
  const reducer = () => j.folder.reducer as JournalReducer;
  const before = await j.folder.snapshot(true); // read-only trials: choose only looks
  const landed = reducer().askedAs?.(askId);
  if (landed !== undefined) {
    const trial = copyTrial(reducer().get(landed) as JournalTrial);
    return { trial, state: before, othersPending: before.pending.filter((t) => t.worker !== j.worker) };
  }
  const enc = encodeAsk(j.label, await choose(before), reducer().header?.space ?? j.space);
  const id = reducer().nextId;
  const op = createTrialOp(j.worker, await j.studyId(), enc, extra, askId);
  await j.folder.write(formatOps([op]));
  // the study now is the one read, plus this trial (only this write was folded since): no second copy of every trial
  const added = copyTrial(reducer().get(id) as JournalTrial);
  const state = withAsked(before, reducer(), added) ?? (await j.folder.snapshot()); // null: the study was created again meanwhile
  const trial = copyTrial(added);
  const othersPending = before.pending.filter((t) => t.worker !== j.worker);
  return { trial, state, othersPending };
}

/** Journal.reclaim's step under the lock (see there). */
export async function reclaimLocked(
  j: TrialAdder, id: number, askId: string, extra: ReclaimExtra,
): Promise<Reclaimed | null> {
  await j.folder.refresh();
  const r = j.folder.reducer as JournalReducer;
  const t = r.get(id);
  const landed = r.askedAs?.(askId);
  if (t && landed !== undefined) return { failed: copyTrial(t), retry: copyTrial(r.get(landed) as JournalTrial) };
  // a CREATE_TRIAL at t's params for this worker, with the streams the retry carries
  const retryOp = async (of: JournalTrial) =>
    createTrialOp(j.worker, await j.studyId(), encodeAsk(j.label, of.params, r.header?.space ?? j.space), { source: of.source, rng: extra.rng, model: extra.model }, askId);
  if (t && retriesFailed(t, r.trialsView(), extra)) {
    // failed already (by its own optimizer, see ReclaimExtra.failedAs): only the retry is written
    const retryId = r.nextId;
    await j.folder.write(formatOps([namedRetry(await retryOp(t), t, retryHistory(r, t))]));
    return { failed: copyTrial(t), retry: copyTrial(r.get(retryId) as JournalTrial) };
  }
  if (!t || t.status !== 'pending') return null;
  if (t.worker !== j.worker && !extra.force && (await j.folder.ownerAlive(t)) !== false) return null;
  const at = r.prunedStep(id);
  const value = at === undefined ? undefined : t.intermediate?.[at];
  if (value !== undefined) {
    // a pruner had stopped it at that report, and its worker ended before recording so: it ends pruned there
    await j.folder.write(formatOps([j.on(id).state(TRIAL_STATE.PRUNED, [value], notBefore(tellTime(), t.startedAt))]));
    return { failed: copyTrial(r.get(id) as JournalTrial), retry: null };
  }
  const closed = r.markedClosed(t); // the reason says so: "its process ended" misleads where it closed the optimizer
  const twin = r.trialsView().find((x) => x.status === 'complete' && samePoint(x.params, t.params));
  if (twin) {
    // another worker registered this very point: retrying it would evaluate it twice
    await j.folder.write(formatOps(failOps(j.on(id), completedElsewhereReason(t.worker, twin.id, closed), t.startedAt)));
    return { failed: copyTrial(r.get(id) as JournalTrial), retry: null };
  }
  const retryId = r.nextId;
  await j.folder.write(formatOps(staleRetryOps(j.on(id), t, await retryOp(t), retryHistory(r, t), closed)));
  return { failed: copyTrial(r.get(id) as JournalTrial), retry: copyTrial(r.get(retryId) as JournalTrial) };
}

/** Journal.enqueue's step under the lock (see there). */
export async function enqueueLocked(j: TrialAdder, params: Params, userAttrs: Record<string, unknown> | undefined): Promise<JournalTrial> {
  await j.folder.refresh();
  const r = () => j.folder.reducer as JournalReducer;
  const space = r().header?.space ?? j.space;
  const problem = enqueueProblem(params, space);
  if (problem) throw pointError(j.label, 'enqueue', problem);
  const id = r().nextId;
  await j.folder.write(formatOps([enqueueTrialOp(j.worker, await j.studyId(), params, userAttrs)], space));
  return copyTrial(r().get(id) as JournalTrial);
}

/** Why an enqueued trial was failed instead of taken: `complete` refused its point. */
export function enqueuedFailure(e: unknown): string {
  return `enqueued point not evaluated: ${errorText(e)}`;
}

/** Journal.claimWaiting's step under the lock (see there). */
export async function claimLocked(
  j: TrialAdder, askId: string, complete: (params: Params) => Params, extra: ClaimExtra,
): Promise<JournalTrial | null> {
  await j.folder.refresh();
  const r = () => j.folder.reducer as JournalReducer;
  const landed = r().askedAs?.(askId);
  if (landed !== undefined) return copyTrial(r().get(landed) as JournalTrial);
  for (;;) {
    const trials = r().trialsView();
    const t = trials.find((x) => x.status === 'waiting');
    // a resume budget the other workers took meanwhile (the caller's record may be behind): the rest stay waiting
    if (!t || budgetTaken(trials, extra.limit)) return null;
    const on = j.on(t.id);
    let enc: ReturnType<typeof encodeAsk>;
    try {
      enc = encodeAsk(j.label, complete({ ...t.params }), r().header?.space ?? j.space);
    } catch (e) {
      // a point that cannot be evaluated is failed with the reason, in the open, rather than left waiting
      // to stop every worker's asks for good
      const reason = enqueuedFailure(e);
      await j.folder.write(formatOps(failOps(on, reason)));
      if (r().get(t.id)?.status === 'waiting') throw new StorageError(`${j.label}: enqueued trial ${t.id} could not be failed (the write did not apply)`);
      continue;
    }
    const attrs = askAttrs(j.worker, { source: 'enqueue', rng: extra.rng, model: extra.model }, askId);
    const params = Object.entries(enc.params).map(([k, v]) => on.param(k, v, enc.distributions[k]));
    await j.folder.write(formatOps([on.running(startTime()), ...params, ...on.attrs(attrs)]));
    const now = r().get(t.id);
    if (now?.status === 'pending' && now.worker === j.worker) return copyTrial(now);
    // a writer that does not take the lock (Optuna on Redis) took it first: on to the next one
    if (!now || now.status === 'waiting') throw new StorageError(`${j.label}: enqueued trial ${t.id} could not be taken (the write did not apply)`);
  }
}
