/**
 * Screening's float64-derived inputs, when it applies, and the bound kernel
 * on its own (for tests). The screened proposal is screened-proposal.ts.
 */
import type { ProposeRequest } from '../acquisition/engine';
import { InvalidOptionError } from '../errors';
import type { PosteriorFactors } from '../gp/types';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import { MAP_MODE_READ, READBACK_USAGE, STORAGE_USAGE } from './constants';
import { uploadArray, uploadFactors } from './factors';
import { screenBounds } from './programs';
import { preparePrograms, Recorder } from './runner';

/** Best bounds each top-k workgroup (TILE.TOPK_GROUP candidates) passes to the pilot. */
export const PILOT_K = 4;

/** Largest input dimension screening.wgsl bounds (its MAX_D). */
export const SCREEN_MAX_D = 64;

/** Observations from which 'auto' screens on a CPU-emulated adapter. */
export const SCREEN_FROM_N = 512;

/** Observations x candidates from which 'auto' screens on a hardware GPU (2^26). */
export const SCREEN_FROM_WORK = 2 ** 26;

/**
 * With 'auto', a shape (observations to the next power of two, d, candidates)
 * whose screened proposal still scored over half its candidates exactly is
 * proposed exhaustively this many times before screening is tried again: on
 * fitted models of smooth functions (large signal variance, long
 * lengthscales) the bounds can skip nothing (bench:suggest's problem at
 * n = 1,000), and a screened proposal that skips nothing costs more than an
 * exhaustive one.
 */
export const SCREEN_RETRY_AFTER = 16;

/** What the bound kernel needs beyond the uploaded factors, computed in float64. */
export interface ScreeningFactors {
  /** `n` diagonal of the factored matrix, K_jj + noise + jitter (row norms of L) */
  diag: Float32Array;
  /** added to the variance bound: covers the f32 rounding of the exact variance */
  varianceMargin: number;
  /** times sum_j |alpha_j k_j|, added to the mean: covers the f32 rounding of both means */
  meanMargin: number;
}

/**
 * The bound kernel's float64-derived inputs. The variance margin,
 * s2 (1e-4 + 64 sqrt(n) 2^-24), is 30 to 100 times the largest amount by which
 * the exact stage's f32 variance exceeded the float64 one on seeded problems
 * (n 256-1024, d 2-16, noise down to 1e-6 with duplicated rows: at most
 * 7e-6 s2); the mean margin, (16 + sqrt(n)) 2^-24 sum_j |alpha_j k_j|, is
 * 12 to 60 times the largest f32 mean error seen on the same problems (at most
 * 2.6 2^-24 times that sum; the worst-case bound, about n 2^-24, would make
 * the bounds useless where alpha is large).
 */
export function screeningFactors(f: PosteriorFactors): ScreeningFactors {
  const { n, L } = f;
  const diag = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t <= j; t++) s += L[j * n + t] * L[j * n + t];
    // rounding to f32 moves the bound's reduction k^2 / diag by < 2^-24; the kernel's (1 - 1e-6) covers it
    diag[j] = s;
  }
  const s2 = f.signalVariance;
  return {
    diag,
    varianceMargin: s2 * (1e-4 + 64 * Math.sqrt(n) * 2 ** -24),
    meanMargin: (16 + Math.sqrt(n)) * 2 ** -24,
  };
}

/**
 * Whether screening applies to a proposal of `m` candidates. 'auto' screens
 * where it measured faster: on CPU-emulated adapters from SCREEN_FROM_N
 * observations (lavapipe, n = 600, d = 3, 65,536 candidates: 359 ms against
 * 1,115); on hardware GPUs from n m >= 2^26 (an H200: n = 1,024 and 2^20
 * candidates 12-14 ms against 67-71; below it the pilot and the two extra
 * submissions cost more than they save: n = 256 and 2^16 candidates 2.4-2.7 ms
 * against 1.3-1.4). Never for d > SCREEN_MAX_D or UCB with kappa < 0.
 */
export function screeningApplies(
  f: PosteriorFactors, m: number, kind: string, kappa: number, setting: boolean | 'auto', software: boolean,
): boolean {
  if (setting === false) return false;
  if (f.d > SCREEN_MAX_D || (kind === 'ucb' && !(kappa >= 0))) return false;
  if (setting === true) return true;
  return software ? f.n >= SCREEN_FROM_N : f.n * m >= SCREEN_FROM_WORK;
}

/**
 * When a WebGpuEngine screens: the `screening` setting, the adapter's kind,
 * and with 'auto' the shapes recently found not to pay (SCREEN_RETRY_AFTER).
 * @throws InvalidOptionError for a setting other than true, false or 'auto'
 */
export class ScreeningPolicy {
  /** proposals of a shape left to run exhaustively */
  private readonly wait = new Map<string, number>();

