/**
 * Cheap upper bounds of a candidate's posterior variance, and of its score,
 * for screened scoring (screening.ts). All rest on one fact: conditioning on
 * fewer observations cannot lower the variance (a Schur complement is
 * positive semidefinite), so for any subset S of the observations
 * s2 - k_S^T (K_SS + noise I)^{-1} k_S >= the variance given all of them.
 */
import { log } from '../util/math';
import { kernelFromR2 } from '../gp/kernels';
import { leadingBlock } from './bounding-chunks';
import { nearVariance } from './bounding-kernel';
import { choleskyInPlaceFast, gramCholeskyFast } from '../gp/cholesky-wasm';
import { kernelRow, type ScaledInputs } from '../gp/posterior';
import type { ColumnBlock } from '../gp/forward-block';
import { acquisitionScore, SIGMA_FLOOR, type AcquisitionSpec } from './functions';
import { logHTailUpper } from './special';

/** Relative slack on the variance bound and on the score comparison, for rounding. */
export const SLACK = 1e-9;

/** Observations the local bound conditions on (bounding-kernel.ts's nearVariance). */
export const NEAR = 4;

/**
 * Upper bound of the posterior variance at a point from its NEAR most
 * correlated observations alone: s2 - k_S^T (K_SS + noise I)^{-1} k_S, by a
 * small Cholesky. Widened by the rounding the small solve can make on an
 * ill-conditioned K_SS (duplicates, noise at the floor); falls back to the
 * prior variance when K_SS will not factor.
 */
export class NearBound {
  private readonly idx = new Int32Array(NEAR);
  private readonly val = new Float64Array(NEAR);
  private readonly A = new Float64Array(16);
  private readonly w = new Float64Array(NEAR);
  private readonly slack: number;

  constructor(private readonly s: ScaledInputs, private readonly noise: number) {
    const s2 = s.signalVariance;
    this.slack = 1e-14 * NEAR * (s2 / Math.max(noise, 1e-300)) * s2;
  }

  variance(kx: Float64Array): number {
    const { n, d, Z, signalVariance: s2, kernel } = this.s;
    return nearVariance(kernel, n, d, Z, s2, this.noise, this.slack, kx, this.idx, this.val, this.A, this.w);
  }
}

/** sqrt of a variance upper bound, widened for rounding and capped at the prior. */
export function sigmaBound(variance: number, s2: number): number {
  const vb = Math.max(0, variance) * (1 + SLACK) + SLACK * s2;
  return Math.sqrt(Math.min(vb, s2));
}

/**
 * {@link scoreBound} of `m` candidates (means `mu`, sigma bounds `sigmaMax`)
 * into `out`, each the very float of scoreBound, except for (log) EI in
 * logH's tail (z <= -3, most candidates of a screening): there a looser
 * upper bound from logHTailUpper (special.ts; at most about 0.009 above to
 * t = 1.3e4, looser further out),
 * marked in `lazy` (`m`; 1 there, 0 elsewhere). A candidate whose bound
 * could matter gets scoreBound's float then (screening-rounds.ts): the 199
 * divisions of logH's tail are paid by a few hundred candidates instead of
 * tens of thousands.
 */
export function scoreBounds(
  spec: AcquisitionSpec, mu: Float64Array, sigmaMax: Float64Array, best: number, m: number, out: Float64Array, lazy: Uint8Array,
): void {
  for (let p = 0; p < m; p++) {
    const t = eiTail(spec, mu[p], sigmaMax[p], best);
    lazy[p] = t === t ? 1 : 0;
    out[p] = t === t ? log(Math.max(sigmaMax[p], SIGMA_FLOOR)) + logHTailUpper(t) : scoreBound(spec, mu[p], sigmaMax[p], best);
  }
}

/**
 * {@link scoreBound}, except for (log) EI in logH's tail (z <= -3), where
 * it is logHTailUpper's upper bound of it (special.ts; at most about 0.009
 * above to t = 1.3e4, looser further out): a bound only ever compared with a cut can take that wherever it
 * is under the cut.
 */
export function scoreBoundUpper(spec: AcquisitionSpec, mu: number, sigmaMax: number, best: number): number {
  const t = eiTail(spec, mu, sigmaMax, best);
  return t === t ? log(Math.max(sigmaMax, SIGMA_FLOOR)) + logHTailUpper(t) : scoreBound(spec, mu, sigmaMax, best);
}

/**
 * For (log) EI, -z of its bound at sigmaMax where that lies in logH's tail
 * (3 <= -z <= 1e8), else NaN; as functions.ts logExpectedImprovement
 * computes it: z = (mu - best - xi) / s, s = max(sigma, SIGMA_FLOOR).
 */
