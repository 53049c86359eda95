/**
 * The bounding pass of screened scoring (screening.ts): for every candidate
 * its kernel row k(x, X), an upper bound of its exact posterior mean, a
 * variance bound and the head of its forward substitution through the
 * relevant subset's factor. It is the bulk of a suggestion's CPU time and
 * independent per candidate, so bounding-pool.ts splits it over threads.
 *
 * The row's n entries go through a fast exp ({@link expFast}: no division,
 * no branches), not Math.exp, so the mean k . alpha is not the exact one:
 * the pass returns it plus a proven bound of the difference
 * ({@link meanMarginCoefficient}), and the exact stage recomputes the exact
 * mean of every candidate it scores. The few entries the variance bounds use
 * (the NEAR most correlated observations, the head of S) are recomputed
 * exactly from their squared distances, so those bounds, and the head
 * values the exact stage continues from, are the floats of the exact path.
 *
 * Self-contained on purpose: these functions import nothing and read no
 * module-level binding, so the worker is started from their source text
 * (Function.prototype.toString), which works alike from TypeScript sources
 * and from the built package. The exact entries' arithmetic is, operation
 * for operation, that of `kernelRow` (gp/posterior.ts) and `kernelFromR2`
 * (gp/kernels.ts); the WebAssembly pass (assembly/bounding-pass.ts) does
 * this file's arithmetic in the same order, so both give the same floats
 * (test/acquisition/bounding-kernel.test.ts, bounding-wasm.test.ts).
 */

/** One slice of candidates to bound; plain typed arrays, so it can be posted to a worker. */
export interface BoundingTask {
  kernel: 'rbf' | 'matern52';
  n: number;
  d: number;
  /** signal variance */
  s2: number;
  noise: number;
  /** `d x n` scaled training inputs (ScaledInputs.Z) */
  Z: Float64Array;
  /** `d` inverse lengthscales */
  inv: Float64Array;
  /** `n` weights K^{-1} y */
  alpha: Float64Array;
  /** `count x d` candidates */
  points: Float64Array;
  count: number;
  /** the relevant subset S: observation indices, `sSize x sSize` lower factor, slack of its bound */
  sIdx: Int32Array;
  sL: Float64Array;
  sSize: number;
  sSlack: number;
  /** rows of S's forward substitution every candidate gets (its bound) */
  head: number;
  /**
   * return those rows (`wHead`, count x head) [false: an empty wHead; the
   * exact stage solves the same rows again for the few candidates it takes,
   * with the same floats (forwardRowsBlock's arithmetic), which is cheaper
   * than keeping m x head doubles per pass]
   */
  keepHead?: boolean;
  /** implementation: WebAssembly SIMD where it loads ('auto'), or one forced (bounding-wasm.ts); the same floats */
  backend?: 'auto' | 'wasm' | 'js';
}

/** Outputs for the task's `count` candidates. */
export interface BoundingResult {
  /** upper bounds of the exact posterior means (the fast mean plus its error bound) */
  mean: Float64Array;
  /** upper bounds of the posterior variances */
  varianceBound: Float64Array;
  /** `count x head`: the first `head` entries of L_S^{-1} k_S (empty unless the task's `keepHead`) */
  wHead: Float64Array;
  /** their sums of squares */
  qHead: Float64Array;
}

/** Squared scaled distances of x_p to every observation into `out` (dimensions four at a time, added in order, as gp/posterior.ts's kernelRow). */
export function boundR2Row(
  n: number, d: number, Z: Float64Array, inv: Float64Array, pts: Float64Array, p: number, out: Float64Array,
): void {
  out.fill(0, 0, n);
  const b = p * d;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    const z0 = pts[b + k] * inv[k];
    const z1 = pts[b + k + 1] * inv[k + 1];
    const z2 = pts[b + k + 2] * inv[k + 2];
    const z3 = pts[b + k + 3] * inv[k + 3];
    const o0 = k * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let i = 0; i < n; i++) {
      const t0 = z0 - Z[o0 + i];
      const t1 = z1 - Z[o1 + i];
      const t2 = z2 - Z[o2 + i];
      const t3 = z3 - Z[o3 + i];
      out[i] = out[i] + t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
    }
  }
  for (; k < d; k++) {
    const z = pts[b + k] * inv[k];
    const o = k * n;
    for (let i = 0; i < n; i++) {
      const t = z - Z[o + i];
      out[i] += t * t;
    }
  }
}