  constructor(private readonly setting: boolean | 'auto', private readonly software: boolean) {
    checkScreeningSetting(setting);
  }

  /** Whether to screen this proposal. */
  decide(req: ProposeRequest): boolean {
    const shape = shapeKey(req);
    const waiting = this.setting === 'auto' ? this.wait.get(shape) ?? 0 : 0;
    if (waiting > 0) this.wait.set(shape, waiting - 1);
    return waiting === 0 && screeningApplies(req.factors, req.candidates, req.acquisition.kind,
      req.acquisition.kappa, this.setting, this.software);
  }

  /** After a screened proposal: `exact` of `scored` candidates were scored exactly. */
  observe(req: ProposeRequest, exact: number, scored: number): void {
    if (this.setting === 'auto' && exact > scored / 2) this.wait.set(shapeKey(req), SCREEN_RETRY_AFTER);
  }
}

/**
 * Throws InvalidOptionError unless `value` is true, false or 'auto' (null
 * included: only an absent option means 'auto').
 */
export function checkScreeningSetting(value: unknown): asserts value is boolean | 'auto' {
  if (value !== true && value !== false && value !== 'auto') {
    const shown = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array'
      : value !== null && typeof value === 'object' ? 'an object' : String(value);
    throw new InvalidOptionError(`screening: expected true, false or 'auto', got ${shown}`, 'screening');
  }
}

function shapeKey(req: ProposeRequest): string {
  return `${2 ** Math.ceil(Math.log2(Math.max(1, req.factors.n)))}:${req.factors.d}:${req.candidates}`;
}

/**
 * The bound kernel alone on `m` points (`m x d`, unit cube): f32 upper bounds
 * of their ranking scores, with the margins a proposal uses. For tests and
 * benchmarks; its float64 twin is nearestBounds (src/acquisition/nearest-bound.ts).
 * `anchors`: points (`count x d`) whose exact variances are known, as round
 * two's bounds use round one's winners.
 */
export async function runBounds(
  device: GPUDevice, pool: BufferPool, f: PosteriorFactors, points: ArrayLike<number>, m: number,
  acq: { code: number; best: number; xi: number; kappa: number },
  anchors?: { points: ArrayLike<number>; count: number; variance: ArrayLike<number> },
): Promise<Float32Array> {
  const d = f.d;
  await preparePrograms(device, [screenBounds(d)]);
  const temps: PooledBuffer[] = [];
  const take = (b: PooledBuffer): PooledBuffer => (temps.push(b), b);
  try {
    const fx = uploadFactors(device, pool, f);
    temps.push(fx.linv, fx.alpha, fx.xs, fx.invLs);
    const s = fx.shape;
    const sf = screeningFactors(f);
    const pts = take(uploadArray(device, pool, Float32Array.from({ length: m * s.d }, (_, i) => points[i]), 'points'));
    const diag = take(uploadArray(device, pool, sf.diag, 'factor diagonal'));
    const nA = anchors?.count ?? 0;
    const f32 = (a: ArrayLike<number>, k: number) => Float32Array.from({ length: Math.max(k, 1) }, (_, i) => (i < k ? a[i] : 0));
    const aPts = take(uploadArray(device, pool, f32(anchors?.points ?? [], nA * d), 'anchors'));
    const aVar = take(uploadArray(device, pool, f32(anchors?.variance ?? [], nA), 'anchor variances'));
    const bound = take(pool.acquire(Math.max(m, 4) * 4, STORAGE_USAGE, 'bounds'));
    const staging = take(pool.acquire(Math.max(m, 4) * 4, READBACK_USAGE, 'readback'));
    const rec = new Recorder(device, pool);
    rec.dispatch(screenBounds(d), {
      count: m, n: s.n, nPad: s.nPad, d: s.d, kernel: fx.kernelCode, kind: acq.code, k: 1, offset: 0, slot: 0, anchors: nA,
      signalVariance: fx.signalVariance, best: acq.best, xi: acq.xi,
      kappa: acq.kappa, varianceMargin: sf.varianceMargin, meanMargin: sf.meanMargin,
    }, { 1: pts, 2: fx.xs, 3: fx.invLs, 4: fx.alpha, 5: diag, 6: bound, 16: aPts, 17: aVar }, [Math.ceil(m / 64), 1, 1]);
    rec.copy(bound.buffer, 0, staging.buffer, 0, m * 4);
    const uniforms = rec.submit('bounds');
    if (uniforms !== null) temps.push(uniforms);
    await staging.buffer.mapAsync(MAP_MODE_READ, 0, m * 4);
    const out = new Float32Array(staging.buffer.getMappedRange(0, m * 4).slice(0));
    staging.buffer.unmap();
    return out;
  } finally {
    pool.release(...temps);
  }
}
