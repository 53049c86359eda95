/**
 * detachFactors (src/gp/posterior.ts): a GP's factors share its factor's
 * storage, which a later fit grows in place; a detached copy keeps the
 * first fit's factor and an Linv computed from it.
 */
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp';
import { detachFactors } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';

describe('detachFactors', () => {
  it('keeps the factor (and its Linv) of the fit it was taken from through later fits that grow the factor in place', () => {
    const d = 3;
    const rng = new Rng(5);
    const X = Float64Array.from({ length: 80 * d }, () => rng.random());
    const y = Float64Array.from({ length: 80 }, (_, i) => Math.sin(4 * X[i * d]) + X[i * d + 1]);
    const gp = new GaussianProcess({ rng: new Rng(6), refit: 'auto' });
    gp.fit(X.subarray(0, 70 * d), y.subarray(0, 70), d);
    const shared = gp.factors();
    const before = shared.L.slice();
    const detached = detachFactors(shared);
    expect(detached.L).not.toBe(shared.L);
    gp.fit(X.subarray(0, 71 * d), y.subarray(0, 71), d); // one more point, the hyperparameters kept: rows move apart in place
    expect(gp.fitStats.reason).toBe('kept');
    expect(Array.from(shared.L)).not.toEqual(Array.from(before)); // the shared view now holds the moved rows
    expect(Array.from(detached.L)).toEqual(Array.from(before));
    expect([detached.n, detached.alpha]).toEqual([70, shared.alpha]);
    // Linv from the copy: L Linv = I
    const { L, Linv, n } = detached;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += L[i * n + k] * Linv[k * n + j];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-8);
  });
});
