/**
 * MarginalLikelihood.evaluate's O(n^3) work (./likelihood.ts) in WebAssembly
 * SIMD: kernel matrix, Cholesky with the same jitter retries, solve,
 * triangular inverse, K^{-1} row by row and the gradient's sums
 * (assembly/likelihood.ts). Each f64x2 lane does the JavaScript code's
 * arithmetic in its order, so value and gradient are the JavaScript floats
 * bit for bit (test/gp/likelihood-wasm.test.ts); only the scaled inputs, the
 * log determinant (log, ../util/math) and the priors stay in JavaScript.
 *
 * The module is its own (not the acquisition's bounding module): the GP sits
 * below acquisition in the layers, and each evaluator gets its own instance
 * and memory (about 3 n^2 doubles), freed with the evaluator, so a fit at
 * large n leaves no grown memory behind on the thread. The module's bytes
 * are committed (./likelihood-wasm-source.ts, written by
 * scripts/gen-likelihood-wasm.mjs) and compiled once per thread; where
 * WebAssembly SIMD is missing, or the module's exp fails the check against
 * the library's (fdlibm's, in every runtime: ../util/math), the JavaScript
 * evaluation runs.
 */
import { EngineError } from '../errors';
import { checkBackendName } from '../util/backend-name';
import { exp, log } from '../util/math';
import { wasmExpMatches } from '../util/wasm-exp';
import type { KernelName } from './kernels';
import { LIKELIHOOD_WASM_BASE64 } from './likelihood-wasm-source';

/** What the module exports (byte offsets into its memory; see assembly/likelihood.ts). */
export interface LikelihoodWasmExports {
  memory: WebAssembly.Memory;
  expArray(src: number, dst: number, count: number): void;
  kernelMatrix(matern: number, n: number, d: number, ZT: number, s2: number, noise: number, K: number, Kf: number, Dk: number): number;
  cholesky(n: number, A: number, diag: number, P: number, initial: number, cap: number): number;
  kernelFill(matern: number, n: number, d: number, XT: number, inv: number, s2: number, noise: number, K: number): number;
  solve(n: number, L: number, y: number, x: number): void;
  /** x = (L L^T)^{-1} y; returns |L^{-1} y|^2 in row order (assembly/solve.ts) */
  solveQ(n: number, L: number, y: number, x: number): number;
  /** rows p..n-1 of L^{-1} into `inv` (assembly/inverse.ts; linalg-blocked.ts's inverseRowsAppend) */
  inverseRows(n: number, L: number, inv: number, p: number): void;
  gradient(
    n: number, dp: number, L: number, U: number, Kf: number, Dk: number, Z: number, alpha: number, s2: number,
    w: number, g: number,
  ): void;
  heapBase(): number;
}

/**
 * linalg.ts's choleskyInPlace on the module's `n x n` matrix at byte offset
 * `A` (scratch: `diag`, n doubles; `P`, n^2), with its jitter schedule for a
 * matrix of mean |diagonal| `meanDiag`, to the float: the jitter added, or
 * -1 where choleskyInPlace would throw (every jitter failed, or the cap
 * overflowed after a failure).
 */
export function moduleCholesky(ex: LikelihoodWasmExports, n: number, A: number, diag: number, P: number, meanDiag: number): number {
  const scale = meanDiag > 0 ? meanDiag : 1;
  const cap = 1e-2 * scale * (1 + 1e-9);
  return ex.cholesky(n, A, diag, P, 1e-10 * scale, cap === Infinity ? -Infinity : cap);
}

/** choleskyInPlace's mean |diagonal| of a kernel matrix whose diagonal entries are all `diag` (summed in order, as it does). */
export function kernelMeanDiag(n: number, diag: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m += Math.abs(diag);
  return m / n;
}

/** Which implementation evaluates the likelihood: 'auto' takes WebAssembly SIMD where it loads. */
export type LikelihoodBackend = 'auto' | 'wasm' | 'js';

let backend: LikelihoodBackend = 'auto';
let compiled: WebAssembly.Module | null | undefined;
let unavailable = '';

const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

function moduleBytes(): Uint8Array {
  const bin = atob(LIKELIHOOD_WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled module on this thread, or null (reason kept) where it cannot run. */
export function likelihoodModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const mod = new WebAssembly.Module(moduleBytes() as BufferSource);
    const ex = new WebAssembly.Instance(mod).exports as unknown as LikelihoodWasmExports;
    compiled = wasmExpMatches(ex) ? mod : null;
    if (!compiled) unavailable = "the module's exp does not give fdlibm's floats";
  } catch (e) {
    unavailable = `WebAssembly SIMD is not available (${(e as Error)?.message ?? e})`;
    compiled = null;
  }
  return compiled;
}

/**
 * Chooses the likelihood's implementation for evaluators created from now
 * on, on this thread (default 'auto'; fit worker threads always use
 * 'auto'); 'wasm' throws EngineError where the module cannot run. Same floats either way.
 */
export function setLikelihoodBackend(b: LikelihoodBackend): void {
  checkBackendName('setLikelihoodBackend', b);
  if (b === 'wasm' && !likelihoodModule()) throw new EngineError(`the WebAssembly likelihood cannot run here: ${unavailable}`);
  backend = b;
}

