/**
 * The time a trial is told, for ordering finished trials. `Date.now()` has
 * whole milliseconds, and trials told within one millisecond (several
 * workers of one process finishing together, a fast objective) tie, so
 * `res` fell back to ask order for them instead of the order they were
 * told. `tellTime()` is the wall clock, but strictly increasing within the
 * process: a call in the same millisecond as the previous one returns it
 * plus one microsecond. It never runs behind `Date.now()`, so a trial's
 * `finishedAt` is never before its `startedAt`. Storages keep the
 * microseconds (Optuna's journal writes `datetime_complete` with them).
 *
 * @example
 * ```ts
 * const a = tellTime(), b = tellTime();
 * b > a; // true, even within one millisecond
 * ```
 */

/** One microsecond, in ms. */
export const TELL_TIME_STEP_MS = 0.001;

let last = -Infinity;

/** Epoch ms, whole microseconds, strictly increasing from call to call in this process. */
export function tellTime(): number {
  const now = Date.now();
  last = now > last ? now : roundMicros(last + TELL_TIME_STEP_MS);
  return last;
}

/**
 * Epoch ms for a trial this process starts (an ask): the wall clock, with `tellTime`'s clock moved up
 * to it, so that a tell after the wall clock was stepped back still comes after every start of this
 * process (the trial asked before the step, told after it, was put after a trial asked and told
 * later, and `finishedAt` fell).
 */
export function startTime(): number {
  const now = Date.now();
  if (now > last) last = now;
  return now;
}

/** `ms` rounded to whole microseconds (the resolution journals store). */
export function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * A finish time `at` no earlier than the trial's start: a registered point's
 * result is timed when `register` is called, before its trial is asked (and
 * a kept result is asked again after the storage comes back), and a trial
 * must not end before it began (Optuna would show a negative duration).
 * For the tells of this process (its callers): a raised time moves
 * `tellTime`'s clock to it, so a tell later in that millisecond still comes
 * after (it tied, and ask order put it first).
 */
export function notBefore(at: number, startedAt: number | undefined): number {
  if (startedAt === undefined || at >= startedAt) return at;
  // a start this process's clock has reached (its own ask, a millisecond on): a start ahead of it (another
  // machine's clock, Optuna's naive local time from another time zone) would hold every later tell there
  if (startedAt > last && startedAt <= Date.now()) last = startedAt;
  return startedAt;
}
