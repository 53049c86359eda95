/**
 * A variance bound for candidates clustered around a few centres (round two's
 * refinements of round one's winners), where the subset bounds of
 * screening-bounds.ts are too loose: with long lengthscales every
 * observation takes a share of the prior variance, so a bound from some of
 * them stays far above the exact variance, while the candidates' scores
 * differ by hundredths.
 *
 * The posterior standard deviation is the norm of a residual: sigma(x) =
 * ||f(x) - P f(x)|| in the space of the process's random variables, P the
 * projection onto the observations' span (noise included), and I - P does not
 * lengthen anything. Write f(x) = A + R with, for the centre c and delta =
 * x - c in scaled coordinates (u = x / lengthscale),
 *   A = f(c) + grad f(c) . delta      (its posterior variance is exact, below)
 *   R = f(x) - A                      (a Taylor remainder, O(|delta|^2)).
 * Then sigma(x) <= sqrt(Var_post A) + sqrt(Var_prior R) by the triangle
 * inequality, both in closed form:
 *   Var_post A = s2 + P |delta|^2 - ||L^{-1} (k_c + G delta)||^2,
 * G = d k(c, X) / d u (n x d), P = -2 g'(0) s2 the prior variance of one
 * scaled derivative, k = s2 g(r^2); with the Gram matrix of
 * M = L^{-1} [k_c, G] ((d + 1) forward solves per centre) it costs (d + 1)^2
 * per candidate. For a stationary kernel of the squared distance,
 *   Var_prior R = s2 (2 - 2 g(t) - 2 g'(0) t + 4 g'(t) t),  t = |delta|^2,
 * which is O(t^2) for the twice-differentiable kernels here (Matérn 5/2, RBF).
 *
 * Rounding: the bound is widened like the subset's (64 n eps s2 on the
 * variance, then sigmaBound's relative slack), and the remainder by 64 eps s2,
 * far above the cancellation of its four O(1) terms.
 */
import { ColumnBlock, forwardRowsBlock } from '../gp/forward-block';
import { kernelAndDerivR2, kernelDerivR2 } from '../gp/kernels';
import { kernelRow, type ScaledInputs } from '../gp/posterior';
import type { AcquisitionSpec } from './functions';
import { scoreBound, scoreBoundUpper, sigmaBound } from './screening-bounds';

/** One centre's pieces: scaled position `u` (d) and the Gram matrix of L^{-1} [k_c, G] ((d + 1) x (d + 1)). */
export interface Anchor {
  u: Float64Array;
  gram: Float64Array;
  /** g'(0), the kernel's d k / d (r^2) at 0 (signal variance 1) */
  gp0: number;
  /** scratch: k and d k / d (r^2) at the candidate's t */
  kd: Float64Array;
}

/**
 * All n rows of a column block's forward substitution through L
 * (forwardRowsBlock's floats), e.g. in WebAssembly (exact-stage.ts's `columns`).
 */
export type ColumnSolve = (blk: ColumnBlock) => void;

/**
 * The anchor of centre `c` of `centres` (`nCentres x d`, unit cube) under the
 * factor `L` (`n x n`) of the posterior `sc` describes.
 * Costs d + 1 forward substitutions (about (d + 1) n^2 / 2 multiply-adds),
 * through `forward` where given (the same floats), else forwardRowsBlock.
 */
export function buildAnchor(
  sc: ScaledInputs, L: Float64Array, centres: ArrayLike<number>, c: number, forward?: ColumnSolve,
): Anchor {
  const { n, d, inv, kernel } = sc;
  const D = d + 1;
  const u = new Float64Array(d);
  for (let j = 0; j < d; j++) u[j] = centres[c * d + j] * inv[j];
  const blk = new ColumnBlock(n, (D + 3) >> 2);
  anchorColumns(sc, centres, c, u, blk);
  if (forward) forward(blk);
  else forwardRowsBlock(L, n, blk, 0, n);
  const M = new Float64Array(D * n);
  for (let a = 0; a < D; a++) blk.solved(a, n, M, a * n);
  return { u, gram: gramOf(M, D, n), gp0: kernelDerivR2(kernel, 0), kd: new Float64Array(2) };
}

// The anchor's two loops live in functions of their own. Inline, V8
// compiled buildAnchor on the stack during its first Gram product, before
// the return had ever run, and left that code at the return in each later
// call, 14 to 19 times per suggestion in a process's first suggestions
// (`node --trace-deopt`), so the rest of each call ran unoptimized.