function eiTail(spec: AcquisitionSpec, mu: number, sigmaMax: number, best: number): number {
  if (spec.kind !== 'ei' && spec.kind !== 'logei') return NaN;
  const t = -((mu - best - spec.xi) / Math.max(sigmaMax, SIGMA_FLOOR));
  return t >= 3 && t <= 1e8 ? t : NaN;
}

/** An upper bound of the ranking score over every sigma in [0, sigmaMax]. */
export function scoreBound(spec: AcquisitionSpec, mu: number, sigmaMax: number, best: number): number {
  if (spec.kind === 'pi' && mu - best - spec.xi >= 0) return 0; // log PI <= log 1
  if (spec.kind === 'ucb') return mu + Math.max(spec.kappa, 0) * sigmaMax;
  return acquisitionScore(spec, mu, sigmaMax, best);
}

/**
 * Rows of S's forward substitution the bounding pass gives every candidate
 * (at most |S|): a tighter first bound, so fewer candidates reach the exact
 * stage, each of which would cost an exact kernel row (n exact entries), a
 * bisection of its needed sigma and the same rows again. 64 rather than the
 * exact stage's checkpoint step of 32: in the warm requests of
 * bench/propose-replay.ts at 1,000/6 with 65,536 candidates the exact
 * variances fell from 189, 337, 530, 664 to 163, 176, 268, 320 per request
 * and the CPU time by 10-20%; 96 and 128 were no better, 48 in between. With
 * many candidates it shrinks as if its m x head doubles had to fit within
 * PASS_HEAD_BYTES, down to 32: the pass kept them until the exact stage
 * learned to solve them again; the shrink stays so that work and results
 * at m >= 2^18 are those of before (whether 64 rows pay there is unmeasured).
 */
export const PASS_HEAD = 64;

/** Memory the kept head rows may take (m x head doubles) before the head shrinks towards 32. */
export const PASS_HEAD_BYTES = 128 * 2 ** 20;

/** The pass's head for m candidates and |S| = s: PASS_HEAD within PASS_HEAD_BYTES, at least 32, at most s. */
export function passHead(m: number, s: number): number {
  const fit = Math.floor(PASS_HEAD_BYTES / (8 * Math.max(1, m)));
  return Math.min(s, Math.max(32, Math.min(PASS_HEAD, fit)));
}

/** Most observations in the shared relevant subset S (its Cholesky costs |S|^3 / 3). */
export const SUBSET_MAX = 512;

/** Observations S may have at any n (all of them up to this many). */
export const SUBSET_MIN = 64;

/**
 * |S| for n observations: half of them (at least SUBSET_MIN, at most
 * SUBSET_MAX). With all n in S, a candidate that survives S's checkpoints
 * (screening.ts) pays a second forward substitution as long as its exact
 * one, and S's Cholesky costs n^3 / 3 per round. At n = 256, d = 8
 * (bench:suggest, 5 warm calls) |S| = 128 took 10-20% fewer multiply-adds
 * and fewer kernel rows than |S| = 256 despite more exact variances; 96 and
 * 192 were in between, 64 took up to 1.5x more. At n = 128 |S| = 64 was no
 * worse than 128. The scores are the same whatever |S|: it only changes
 * which candidates are skipped.
 */
export function subsetSize(n: number): number {
  return Math.min(n, SUBSET_MAX, Math.max(SUBSET_MIN, Math.ceil(n / 2)));
}

/**
 * A subset S of the observations ({@link subsetSize} of them unless told),
 * most relevant first (largest correlation with any of the round's centres:
 * the incumbents, or round one's winners), and the Cholesky factor of K_SS + noise I. Its leading r x r block is the
 * factor of the first r observations of S alone, so the forward substitution
 * w = L_S^{-1} k_S bounds the variance after every row: s2 - sum_{i < r} w_i^2,
 * tightening fastest where the candidates are. The diagonal is taken from
 * the posterior's own factor (||row i of L||^2 = K_ii + noise + any jitter);
 * a jitter the small factorization adds only raises the bound.
 *
 * Rounding: the bound and the exact variance come from different solves,
 * so the bound is widened by 64 n eps s2. Their difference, measured with
 * S = all observations (equal in exact arithmetic), stayed below 300 eps s2
 * on seeded fits with duplicates, noise at the floor 1e-6 and lengthscales
 * up to 5 (test/acquisition/screening-bounds.test.ts checks the widened
 * bound there). This margin is measured, not a worst-case bound: that one,
 * about |S| eps s2^2 / noise, exceeds the variances themselves on such fits
 * and would prune nothing.
 */
