/**
 * Permutation importance from distances kept apart by parameter (src/report/importance.ts) against
 * the posterior mean of the shuffled points themselves, the way it was computed before: equal up
 * to rounding, on mixed spaces and on ill-conditioned fits.
 */
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp';
import { permutation, permutationImportance } from '../../src/report/importance';
import { Space } from '../../src/space';
import type { DimLayout, SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';

/** The importance as predictMean of each shuffled copy of X gives it (standardized units). */
function bySlowMeans(gp: GaussianProcess, X: Float64Array, n: number, d: number, layout: readonly DimLayout[], repeats: number, rng: Rng): number[] {
  const base = gp.predictMean(X, n, { standardized: true });
  return layout.map((l) => {
    const width = l.kind === 'categorical' ? l.size : 1;
    let sum = 0;
    for (let r = 0; r < repeats; r++) {
      const perm = permutation(n, rng);
      const Xp = Float64Array.from(X);
      for (let i = 0; i < n; i++) for (let k = 0; k < width; k++) Xp[i * d + l.dim + k] = X[perm[i] * d + l.dim + k];
      const m = gp.predictMean(Xp, n, { standardized: true });
      for (let i = 0; i < n; i++) sum += (m[i] - base[i]) ** 2;
    }
    return sum / (repeats * n);
  });
}

const SPACE: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
  units: { type: 'int', low: 8, high: 512, log: true },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
  drop: { type: 'float', low: 0, high: 0.5 },
  fixed: { type: 'float', low: 2, high: 2 },
};

describe('permutationImportance', () => {
  for (const [name, n, dup] of [['60 trials, mixed space', 60, 0], ['40 trials, half repeated 1e-7 away (ill-conditioned)', 40, 1e-7]] as const) {
    it(`equals the shuffled points' posterior means up to rounding: ${name}`, () => {
      const space = Space.fromOptions({ space: SPACE });
      const d = space.dim;
      const rng = new Rng(7);
      const X = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const u = i >= n / 2 && dup > 0 ? Array.from(X.subarray((i - n / 2) * d, (i - n / 2 + 1) * d)).map((v) => Math.min(1, v + dup)) : space.sample(rng, 1, 'random')[0];
        X.set(space.encode(space.decode(Float64Array.from(u))), i * d);
      }
      const y = Array.from({ length: n }, (_, i) => Math.sin(6 * X[i * d]) + 0.5 * X[i * d + 1] + (X[i * d + 2] > 0.5 ? 0.3 : 0));
      const gp = new GaussianProcess({ rng: new Rng(1), restarts: 2 }).fit(X, Float64Array.from(y), d);
      const fast = permutationImportance(gp.factors(), space.layout, 8, new Rng(2));
      const slow = bySlowMeans(gp, X, n, d, space.layout, 8, new Rng(2));
      const scale = Math.max(...slow);
      expect(scale).toBeGreaterThan(0);
      fast.forEach((v, j) => expect(Math.abs(v - slow[j]), space.layout[j].name).toBeLessThanOrEqual(1e-9 * scale));
      // a fixed parameter changes nothing, exactly
      expect(fast[space.layout.findIndex((l) => l.name === 'fixed')]).toBe(0);
    });
  }
});
