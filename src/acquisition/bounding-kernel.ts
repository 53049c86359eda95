/**
 * The bounding pass of screened scoring (screening.ts): for every candidate
 * its kernel row k(x, X), exact posterior mean, a variance bound and the
 * head of its forward substitution through the relevant subset's factor.
 * It is the bulk of a suggestion's CPU time and independent per candidate,
 * so worker-pool.ts splits it over threads.
 *
 * Self-contained on purpose: these functions import nothing and read no
 * module-level binding, so the worker is started from their source text
 * (Function.prototype.toString), which works alike from TypeScript sources
 * and from the built package. The arithmetic is, operation for operation,
 * that of `kernelRow` and `dotSeq` (gp/posterior.ts), `kernelFromR2`
 * (gp/kernels.ts) and `dot` (gp/linalg.ts), so the main thread and the
 * workers produce the very floats exhaustive scoring does
 * (test/acquisition/bounding-kernel.test.ts).
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
  /** rows of S's forward substitution kept per candidate */
  head: number;
  /** implementation: WebAssembly SIMD where it loads ('auto'), or one forced (bounding-wasm.ts); the same floats */
  backend?: 'auto' | 'wasm' | 'js';
}

/** Outputs for the task's `count` candidates. */
export interface BoundingResult {
  /** exact posterior means */
  mean: Float64Array;
  /** upper bounds of the posterior variances */
  varianceBound: Float64Array;
  /** `count x head`: the first `head` entries of L_S^{-1} k_S */
  wHead: Float64Array;
  /** their sums of squares */
  qHead: Float64Array;
}

/** k(x_p, X) into `out`, the floats of gp/posterior.ts's kernelRow (dimensions four at a time, added in order). */
export function boundKernelRow(
  kernel: string, n: number, d: number, Z: Float64Array, inv: Float64Array, s2: number,
  pts: Float64Array, p: number, out: Float64Array,
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
  if (kernel === 'rbf') {
    for (let i = 0; i < n; i++) out[i] = s2 * Math.exp(-0.5 * out[i]);
    return;
  }
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(5 * out[i]);
    out[i] = s2 * ((1 + r + (r * r) / 3) * Math.exp(-r));
  }
}

/**
 * Variance bound from the `near` (<= 4) observations most correlated with a
 * point (kernel row `kx`): s2 - k_S^T (K_SS + noise I)^{-1} k_S + slack, the
 * prior variance when K_SS will not factor. Scratch: idx (Int32, 4), val,
 * w (4), A (16). See NearBound in screening-bounds.ts.
 */
export function nearVariance(
  kernel: string, n: number, d: number, Z: Float64Array, s2: number, noise: number, slack: number,
  kx: Float64Array, idx: Int32Array, val: Float64Array, A: Float64Array, w: Float64Array,
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
  const wHead = new Float64Array(count * head);
  const qHead = new Float64Array(count);
  const kx = new Float64Array(n);
  const kS = new Float64Array(head);
  const idx = new Int32Array(4);
  const val = new Float64Array(4);
  const A = new Float64Array(16);
  const w = new Float64Array(4);
  const nearSlack = 1e-14 * 4 * (s2 / Math.max(noise, 1e-300)) * s2;
  for (let p = 0; p < count; p++) {
    boundKernelRow(kernel, n, d, Z, inv, s2, points, p, kx);
    let mu = 0;
    for (let i = 0; i < n; i++) mu += kx[i] * alpha[i];
    mean[p] = mu;
    const nv = nearVariance(kernel, n, d, Z, s2, noise, nearSlack, kx, idx, val, A, w);
    // w = L_S^{-1} k_S for the first `head` rows, each row's dot product with
    // gp/linalg.ts dot's four accumulators (the arithmetic of forwardRowsBlock)
    for (let i = 0; i < head; i++) kS[i] = kx[sIdx[i]];
    const o = p * head;
    let q = 0;
    for (let i = 0; i < head; i++) {
      const ri = i * s;
      let a0 = 0; let a1 = 0; let a2 = 0; let a3 = 0;
      let j = 0;
      for (; j + 3 < i; j += 4) {
        a0 += sL[ri + j] * wHead[o + j];
        a1 += sL[ri + j + 1] * wHead[o + j + 1];
        a2 += sL[ri + j + 2] * wHead[o + j + 2];
        a3 += sL[ri + j + 3] * wHead[o + j + 3];
      }
      for (; j < i; j++) a0 += sL[ri + j] * wHead[o + j];
      const v = (kS[i] - ((a0 + a1) + (a2 + a3))) / sL[ri + i];
      wHead[o + i] = v;
      q += v * v;
    }
    qHead[p] = q;
    varianceBound[p] = Math.min(nv, s2 - q + sSlack);
  }
  return { mean, varianceBound, wHead, qHead };
}
