import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The re-created bayes_opt loop (bench/anchors/bayes_opt_recreated.py) takes
 * two shortcuts for speed: its own copy of scikit-learn's GP prediction and a
 * batched copy of SciPy's forward-difference gradient for L-BFGS-B. Both must
 * give what they replace (seeded run, 500 points, 22 gradient points of which
 * two are corners of the box, where the steps turn inwards).
 */
const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'anchors', 'bayes_opt_recreated.py');

describe('bench/anchors/bayes_opt_recreated.py self-check', () => {
  for (const seed of [0, 3]) {
    it(`seed ${seed}: prediction equals GaussianProcessRegressor.predict, gradient equals approx_derivative`, () => {
      const r = JSON.parse(execFileSync('/usr/bin/python3', [script, String(seed)], { encoding: 'utf8' })) as {
        mean: number; std: number; grad: number; lengthscale: number; n: number;
      };
      expect(r.n).toBe(12); // 8 initial points + 4 suggestions, none a duplicate
      expect(r.lengthscale).toBeGreaterThan(1e-5); // the fit moved off sklearn's bounds
      expect(r.lengthscale).toBeLessThan(1e5);
      expect(r.mean).toBeLessThanOrEqual(1e-12);
      expect(r.std).toBeLessThanOrEqual(1e-12);
      // Steps of 1.5e-8 amplify last-bit differences between scoring one point and a batch.
      expect(r.grad).toBeLessThanOrEqual(1e-3);
    });
  }
});