export class RelevantSubset {
  /** |S| (0 where K_SS will not factor; with `defer`, the selected size until {@link complete}) */
  size: number;
  /** observation indices, most relevant first */
  readonly idx: Int32Array;
  /** `size x size` lower factor of K_SS + noise I (empty until {@link complete} with `defer`) */
  L: Float64Array = new Float64Array(0);
  /** added to every subset variance bound */
  readonly slack: number;
  /** what the factorization still needs, with `defer` until {@link complete} */
  private todo: { sc: ScaledInputs; diag: Float64Array } | null;

  /**
   * @param defer select S now and factor it in {@link complete} (the
   *   leading block the bounding pass needs comes from {@link leading}), so
   *   the factorization can run while other threads start the pass
   */
  constructor(
    sc: ScaledInputs, L: Float64Array, noise: number, centres: ArrayLike<number>, nCentres: number,
    max = subsetSize(sc.n), defer = false,
  ) {
    const { n } = sc;
    const rel = new Float64Array(n).fill(-Infinity);
    const kx = new Float64Array(n);
    for (let c = 0; c < nCentres; c++) {
      kernelRow(sc, centres, c, kx);
      for (let i = 0; i < n; i++) if (kx[i] > rel[i]) rel[i] = kx[i];
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rel[b] - rel[a] || a - b);
    const s = Math.min(n, max);
    this.idx = Int32Array.from(order.slice(0, s));
    // K_SS's diagonal as the posterior's factorization saw it (its jitter included)
    const diag = new Float64Array(s);
    for (let a = 0; a < s; a++) {
      const ia = this.idx[a];
      let dd = 0;
      for (let j = 0; j <= ia; j++) dd += L[ia * n + j] * L[ia * n + j];
      diag[a] = dd;
    }
    this.size = s;
    this.slack = 64 * Number.EPSILON * Math.max(n, 1) * sc.signalVariance;
    this.todo = { sc, diag };
    if (!defer) this.complete();
  }

  /** Factors K_SS + noise I (idempotent): `size` and `L` are final after it. */
  complete(): void {
    if (!this.todo) return;
    const { sc, diag } = this.todo;
    this.todo = null;
    const L = subsetFactor(sc, this.idx, diag, this.size);
    this.size = L ? this.size : 0; // K_SS will not factor: no subset bound (the others still hold)
    this.L = L ?? new Float64Array(0);
  }

  /**
   * The factor of S's first `rows` observations alone, `rows x rows`, or
   * null where it will not factor. Unless a jitter was needed, it is the
   * leading block of {@link complete}'s factor, float for float (the
   * factorization finishes rows in order, blocks of 48 from the first row,
   * and no entry reads a later row); with one, it is the exact factor of
   * those observations' own kernel matrix (plus a jitter that only raises
   * the bound), so the variance bound it gives holds either way.
   */
  leading(rows: number): Float64Array | null {
    if (!this.todo) return this.size === 0 ? null : leadingBlock(this.L, this.size, rows);
    return subsetFactor(this.todo.sc, this.idx, this.todo.diag, rows);
  }

  /** Copies the first `rows` entries of k_S (from a full kernel row `kx`) into column `col` of `blk`. */
  gather(kx: Float64Array, blk: ColumnBlock, col: number, rows = this.size): void {
    const { idx } = this;
    let o = blk.at(col, 0);
    for (let i = 0; i < rows; i++, o += 4) blk.K[o] = kx[idx[i]];
  }
}

/**
 * The lower factor of K + noise I over observations idx[0..s-1] (`s x s`,
 * the diagonal `diag` as the posterior's factor saw it), built and factored
 * in the WebAssembly module where it runs (the same floats), or null where
 * it will not factor.
 */
function subsetFactor(sc: ScaledInputs, idx: Int32Array, diag: Float64Array, s: number): Float64Array | null {
  const { n, d, Z, signalVariance: s2, kernel } = sc;
  const Ls = new Float64Array(s * s);
  if (gramCholeskyFast(kernel, Z, n, d, idx, s, s2, diag, Ls) !== null) return Ls;
  const A = Ls;
  for (let a = 0; a < s; a++) {
    const ia = idx[a];
    for (let b = 0; b < a; b++) {
      let r2 = 0;
      for (let q = 0; q < d; q++) {
        const t = Z[q * n + ia] - Z[q * n + idx[b]];
        r2 += t * t;
      }
      A[a * s + b] = s2 * kernelFromR2(kernel, r2);
    }
    A[a * s + a] = diag[a];
  }
  try {
    choleskyInPlaceFast(A, s); // linalg.ts's choleskyInPlace, bit for bit
  } catch {
    return null;
  }
  return A;
}