/** The backend chosen ({@link setLikelihoodBackend}). */
export function likelihoodBackend(): LikelihoodBackend {
  return backend;
}

/** The backend a new evaluator uses on this thread: 'wasm' or 'js'. */
export function resolveLikelihoodBackend(b: LikelihoodBackend = backend): 'wasm' | 'js' {
  return b !== 'js' && likelihoodModule() ? 'wasm' : 'js';
}

/**
 * One evaluator's instance: its memory holds K (then L), U (also the
 * factorization's scratch), the packed s2 k and s2 dk/dr^2, the scaled
 * inputs both ways, y, alpha and small vectors, laid out once for `n x d`.
 */
export class WasmLikelihood {
  private readonly ex: LikelihoodWasmExports;
  private readonly dp: number;
  /** whether the last {@link run} could not factor K (it returned +Infinity) */
  failed = false;
  private readonly o: Record<'K' | 'U' | 'Kf' | 'Dk' | 'diag' | 'ZT' | 'Z' | 'y' | 'alpha' | 'w' | 'g', number>;

  /**
   * null where the module cannot run on this thread, or an instance with
   * this memory cannot be made (a page's main thread may refuse synchronous
   * instantiation; the memory may not grow that far): JavaScript evaluates then.
   */
  static create(kernel: KernelName, X: Float64Array, y: Float64Array, n: number, d: number): WasmLikelihood | null {
    const mod = n > 0 ? likelihoodModule() : null;
    if (!mod) return null;
    try {
      return new WasmLikelihood(mod, kernel, X, y, n, d);
    } catch {
      return null;
    }
  }

  private constructor(
    mod: WebAssembly.Module, private readonly kernel: KernelName, private readonly X: Float64Array,
    private readonly y: Float64Array, private readonly n: number, private readonly d: number,
  ) {
    this.ex = new WebAssembly.Instance(mod).exports as unknown as LikelihoodWasmExports;
    const dp = d + (d & 1);
    this.dp = dp;
    const al = (b: number): number => (b + 15) & ~15;
    let at = al(this.ex.heapBase());
    const take = (doubles: number): number => { const o = at; at = al(at + 8 * doubles); return o; };
    const packed = (n * (n - 1)) / 2 + 2;
    this.o = {
      K: take(n * n), U: take(n * n), Kf: take(packed), Dk: take(packed), diag: take(n),
      ZT: take(d * n + 2), Z: take(n * dp), y: take(n), alpha: take(n), w: take(n), g: take(dp + 2),
    };
    const mem = this.ex.memory;
    if (mem.buffer.byteLength < at) mem.grow(Math.ceil((at - mem.buffer.byteLength) / 65536));
    new Float64Array(mem.buffer, this.o.y, n).set(y.subarray(0, n));
  }

  /**
   * -log p(y | theta) without the priors, theta = [log l (d), log s2, log
   * noise]; the gradient into `grad` (d + 2) when given. +Infinity (gradient
   * NaN) when K cannot be factored even with jitter: likelihood.ts's floats.
   */
  run(theta: ArrayLike<number>, grad?: Float64Array): number {
    const { ex, X, y, n, d, dp, o } = this;
    const buf = ex.memory.buffer;
    const s2 = exp(theta[d]);
    const noise = exp(theta[d + 1]);
    const ZT = new Float64Array(buf, o.ZT, d * n);
    const Z = new Float64Array(buf, o.Z, n * dp);
    for (let k = 0; k < d; k++) {
      const inv = exp(-theta[k]);
      for (let i = 0; i < n; i++) {
        const z = X[i * d + k] * inv;
        Z[i * dp + k] = z;
        ZT[k * n + i] = z;
      }
    }
    const bad = ex.kernelMatrix(this.kernel === 'matern52' ? 1 : 0, n, d, o.ZT, s2, noise, o.K, o.Kf, o.Dk);
    // linalg.ts's choleskyInPlace: checks, then the jitter schedule
    let jitter = -1;
    if (bad === 0) {
      // as choleskyInPlace: no jitter to try where the diagonal's mean overflows
      jitter = moduleCholesky(ex, n, o.K, o.diag, o.U, kernelMeanDiag(n, s2 + noise));
    }
    this.failed = jitter < 0;
    if (this.failed) {
      if (grad) grad.fill(NaN);
      return Infinity;
    }
    ex.solve(n, o.K, o.y, o.alpha);
    const L = new Float64Array(buf, o.K, n * n);
    const alpha = new Float64Array(buf, o.alpha, n);
    let f = n * HALF_LOG_2PI;
    for (let i = 0; i < n; i++) f += 0.5 * y[i] * alpha[i] + log(L[i * n + i]);
    if (grad) {
      ex.gradient(n, dp, o.K, o.U, o.Kf, o.Dk, o.Z, o.alpha, s2, o.w, o.g);
      const g = new Float64Array(buf, o.g, dp + 2);
      grad.fill(0);
      for (let k = 0; k < d; k++) grad[k] = g[k];
      grad[d] = 0.5 * g[dp];
      grad[d + 1] = 0.5 * noise * g[dp + 1];
    }
    return f;
  }
}