/** The exact kernel value at squared distance r2: gp/kernels.ts kernelFromR2 times s2, with Math.exp. */
export function boundExactEntry(kernel: string, s2: number, r2: number): number {
  if (kernel === 'rbf') return s2 * Math.exp(-0.5 * r2);
  const r = Math.sqrt(5 * r2);
  return s2 * ((1 + r + (r * r) / 3) * Math.exp(-r));
}

/** k(x_p, X) into `out`, the floats of gp/posterior.ts's kernelRow. */
export function boundKernelRow(
  kernel: string, n: number, d: number, Z: Float64Array, inv: Float64Array, s2: number,
  pts: Float64Array, p: number, out: Float64Array,
): void {
  boundR2Row(n, d, Z, inv, pts, p, out);
  for (let i = 0; i < n; i++) out[i] = boundExactEntry(kernel, s2, out[i]);
}

/**
 * exp(x) for x <= 0 without a division or a branch on the argument's range
 * (assembly/fast-exp.ts, whose floats these are): Cody-Waite reduction by
 * ln 2, the Taylor polynomial of degree 12 on |r| <= 0.347 (after Estrin's
 * scheme: a short dependency chain), times 2^k from
 * `pow2` ({@link pow2Table}). Arguments below -708 give exp(-708). Within
 * {@link FAST_EXP_ERROR} of Math.exp, relative (test/acquisition/fast-exp.test.ts).
 */
export function expFast(x: number, pow2: Float64Array): number {
  const xc = x < -708 ? -708 : x;
  const kf = (xc * 1.4426950408889634 + 6755399441055744) - 6755399441055744;
  const r = (xc - kf * 0.6931471803691238) - kf * 1.9082149292705877e-10;
  // after Estrin's scheme (assembly/fast-exp.ts): exp(r) - 1 = r + r^2 q1 + r^4 (s1 + r^4 t1),
  // a short dependency chain, the small parts added first and 1 last
  const r2 = r * r;
  const r4 = r2 * r2;
  const q1 = 0.5 + 0.16666666666666666 * r;
  const s1 = (0.041666666666666664 + 0.008333333333333333 * r) + r2 * (0.001388888888888889 + 0.0001984126984126984 * r);
  const t1 = ((0.0000248015873015873 + 0.0000027557319223985893 * r) + r2 * (2.755731922398589e-7 + 2.505210838544172e-8 * r)) + r4 * 2.08767569878681e-9;
  const u = r4 * (s1 + r4 * t1);
  const p = 1 + (r + (r2 * q1 + u));
  return p * pow2[kf + 1022];
}

/** 2^(i - 1022) for i in [0, 1022] (exact: halvings in the normal range), for {@link expFast}. */
export function pow2Table(): Float64Array {
  const t = new Float64Array(1023);
  t[1022] = 1;
  for (let i = 1022; i > 0; i--) t[i - 1] = t[i] * 0.5;
  return t;
}

/**
 * Relative error of {@link expFast} against Math.exp on [-708, 0] that the
 * pass assumes: 2^-50 (8 eps). Truncation is below 1.6 eps, Horner's and the
 * reduction's rounding a few eps, Math.exp's own below 1 ulp; dense seeded
 * sweeps measure at most 2.9 eps (test/acquisition/fast-exp.test.ts).
 */
export const FAST_EXP_ERROR = 2 ** -50;

