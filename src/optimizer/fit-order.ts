/**
 * The order of the GP's rows. The observations come grouped (completed
 * trials, then pruned, then failed ones, see ./observations), and a new
 * completed trial lands before the pruned and failed rows, so the rows of
 * the last fit were no longer a prefix of the next one's: refit 'auto' read
 * that as changed data and refitted the hyperparameters and the whole
 * factor at every suggestion (n = 1,500 with 15 failed trials: 741 ms
 * against 250 ms). Fitted in the order the trials ended, each new row comes
 * last, so the factor is extended between refits as in a study of
 * completed trials alone.
 *
 * That order is the one the storage recorded the ends in
 * (`Study.finished()`: a journal's line order), not the trials' finish
 * times: those are Optuna's naive local times, which put the trials of a
 * worker in another time zone, or those told across a daylight-saving
 * change, out of order (every fit then refitted, and a study resumed in
 * another zone fitted its rows in another order than the uninterrupted one).
 *
 * Below REFIT_ALWAYS_BELOW rows every fit refits anyway, and the rows keep
 * the grouped order there, so small studies fit exactly as before.
 */
import { REFIT_ALWAYS_BELOW } from '../gp/refit-schedule';
import type { Trial } from '../study/types';

/**
 * The permutation the GP is fitted in: row r of the fit is observation row
 * `perm[r]`; the rows sorted by their trial's place in `finished` (a trial
 * not there first), then by row (a trial's several learning-curve rows keep
 * their order). Null for the observations' own order: below
 * REFIT_ALWAYS_BELOW rows in all (`total`, the caller's extra rows
 * included), or where the sort changes nothing.
 * @param rows the trial of each observation row (`n`; extra rows after them stay last)
 * @param total rows the GP is fitted on
 * @param finished the study's finished trials in the order their ends were recorded (`Study.finished()`)
 * @example
 * // 64 rows: 60 completed trials (ids 0-59, 62, 63), then trial 60 pruned and 61 failed, which ended before 62 and 63
 * fitOrder(obs.rows, 64, study.finished()); // [0, ..., 59, 62, 63, 60, 61]
 */
export function fitOrder(rows: readonly Pick<Trial, 'id'>[], total: number, finished: readonly Pick<Trial, 'id'>[]): Int32Array | null {
  if (total < REFIT_ALWAYS_BELOW) return null;
  const place = new Map<number, number>();
  finished.forEach((t, i) => place.set(t.id, i));
  const rank = rows.map((t) => place.get(t.id) ?? -1);
  const idx = Array.from(rows, (_, i) => i);
  idx.sort((a, b) => rank[a] - rank[b] || a - b);
  return idx.every((v, i) => v === i) ? null : Int32Array.from(idx);
}

/**
 * Rows `perm[r]` of `X` (`total x d`) and `y` as rows r, rows from
 * `perm.length` on in place; without a permutation, `X` and `y` themselves.
 */
export function permuteRows(
  X: Float64Array, y: Float64Array, d: number, perm: Int32Array | null,
): { X: Float64Array; y: Float64Array } {
  if (!perm) return { X, y };
  const Xp = X.slice();
  const yp = y.slice();
  perm.forEach((from, r) => {
    Xp.set(X.subarray(from * d, from * d + d), r * d);
    yp[r] = y[from];
  });
  return { X: Xp, y: yp };
}