/** Column 0 of `blk`: k(c, X); column j + 1: d k(c, X) / d u_j (`u`: the centre in scaled coordinates). */
function anchorColumns(sc: ScaledInputs, centres: ArrayLike<number>, c: number, u: Float64Array, blk: ColumnBlock): void {
  const { n, d, Z, signalVariance: s2, kernel } = sc;
  const col = new Float64Array(n);
  kernelRow(sc, centres, c, col);
  blk.setColumn(0, col);
  const g1 = new Float64Array(n); // 2 s2 g'(r_i^2)
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const t = u[j] - Z[j * n + i];
      r2 += t * t;
    }
    g1[i] = 2 * s2 * kernelDerivR2(kernel, r2);
  }
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = g1[i] * (u[j] - Z[j * n + i]);
    blk.setColumn(j + 1, col);
  }
}

/** The Gram matrix (`D x D`) of the rows of `M` (`D x n`). */
function gramOf(M: Float64Array, D: number, n: number): Float64Array {
  const gram = new Float64Array(D * D);
  for (let a = 0; a < D; a++) {
    for (let b = 0; b <= a; b++) {
      let t = 0;
      for (let i = 0; i < n; i++) t += M[a * n + i] * M[b * n + i];
      gram[a * D + b] = t;
      gram[b * D + a] = t;
    }
  }
  return gram;
}

/**
 * The remainder term's sigma, sqrt(Var_prior R), at t = |delta|^2 (see the
 * module comment), widened by 64 eps s2 on the variance; `kd` is scratch of
 * 2 doubles. It increases with t for both kernels: its derivative in t is
 * 2 s2 (g'(t) - g'(0)) + 4 s2 t g''(t), and g' increases (g'' > 0).
 */
export function remainderSigma(kernel: ScaledInputs['kernel'], s2: number, gp0: number, t: number, kd: Float64Array): number {
  kernelAndDerivR2(kernel, t, kd);
  const varR = s2 * (2 - 2 * kd[0] - 2 * gp0 * t + 4 * kd[1] * t) + 64 * Number.EPSILON * s2;
  return Math.sqrt(Math.max(varR, 0));
}

/**
 * A squared distance from which the remainder's sigma is at least `sigma`:
 * where its computed value first reaches 1.001 sigma, by bisection (the
 * margin is far above its rounding, so past this t no computed value is
 * below `sigma` either, although it is only increasing in exact arithmetic).
 * Infinity where it never does.
 */