/**
 * The margin on the fast mean, per unit of S = s2 sum_i |alpha_i|: |mean~ -
 * mean| <= C S + A, mean the float of the exact path (posteriorFromFactors'
 * (s2 g_i) alpha_i summed in index order), mean~ the fast path's g~_i (s2
 * alpha_i) summed in index order (g = k / s2 <= 1 for both kernels). Each
 * fast term is within rho = 2^-47 of the exact one, relative (the exp's
 * 2^-50, the Matérn polynomial's 1/3 as a product, and the roundings of the
 * products, s2 alpha_i's included: at most 16 eps together, 64 eps assumed);
 * both sums round by at most gamma_n = n eps / (1 - n eps) of sum |terms| <=
 * S (1 + rho); 4 eps more covers rounding mean~ + margin, and the factor
 * 1 + 2^-20 the rounding of S (a sum of n non-negative terms) and of C S.
 * A ({@link meanMarginAbsolute}) covers the subnormal range and arguments
 * below -708. S is at least sum_i |alpha_i| k_i, the sum the margin was
 * taken over before (per candidate, one more product and sum per entry), so
 * the margin is a constant of the pass; it is wider where most k_i << s2
 * (short lengthscales), but at most C s2 sum |alpha_i| (C about 2 n eps +
 * 2^-47), far below the score gaps that decide what is skipped.
 */
export function meanMarginCoefficient(n: number): number {
  const u = 2 ** -53;
  const gamma = (n * u) / (1 - n * u);
  return (2 * gamma + 2 ** -47 + 2 ** -51) * (1 + 2 ** -20);
}

/** The absolute part of the mean's margin (see {@link meanMarginCoefficient}): far above n subnormal roundings and s2 exp(-708) per |alpha_i|. */
export function meanMarginAbsolute(n: number, s2: number, sumAbsAlpha: number): number {
  return (s2 + 1) * 1e-306 * (sumAbsAlpha + n);
}

/** The whole margin the pass adds to every fast mean: C s2 sum |alpha_i| + A (see {@link meanMarginCoefficient}). */
export function meanMargin(n: number, s2: number, sumAbsAlpha: number): number {
  return meanMarginCoefficient(n) * (s2 * sumAbsAlpha) + meanMarginAbsolute(n, s2, sumAbsAlpha);
}

/**
 * Variance bound from the `near` (<= 4) observations most correlated with a
 * point (kernel row `kx`): s2 - k_S^T (K_SS + noise I)^{-1} k_S + slack, the
 * prior variance when K_SS will not factor. Scratch: idx (Int32, 4), val,
 * w (4), A (16). See NearBound in screening-bounds.ts. With `r2` (the row's
 * squared distances), `kx` only chooses the observations (any subset gives a
 * bound, so fast entries will do) and their entries are recomputed exactly.
 */
export function nearVariance(
  kernel: string, n: number, d: number, Z: Float64Array, s2: number, noise: number, slack: number,
  kx: Float64Array, idx: Int32Array, val: Float64Array, A: Float64Array, w: Float64Array,
  r2?: Float64Array,
): number {
  const r = Math.min(4, n);
  if (r === 0) return s2;
  val.fill(-Infinity);
  idx.fill(0); // slots a NaN row leaves unfilled read observation 0, not the last call's
  for (let i = 0; i < n; i++) {
    const k = kx[i];
    if (!(k > val[r - 1])) continue;
    let j = r - 1;
    while (j > 0 && val[j - 1] < k) { val[j] = val[j - 1]; idx[j] = idx[j - 1]; j--; }
    val[j] = k;
    idx[j] = i;
  }
  if (r2) for (let a = 0; a < r; a++) val[a] = boundExactEntry(kernel, s2, r2[idx[a]]);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < a; b++) {
      let r2 = 0;
      for (let q = 0; q < d; q++) {
        const t = Z[q * n + idx[a]] - Z[q * n + idx[b]];
        r2 += t * t;
      }
      // gp/kernels.ts kernelFromR2
      let kv: number;
      if (kernel === 'rbf') kv = Math.exp(-0.5 * r2);
      else {
        const rr = Math.sqrt(r2);
        kv = (1 + Math.sqrt(5) * rr + (5 / 3) * r2) * Math.exp(-Math.sqrt(5) * rr);
      }
      A[a * 4 + b] = s2 * kv;
    }
    A[a * 4 + a] = s2 + noise;
  }
  let q = 0;
  for (let a = 0; a < r; a++) {
    for (let b = 0; b <= a; b++) {
      let t = A[a * 4 + b];
      for (let c = 0; c < b; c++) t -= A[a * 4 + c] * A[b * 4 + c];
      if (a === b) {
        if (!(t > 0)) return s2;
        A[a * 4 + a] = Math.sqrt(t);
      } else {
        A[a * 4 + b] = t / A[b * 4 + b];
      }
    }
    let t = val[a];
    for (let c = 0; c < a; c++) t -= A[a * 4 + c] * w[c];
    w[a] = t / A[a * 4 + a];
    q += w[a] * w[a];
  }
  return s2 - q + slack;
}

