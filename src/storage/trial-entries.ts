/**
 * Reads of the folded trials of a study (./state's JournalReducer keeps them
 * as entries: the trial, its Optuna state, the lines that created and ended
 * it, the line that skipped it): the order they ended in, the ones skipped,
 * and frozen views shared between reads.
 */
import { copyTrial } from './line-folder';
import { isFinished, type Entry } from './trial-fold';
import { TRIAL_STATE, type JournalTrial } from './types';

/** See skippedTrialsOf. */
export interface SkippedTrials {
  /** asked trials (enqueued ones left out) skipped because their points do not fit the space */
  skipped: number;
  /** asked trials in all */
  total: number;
  /** the line of the first skipped one */
  firstLine: number | undefined;
}

/**
 * Ids of the finished trials (not skipped) in the order the journal
 * recorded their ends: the order they were told, where their
 * `finishedAt` (Optuna's naive local times) misorders workers in other
 * time zones and tells across a daylight-saving change.
 */
export function finishOrderOf(entries: readonly Entry[]): number[] {
  const done = entries.filter((e) => e.skippedAt === undefined && e.doneLine !== undefined && isFinished(e.state));
  return done.sort((a, b) => (a.doneLine as number) - (b.doneLine as number)).map((e) => e.trial.id);
}

/**
 * The study's asked trials skipped because their points do not fit the
 * space, with the first one's line and how many were asked; enqueued ones
 * are left out of both counts (one outside the space waits for Optuna's
 * workers, no history a run is blind to: see waitingOutsideOf).
 */
export function skippedTrialsOf(entries: readonly Entry[]): SkippedTrials {
  let skipped = 0;
  let total = 0;
  let firstLine: number | undefined;
  for (const e of entries) {
    if (e.state === TRIAL_STATE.WAITING) continue;
    total++;
    if (e.skippedAt === undefined) continue;
    skipped++;
    firstLine = Math.min(firstLine ?? e.skippedAt, e.skippedAt);
  }
  return { skipped, total, firstLine };
}

/** Ids of the skipped trials still waiting: enqueued points outside the space, Optuna's workers' to take. */
export function waitingOutsideOf(entries: readonly Entry[]): number[] {
  const out: number[] = [];
  for (const e of entries) if (e.skippedAt !== undefined && e.state === TRIAL_STATE.WAITING) out.push(e.trial.id);
  return out;
}

/**
 * Every trial not skipped, as frozen copies kept in `views` (by number) and
 * shared between calls: a trial is copied again only after it changed (its
 * view dropped), so a reader that only looks pays for what changed, not for
 * the whole study.
 */
export function viewsOf(entries: readonly Entry[], views: (JournalTrial | undefined)[]): JournalTrial[] {
  const out: JournalTrial[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.skippedAt === undefined) out.push((views[i] ??= freezeTrial(copyTrial(e.trial))));
  }
  return out;
}

function freezeTrial(t: JournalTrial): JournalTrial {
  Object.freeze(t.params);
  if (t.intermediate) Object.freeze(t.intermediate);
  if (t.rungs) Object.freeze(t.rungs);
  if (t.prunerAttrs) Object.freeze(t.prunerAttrs);
  if (t.userAttrs) Object.freeze(t.userAttrs);
  return Object.freeze(t);
}
