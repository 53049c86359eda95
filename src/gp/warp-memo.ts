/**
 * How often the output warp is chosen. {@link selectOutputTransform} fits two
 * GPs (on up to 200 points) to compare the evidence of the raw and the
 * gap-power-warped targets; at n = 256 that was most of a suggestion. The
 * choice (which warp, not its parameters) only needs to be made when the
 * model's hyperparameters are re-estimated, so WarpMemo keeps it between
 * refits.
 */
import type { GaussianProcess } from './gaussian-process';
import { IDENTITY_TRANSFORM, gapPowerTransform, selectOutputTransform, type GapPowerTransform } from './transforms';

/** The memo's resumable state: the kind chosen and the data it was chosen on. */
export interface WarpMemoState {
  /** 'gap-box-cox' or 'identity' */
  kind: string;
  /** rows the choice was made on */
  n: number;
  /** fingerprint of those rows' inputs (`n x d`) and targets */
  key: number;
}

/**
 * The output warp's choice, remembered between hyperparameter refits: while
 * the data still begin with the rows the choice was made on, and the caller
 * says the hyperparameters are kept, the remembered kind is applied to the
 * current data (`gapPowerTransform` refitted to all of them, which is
 * cheap); otherwise the evidence comparison runs again. A refit the GP only
 * decides after factoring (a kept model found stale by its residual test)
 * keeps the remembered kind until the next scheduled refit. A choice made
 * afresh equals {@link selectOutputTransform} on the same data bit for bit
 * (the scratch GPs are seeded by n, as there), so a memo never changes a
 * suggestion at a refit, and its plain-JSON {@link state} lets a resumed
 * study continue bit for bit.
 *
 * @example
 * ```ts
 * const memo = new WarpMemo();
 * // X: n x d, y: n targets (maximization sense); keep: the GP keeps its hyperparameters at this fit
 * const t = memo.choose(X, y, n, d, keep, () => new GaussianProcess({ restarts: 1, rng: new Rng(n) }));
 * ```
 */
export class WarpMemo {
  private memo: WarpMemoState | null = null;
  /** evidence comparisons run (fresh choices), for tests and profiling */
  selections = 0;
  /** whether the last {@link choose} reused the remembered kind */
  reused = false;

  /**
   * The output transform for the first `n` targets of `y` (maximization
   * sense), inputs `X` (`n x d`, or longer). With `keep` and a remembered
   * choice made on a prefix of these rows, the remembered kind refitted to
   * the current data; otherwise the evidence comparison, remembered.
   */
  choose(
    X: Float64Array, y: ArrayLike<number>, n: number, d: number, keep: boolean, makeGp: () => GaussianProcess,
  ): GapPowerTransform {
    const m = this.memo;
    if (keep && m && m.n <= n && fingerprint(X, y, m.n, d) === m.key) {
      this.reused = true;
      return m.kind === 'identity' ? identity() : gapPowerTransform(y, n);
    }
    this.reused = false;
    this.selections++;
    const t = selectOutputTransform(X, y, n, d, makeGp);
    this.memo = { kind: t.kind, n, key: fingerprint(X, y, n, d) };
    return t;
  }

  /** Plain JSON, or null before the first choice. */
  state(): WarpMemoState | null {
    return this.memo ? { ...this.memo } : null;
  }

  /** Continues from a saved {@link state} (null, undefined or malformed: forget, so the next call chooses afresh). */
  restore(s: WarpMemoState | null | undefined): void {
    const ok = !!s && (s.kind === 'identity' || s.kind === 'gap-box-cox')
      && Number.isInteger(s.n) && s.n >= 0 && Number.isInteger(s.key);
    this.memo = ok ? { kind: s.kind, n: s.n, key: s.key } : null;
  }
}

const identity = (): GapPowerTransform => ({ ...IDENTITY_TRANSFORM, lambda: 1, logDerivative: () => 0 });

/** FNV-1a over the float64 bit patterns of the first `n` rows of X (`d` each) and y. */
export function fingerprint(X: Float64Array, y: ArrayLike<number>, n: number, d: number): number {
  const b = new Float64Array(1);
  const w = new Uint32Array(b.buffer);
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    b[0] = v;
    h = Math.imul(h ^ w[0], 0x01000193) >>> 0;
    h = Math.imul(h ^ w[1], 0x01000193) >>> 0;
  };
  for (let i = 0; i < n * d; i++) mix(X[i]);
  for (let i = 0; i < n; i++) mix(y[i]);
  return h;
}