/** The bounding pass over a task's candidates (see the file comment). */
export function boundingPass(t: BoundingTask): BoundingResult {
  const { kernel, n, d, s2, noise, Z, inv, alpha, points, count, sIdx, sL, sSize: s, sSlack, head } = t;
  const mean = new Float64Array(count);
  const varianceBound = new Float64Array(count);
  const keep = t.keepHead === true;
  const wHead = new Float64Array(keep ? count * head : 0);
  const qHead = new Float64Array(count);
  const wc = new Float64Array(head); // this candidate's head rows
  const r2 = new Float64Array(n);
  const kx = new Float64Array(n);
  const kS = new Float64Array(head);
  const idx = new Int32Array(4);
  const val = new Float64Array(4);
  const A = new Float64Array(16);
  const w = new Float64Array(4);
  const pow2 = pow2Table();
  const nearSlack = 1e-14 * 4 * (s2 / Math.max(noise, 1e-300)) * s2;
  const alphaS = new Float64Array(n);
  let sumAbs = 0;
  for (let i = 0; i < n; i++) { alphaS[i] = s2 * alpha[i]; sumAbs += Math.abs(alpha[i]); }
  const margin = meanMargin(n, s2, sumAbs);
  const rbf = kernel === 'rbf';
  for (let p = 0; p < count; p++) {
    boundR2Row(n, d, Z, inv, points, p, r2);
    // fast entries (assembly/bounding-pass.ts fastRows: the same operations in the same order)
    let mu = 0;
    for (let i = 0; i < n; i++) {
      let k: number;
      if (rbf) k = expFast(-0.5 * r2[i], pow2);
      else {
        const r = Math.sqrt(5 * r2[i]);
        k = (1 + r + r * r * 0.3333333333333333) * expFast(-r, pow2);
      }
      kx[i] = k; // k / s2: it only chooses the near observations
      mu += k * alphaS[i];
    }
    mean[p] = mu + margin;
    const nv = nearVariance(kernel, n, d, Z, s2, noise, nearSlack, kx, idx, val, A, w, r2);
    // w = L_S^{-1} k_S (exact entries) for the first `head` rows, each row's dot
    // product with gp/linalg.ts dot's four accumulators (forwardRowsBlock's arithmetic)
    for (let i = 0; i < head; i++) kS[i] = boundExactEntry(kernel, s2, r2[sIdx[i]]);
    let q = 0;
    for (let i = 0; i < head; i++) {
      const ri = i * s;
      let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;
      let j = 0;
      for (; j + 3 < i; j += 4) {
        a0 += sL[ri + j] * wc[j];
        a1 += sL[ri + j + 1] * wc[j + 1];
        a2 += sL[ri + j + 2] * wc[j + 2];
        a3 += sL[ri + j + 3] * wc[j + 3];
      }
      for (; j < i; j++) a0 += sL[ri + j] * wc[j];
      const v = (kS[i] - ((a0 + a1) + (a2 + a3))) / sL[ri + i];
      wc[i] = v;
      q += v * v;
    }
    if (keep) wHead.set(wc, p * head);
    qHead[p] = q;
    varianceBound[p] = Math.min(nv, s2 - q + sSlack);
  }
  return { mean, varianceBound, wHead, qHead };
}
