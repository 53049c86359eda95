/**
 * Permutation importance on a GP's posterior mean at its own training points, with the squared
 * distances kept apart by parameter: shuffling one parameter's column changes only its own terms
 * of each distance, so a shuffle costs n^2 kernel values, not n^2 d distance terms as a posterior
 * mean of the shuffled points does (4,000 parameters took 52 s, 20,000 hours).
 */
import { applyKernel, dotSeq } from '../gp/posterior';
import type { PosteriorFactors } from '../gp/types';
import type { DimLayout } from '../space/types';
import type { Rng } from '../util/rng';

/**
 * For each entry of `layout` (a parameter: one column, or a categorical's one-hot block), the mean
 * squared change of the standardized posterior mean at the n training points when that block is
 * shuffled among them, over `repeats` shuffles drawn from `rng` ({@link permutation}).
 * Equals the change of `predictMean` at the shuffled points up to rounding (the distance is
 * summed in another order). O(n^2 d + repeats n^2 p) for p parameters.
 * @param f the GP's factors, `X` its `n x d` training inputs
 */
export function permutationImportance(
  f: Omit<PosteriorFactors, 'Linv'>, layout: readonly DimLayout[], repeats: number, rng: Rng,
): number[] {
  const { n, d, X, alpha } = f;
  // the inputs divided by their lengthscales, column by column (`d x n`)
  const Z = new Float64Array(d * n);
  for (let k = 0; k < d; k++) for (let i = 0; i < n; i++) Z[k * n + i] = X[i * d + k] / f.lengthscales[k];
  // squared scaled distances of the columns from..to-1 between every two training points, into `into`
  const distances = (from: number, to: number, into: Float64Array): Float64Array => {
    into.fill(0);
    for (let k = from; k < to; k++) {
      for (let i = 0; i < n; i++) {
        const zi = Z[k * n + i];
        for (let t = 0; t < n; t++) {
          const u = zi - Z[k * n + t];
          into[i * n + t] += u * u;
        }
      }
    }
    return into;
  };
  const R = distances(0, d, new Float64Array(n * n));
  const B = new Float64Array(n * n); // one block's at a time: n^2 per parameter held at once was 256 MB at 400 x 200
  const row = new Float64Array(n);
  const meanAt = (i: number, B: Float64Array | null, from: number): number => {
    for (let t = 0; t < n; t++) {
      // the point's own distances with block B taken from training point `from`
      row[t] = B === null ? R[i * n + t] : Math.max(0, R[i * n + t] - B[i * n + t] + B[from * n + t]);
    }
    applyKernel(f.kernel, f.signalVariance, row, n);
    return dotSeq(row, alpha, n);
  };
  const base = Array.from({ length: n }, (_, i) => meanAt(i, null, i));
  return layout.map((l) => {
    distances(l.dim, l.dim + (l.kind === 'categorical' ? l.size : 1), B);
    let sum = 0;
    for (let r = 0; r < repeats; r++) {
      const perm = permutation(n, rng);
      for (let i = 0; i < n; i++) sum += (meanAt(i, B, perm[i]) - base[i]) ** 2;
    }
    return sum / (repeats * n);
  });
}

/** A uniformly random permutation of 0..n-1 (Rng's Fisher-Yates). */
export function permutation(n: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}
