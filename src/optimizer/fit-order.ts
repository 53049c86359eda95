/**
 * The order of the GP's rows. The observations come grouped (completed
 * trials, then pruned, then failed ones, see ./observations), and a new
 * completed trial lands before the pruned and failed rows, so the rows of
 * the last fit were no longer a prefix of the next one's: refit 'auto' read
 * that as changed data and refitted the hyperparameters and the whole
 * factor at every suggestion (n = 1,500 with one failed trial: about 1 s
 * against 0.3-0.6 s). Fitted in the order the trials finished, each new row
 * comes last, so the factor is extended between refits as in a study of
 * completed trials alone (whose rows, Study.completed(), already come in
 * finish order).
 *
 * Below REFIT_ALWAYS_BELOW rows every fit refits anyway, and the rows keep
 * the grouped order there, so small studies fit exactly as before. The
 * order is read from the trials' recorded finish times, so a resumed study
 * fits its rows in the order the uninterrupted one did.
 */
import { REFIT_ALWAYS_BELOW } from '../gp/refit-schedule';
import type { Trial } from '../study/types';

/**
 * The permutation the GP is fitted in: row r of the fit is observation row
 * `perm[r]`; the rows sorted by finish time (trials without one first), then
 * trial id, then observation row (a trial's several learning-curve rows stay
 * in order). Null for the observations' own order: below
 * REFIT_ALWAYS_BELOW rows in all (`total`, the caller's extra rows
 * included), or where the sort changes nothing.
 * @param rows the trial of each observation row (`n`; extra rows after them stay last)
 * @param total rows the GP is fitted on
 * @example
 * fitOrder(obs.rows, obs.y.length); // [0, 1, 5, 2, 3, 4]: row 5, a completed trial, finished after the pruned rows 2-4
 */
export function fitOrder(rows: readonly Pick<Trial, 'id' | 'finishedAt'>[], total: number): Int32Array | null {
  if (total < REFIT_ALWAYS_BELOW) return null;
  const time = (i: number): number => rows[i].finishedAt ?? -Infinity;
  const idx = Array.from(rows, (_, i) => i);
  idx.sort((a, b) => {
    const ta = time(a);
    const tb = time(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    return rows[a].id - rows[b].id || a - b;
  });
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