export function remainderReach(kernel: ScaledInputs['kernel'], s2: number, gp0: number, sigma: number, kd: Float64Array): number {
  const target = 1.001 * sigma;
  let hi = 2 ** -30;
  while (!(remainderSigma(kernel, s2, gp0, hi, kd) >= target)) {
    hi *= 4;
    if (hi > 2 ** 40) return Infinity;
  }
  let lo = 0;
  for (let it = 0; it < 64 && hi - lo > 1e-12 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (remainderSigma(kernel, s2, gp0, mid, kd) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Upper bound of sigma at point `p` of `points` (`m x d`, unit cube) from
 * `anchor` (see the module comment), widened for rounding and capped at the
 * prior; `e` is scratch of d + 1 doubles. With `limit` (at most the prior's
 * sigma): where the remainder's term alone reaches it, the bound cannot
 * come out below it, and the prior's sigma is returned without the
 * (d + 1)^2 Gram product (far from the anchor, most candidates). With
 * `reach` (remainderReach of a sigma at least `limit`), a candidate at least
 * that far from the anchor gets the prior's sigma without the remainder's
 * exp either.
 */
export function anchoredSigma(
  sc: ScaledInputs, anchor: Anchor, points: ArrayLike<number>, p: number, e: Float64Array, limit = Infinity, reach = Infinity,
): number {
  const { n, d, inv, signalVariance: s2, kernel } = sc;
  const D = d + 1;
  const { u, gram } = anchor;
  e[0] = 1;
  let t = 0;
  for (let j = 0; j < d; j++) {
    const v = points[p * d + j] * inv[j] - u[j];
    e[j + 1] = v;
    t += v * v;
  }
  if (t >= reach) return Math.sqrt(s2);
  const { gp0, kd } = anchor;
  const sigmaR = remainderSigma(kernel, s2, gp0, t, kd);
  if (sigmaR >= limit) return Math.sqrt(s2);
  let q = 0;
  for (let a = 0; a < D; a++) {
    let r = 0;
    for (let b = 0; b < D; b++) r += gram[a * D + b] * e[b];
    q += e[a] * r;
  }
  const varA = s2 + -2 * gp0 * s2 * t - q + 64 * Number.EPSILON * Math.max(n, 1) * s2;
  const sigma = sigmaBound(varA, s2) + sigmaR;
  return Math.min(sigma, Math.sqrt(s2));
}

/**
 * Index of the centre nearest to point `p` in scaled distance; `uc` holds
 * the centres in scaled coordinates (`nCentres x d`, centre times
 * 1 / lengthscale) and `u` is scratch of d doubles.
 */
export function nearestCentre(
  sc: ScaledInputs, uc: Float64Array, nCentres: number, points: ArrayLike<number>, p: number, u: Float64Array,
): number {
  const { d, inv } = sc;
  for (let j = 0; j < d; j++) u[j] = points[p * d + j] * inv[j];
  let best = 0;
  let bestR2 = Infinity;
  for (let c = 0, o = 0; c < nCentres; c++, o += d) {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      const t = u[j] - uc[o + j];
      r2 += t * t;
    }
    if (r2 < bestR2) { bestR2 = r2; best = c; }
  }
  return best;
}

/**
 * Lowers the score bounds (`bound`, `m`) of the candidates in `which` that
 * could still reach `cut`, by anchors at the centres, chosen greedily:
 * while more than d + 1 such candidates have the same nearest centre
 * without an anchor yet, the anchor of the centre with the most is built
 * (d + 1 forward substitutions; an exact variance costs one) and every
 * candidate still above the cut is bounded by it too (a candidate dropped
 * by another centre's anchor no longer counts for its own centre: bounding
 * each candidate by its nearest centre's anchor alone built 6 more anchors
 * per suggestion at 2,000/20, each 21 forward substitutions); it stops
 * after an anchor that took no more than d + 1 candidates below the cut
 * (it did not pay). A candidate beyond the anchor's reach (remainderReach
 * of the largest sigma still bounded) costs its distance only.
 * `sigma` (`m`) holds the sigma each candidate's bound was computed from
 * (lowered here with the bound): a candidate's score bound is recomputed
 * only where an anchor gives a lower sigma, since the bound increases with
 * sigma (most candidates are far from the anchor, and most anchored sigmas
 * are not lower); where the recomputed bound is under the cut, it may be
 * scoreBoundUpper's, since only its comparison with this cut or a higher
 * one is ever read. `forward`: as buildAnchor's. Returns the multiply-adds spent.
 */
export function tightenByAnchors(
  sc: ScaledInputs, L: Float64Array, points: ArrayLike<number>, centres: ArrayLike<number>, nCentres: number,
  bound: Float64Array, sigma: Float64Array, which: Uint32Array, mean: Float64Array, acquisition: AcquisitionSpec,
  best: number, cut: number, forward?: ColumnSolve,
): number {
  const { n, d, inv } = sc;
  if (nCentres < 1) return 0;
  const uc = new Float64Array(nCentres * d);
  for (let c = 0; c < nCentres; c++) for (let j = 0; j < d; j++) uc[c * d + j] = centres[c * d + j] * inv[j];
  // the candidates still above the cut and their nearest centres, compacted as they drop
  const live = new Uint32Array(which.length);
  const near = new Int32Array(which.length);
  const u = new Float64Array(d);
  let size = 0;
  for (const p of which) {
    if (!(bound[p] >= cut)) continue;
    live[size] = p;
    near[size++] = nearestCentre(sc, uc, nCentres, points, p, u);
  }
  const built = new Uint8Array(nCentres);
  const count = new Int32Array(nCentres);
  const e = new Float64Array(d + 1);
  let anchors = 0;
  for (;;) {
    count.fill(0);
    for (let i = 0; i < size; i++) if (!built[near[i]]) count[near[i]]++;
    let c = 0;
    for (let j = 1; j < nCentres; j++) if (count[j] > count[c]) c = j;
    if (count[c] <= d + 1) break;
    built[c] = 1;
    anchors++;
    const a = buildAnchor(sc, L, centres, c, forward);
    let most = 0;
    for (let i = 0; i < size; i++) most = Math.max(most, sigma[live[i]]);
    const reach = remainderReach(sc.kernel, sc.signalVariance, a.gp0, most, a.kd);
    const before = size;
    size = 0;
    for (let i = 0; i < before; i++) {
      const p = live[i];
      const sa = anchoredSigma(sc, a, points, p, e, sigma[p], reach);
      if (sa < sigma[p]) {
        sigma[p] = sa;
        // an upper bound first (log EI's tail): where it is under the cut, every later
        // use of the bound (compared with this cut or a higher one) reads as the exact one would
        const upper = scoreBoundUpper(acquisition, mean[p], sa, best);
        const b = upper < cut ? upper : scoreBound(acquisition, mean[p], sa, best);
        if (b < bound[p]) bound[p] = b;
      }
      if (bound[p] >= cut) {
        live[size] = p;
        near[size++] = near[i];
      }
    }
    if (before - size <= d + 1) break;
  }
  return anchors * (d + 1) * ((n * (n - 1)) / 2);
}
