/**
 * Regret curves for bench:parallel's `--curve-at T`: how many evaluations a
 * parallel mode needs to reach the regret a sequential run has after T.
 *
 * A run's curve is its best-so-far simple regret after each trial, in the
 * order the trials were told (a parallel run's completion order). The
 * median curve takes, at each trial count, the median over seeds. Comparing
 * medians at equal budgets (the goal's measure) says whether a mode is
 * within 2x of sequential; the curves say by how many evaluations it trails,
 * which is what a user pays for in wall time: with k workers and trials of
 * equal length, E evaluations take E / k trial lengths, so a mode that needs
 * E to match sequential's T is k T / E times faster on the clock.
 *
 * @example
 * ```ts
 * const seq = medianCurve(seeds.map((s) => bestSoFar(sequentialRegrets[s])));
 * const par = medianCurve(seeds.map((s) => bestSoFar(asyncRegrets[s])));
 * evaluationsToReach(par, seq[39]); // e.g. 45.3: async trails by 5.3 trials at T = 40
 * ```
 */

/** Best-so-far of `regrets` (one run's simple regrets, in the order told): entry i is the least of the first i + 1. */
export function bestSoFar(regrets: readonly number[]): number[] {
  const out: number[] = [];
  let best = Infinity;
  for (const r of regrets) {
    best = Math.min(best, r);
    out.push(best);
  }
  return out;
}

/** Median of `a` (the mean of the two middle values for an even count). */
export const median = (a: readonly number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median over runs at each trial count (`curves`: runs x trials, all the same length; entry i is after i + 1 trials). */
export function medianCurve(curves: readonly (readonly number[])[]): number[] {
  if (!curves.length) return [];
  const T = curves[0].length;
  if (curves.some((c) => c.length !== T)) throw new Error(`medianCurve: curves of lengths ${curves.map((c) => c.length).join(', ')}`);
  return Array.from({ length: T }, (_, i) => median(curves.map((c) => c[i])));
}

/**
 * The trial count (fractional) at which `curve` (entry i after i + 1 trials,
 * non-increasing) first reaches `target`: between the two whole counts that
 * straddle it, interpolated linearly in log regret (regrets fall about
 * geometrically while a search converges); the whole count where it lands
 * exactly or where either side is 0. Null when the curve never reaches it.
 */
export function evaluationsToReach(curve: readonly number[], target: number): number | null {
  const i = curve.findIndex((v) => v <= target);
  if (i < 0) return null;
  if (i === 0 || curve[i] === target) return i + 1;
  const hi = curve[i - 1];
  const lo = curve[i];
  if (lo <= 0 || target <= 0) return i + 1;
  return i + (Math.log(hi) - Math.log(target)) / (Math.log(hi) - Math.log(lo));
}

/** One cell of {@link reachTable}: `evaluations` null when the mode's median curve never reaches the target. */
export interface ReachRow { problem: string; method: string; sequentialAtT: number; evaluations: number | null }

/**
 * Per problem, the sequential run's median best-so-far regret after `T`
 * trials and the evaluations each other method's median curve needs to
 * reach it, as rows and as a markdown table's lines.
 * @param curves best-so-far curves (runs x trials) by "problem method"
 */
export function reachTable(
  curves: ReadonlyMap<string, readonly (readonly number[])[]>, problems: readonly string[], methods: readonly string[], T: number, budget: number,
): { rows: ReachRow[]; lines: string[] } {
  const rows: ReachRow[] = [];
  const shown = methods.filter((m) => m !== 'sequential');
  const lines = [`| problem | sequential after ${T} | ${shown.join(' | ')} |`, `| --- | --- |${shown.map(() => ' --- |').join('')}`];
  for (const problem of problems) {
    const seq = curves.get(`${problem} sequential`);
    if (!seq) continue;
    const target = medianCurve(seq)[T - 1];
    const cells = shown.map((method) => {
      const c = curves.get(`${problem} ${method}`);
      if (!c) return '-';
      const e = evaluationsToReach(medianCurve(c), target);
      rows.push({ problem, method, sequentialAtT: target, evaluations: e });
      return e === null ? `> ${budget}` : e.toFixed(1);
    });
    lines.push(`| ${problem} | ${target.toPrecision(3)} | ${cells.join(' | ')} |`);
  }
  return { rows, lines };
}
