/**
 * Candidate generation for acquisition maximization, shared by the CPU and
 * WebGPU engines. Everything is a pure function of (seed, round, index), from
 * a counter-based hash, so the GPU can generate the same points in parallel
 * (shaders/candidates.wgsl mirrors this file).
 *
 * Round 1 (m1 = m - floor(m / 4) points): even indices are a randomly shifted
 * Kronecker (R_d) low-discrepancy sequence over the cube; odd indices are
 * Gaussian perturbations of the incumbents at three scales. With no
 * incumbents, every point is global.
 * Round 2 (floor(m / 4) points): finer perturbations of the best
 * REFINE_TOP round-1 points. Every candidate is snapped to a feasible point.
 */
import { cos, log } from '../util/math';
import { snapInto } from '../space/encode';
import type { DimLayout } from '../space/types';

/** Perturbation scales (unit-cube standard deviations) of round 1's local points. */
export const LOCAL_SIGMAS = [0.1, 0.03, 0.01] as const;
/** Perturbation scales of round 2. */
export const REFINE_SIGMAS = [0.01, 0.003] as const;
/** How many round-1 winners round 2 refines around. */
export const REFINE_TOP = 16;

/** Hash streams: one per use, so no two uses share random numbers. */
export const STREAM_SHIFT = 1;
export const STREAM_LOCAL = 2;
export const STREAM_REFINE = 3;

/** PCG-RXS-M-XS 32-bit output hash (O'Neill 2014), as used for GPU hashing (Jarzynski & Olano 2020). */
export function pcgHash(x: number): number {
  const state = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Counter-based random uint32 for (seed, stream, index). */
export function randU32(seed: number, stream: number, index: number): number {
  return pcgHash((pcgHash((seed ^ pcgHash(stream)) >>> 0) + index) >>> 0);
}

/** Top 24 bits of h as a number in (0, 1), exactly representable in f32. */
export function unitFromU32(h: number): number {
  return ((h >>> 8) + 0.5) / 16777216;
}

/** Standard normal from two hashed uniforms (Box-Muller). */
export function randNormal(seed: number, stream: number, index: number): number {
  const u1 = unitFromU32(randU32(seed, stream, 2 * index));
  const u2 = unitFromU32(randU32(seed, stream, 2 * index + 1));
  return Math.sqrt(-2 * log(u1)) * cos(2 * Math.PI * u2);
}

/**
 * Kronecker-sequence generators for dimension d as 32-bit fixed point:
 * alpha_j = frac(g^-(j+1)), g the unique positive root of x^(d+1) = x + 1
 * (Roberts 2018, "The unreasonable effectiveness of quasirandom sequences").
 */
export function kroneckerAlphas(d: number): Uint32Array {
  let g = 2;
  for (let i = 0; i < 64; i++) g = Math.pow(1 + g, 1 / (d + 1));
  const out = new Uint32Array(d);
  for (let j = 0; j < d; j++) {
    const a = Math.pow(1 / g, j + 1) % 1;
    out[j] = Math.floor(a * 4294967296) >>> 0;
  }
  return out;
}

/** Global point c, coordinate j: shift_j + (c + 1) alpha_j mod 1, in 32-bit fixed point. */
export function kroneckerCoord(alpha: number, shift: number, c: number): number {
  return unitFromU32((shift + Math.imul(c + 1, alpha)) >>> 0);
}

/** Sizes of the two rounds for a total of m candidates. */
export function roundSizes(m: number): { m1: number; m2: number } {
  const m2 = Math.floor(m / 4);
  return { m1: m - m2, m2 };
}

/**
 * Round-1 candidates, `m1 x d` row-major, unsnapped.
 * @param incumbents `k x d` row-major encoded points
 */
export function roundOneCandidates(
  seed: number, m1: number, d: number, incumbents: ArrayLike<number>, nInc: number,
): Float64Array {
  const out = new Float64Array(m1 * d);
  const alphas = kroneckerAlphas(d);
  const shifts = new Uint32Array(d);
  for (let j = 0; j < d; j++) shifts[j] = randU32(seed, STREAM_SHIFT, j);
  for (let c = 0; c < m1; c++) {
    const local = nInc > 0 && c % 2 === 1;
    if (!local) {
      for (let j = 0; j < d; j++) out[c * d + j] = kroneckerCoord(alphas[j], shifts[j], c);
      continue;
    }
    const h = c >>> 1;
    const k = h % nInc;
    perturbRow(out, c, d, incumbents, k, LOCAL_SIGMAS[Math.floor(h / nInc) % LOCAL_SIGMAS.length], seed, STREAM_LOCAL);
  }
  return out;
}

/**
 * Round-2 candidates, `m2 x d` row-major, unsnapped, around `t` centres.
 * @param centres `t x d` row-major (round-1 winners, best first)
 */
export function roundTwoCandidates(
  seed: number, m2: number, d: number, centres: ArrayLike<number>, t: number,
): Float64Array {
  const out = new Float64Array(m2 * d);
  if (t === 0) return out;
  for (let c = 0; c < m2; c++) {
    const k = c % t;
    perturbRow(out, c, d, centres, k, REFINE_SIGMAS[Math.floor(c / t) % REFINE_SIGMAS.length], seed, STREAM_REFINE);
  }
  return out;
}

/**
 * Row `c` of `out` (`_ x d`) = row `k` of `centres` plus Gaussian noise of sd
 * `sigma` (draws `c * d + j` of `stream`), clipped to [0, 1].
 */
function perturbRow(
  out: Float64Array, c: number, d: number, centres: ArrayLike<number>, k: number, sigma: number, seed: number, stream: number,
): void {
  for (let j = 0; j < d; j++) {
    const v = centres[k * d + j] + sigma * randNormal(seed, stream, c * d + j);
    out[c * d + j] = Math.min(1, Math.max(0, v));
  }
}

/**
 * Snap one encoded point in place (row `row` of `X`, stride d) to the canonical
 * encoding of the point it decodes to (see `snapInto` in the space module):
 * continuous dims clamped, integers to their slice centre, one-hot groups to
 * the argmax (first maximum wins).
 */
export function snapRow(X: Float64Array, row: number, d: number, layout: readonly DimLayout[]): void {
  const r = X.subarray(row * d, row * d + d);
  snapInto(layout, r, r);
}
