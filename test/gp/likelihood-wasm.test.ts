import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FIT_WORKER_SOURCE } from '../../src/gp/fit-worker-source';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { KERNEL_NAMES, kernelFromR2, type KernelName } from '../../src/gp/kernels';
import { MarginalLikelihood, type LikelihoodData } from '../../src/gp/likelihood';
import { resolveLikelihoodBackend, setLikelihoodBackend } from '../../src/gp/likelihood-wasm';
import { LIKELIHOOD_WASM_BASE64 } from '../../src/gp/likelihood-wasm-source';
import { cholesky } from '../../src/gp/linalg';
import { defaultHyperPriors, DEFAULT_NOISE_FLOOR } from '../../src/gp/priors';
import { Rng } from '../../src/util/rng';

// Tolerance 0 throughout: the module's lanes do the JavaScript arithmetic in its order.
const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v.toString(16)));

/** Seeded data; `dups` rows repeat earlier ones exactly. */
function problem(seed: number, kernel: KernelName, n: number, d: number, dups = 0): LikelihoodData {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  for (let i = 0; i < dups; i++) X.copyWithin((n - 1 - i) * d, i * d, i * d + d);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) + 0.3 * rng.normal());
  return { kernel, X, y, n, d };
}

/** Value and gradient with one backend (a fresh evaluator). */
function evaluate(b: 'js' | 'wasm', data: LikelihoodData, theta: Float64Array, priors: boolean): { f: number; g: Float64Array } {
  setLikelihoodBackend(b);
  const ml = new MarginalLikelihood(data, priors ? defaultHyperPriors(data.d) : null);
  const g = new Float64Array(data.d + 2);
  return { f: ml.evaluate(theta, g), g };
}

function expectSame(data: LikelihoodData, theta: Float64Array, priors = true): { f: number; g: Float64Array } {
  const js = evaluate('js', data, theta, priors);
  const wa = evaluate('wasm', data, theta, priors);
  expect(bits([wa.f, ...wa.g])).toEqual(bits([js.f, ...js.g]));
  return js;
}

const thetaOf = (d: number, logL: number, logS2: number, logNoise: number): Float64Array => {
  const t = new Float64Array(d + 2).fill(logL);
  t[d] = logS2;
  t[d + 1] = logNoise;
  return t;
};

afterEach(() => setLikelihoodBackend('auto'));

describe('WebAssembly likelihood', () => {
  it('loads here (Node 20 has WebAssembly SIMD and the fdlibm Math.exp)', () => {
    expect(resolveLikelihoodBackend('auto')).toBe('wasm');
    expect(resolveLikelihoodBackend('js')).toBe('js');
  });

  it('src/gp/likelihood-wasm-source.ts is up to date with assembly/', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-likelihood-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the fit workers carry the module (their script bundles it)', () => {
    expect(FIT_WORKER_SOURCE).toContain(LIKELIHOOD_WASM_BASE64);
  });

  // n below the blocked Cholesky (64), at it, over one and several 48-row blocks, odd and even; d odd and even
  const sizes = [[1, 1], [2, 2], [9, 3], [63, 4], [64, 5], [97, 2], [150, 7], [203, 6]];
  for (const kernel of KERNEL_NAMES) {
    it(`value and gradient equal the JavaScript ones bit for bit on seeded problems (${kernel})`, () => {
      const rng = new Rng(kernel === 'rbf' ? 31 : 32);
      for (const [n, d] of sizes) {
        const data = problem(n * 10 + d, kernel, n, d);
        for (let trial = 0; trial < 3; trial++) {
          const theta = new Float64Array(d + 2);
          for (let k = 0; k < d; k++) theta[k] = Math.log(rng.uniform(0.05, 2));
          theta[d] = rng.uniform(-2, 2);
          theta[d + 1] = rng.uniform(-10, -1);
          const { f } = expectSame(data, theta, trial !== 1);
          expect(Number.isFinite(f)).toBe(true);
        }
      }
    });

    it(`ill-conditioned: duplicates and noise at the floor give the JavaScript floats (${kernel})`, () => {
      for (const [n, d] of [[40, 3], [130, 4]]) {
        const data = problem(n + 7, kernel, n, d, Math.floor(n / 4));
        expectSame(data, thetaOf(d, Math.log(0.5), 0, Math.log(DEFAULT_NOISE_FLOOR)));
        expectSame(data, thetaOf(d, Math.log(0.05), 1, Math.log(DEFAULT_NOISE_FLOOR)));
      }
    });

    it(`a matrix that needs jitter gives the JavaScript floats (${kernel})`, () => {
      for (const [n, d] of [[30, 2], [120, 2]]) {
        // long lengthscales and a negligible noise: K is numerically singular
        const data = problem(n + 3, kernel, n, d, 10);
        const theta = thetaOf(d, Math.log(20), 0, -40);
        // the JavaScript factorization of this K does need jitter
        const K = new Float64Array(n * n);
        const noise = Math.exp(-40);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            let r2 = 0;
            for (let k = 0; k < d; k++) r2 += ((data.X[i * d + k] - data.X[j * d + k]) / 20) ** 2;
            K[i * n + j] = kernelFromR2(kernel, r2);
          }
          K[i * n + i] += noise;
        }
        expect(cholesky(K, n).jitter).toBeGreaterThan(0);
        const { f } = expectSame(data, theta);
        expect(Number.isFinite(f)).toBe(true);
      }
    });

    it(`a matrix that cannot be factored: +Infinity and a NaN gradient, as in JavaScript (${kernel})`, () => {
      for (const [n, d] of [[20, 3], [100, 3]]) {
        const data = problem(n + 5, kernel, n, d);
        // non-finite entries: the signal variance overflows, the noise (the diagonal only), a NaN lengthscale
        for (const theta of [thetaOf(d, 0, 800, -4), thetaOf(d, 0, 0, 800), thetaOf(d, NaN, 0, -4)]) {
          const js = expectSame(data, theta);
          expect(js.f).toBe(Infinity);
          expect(js.g.every((v) => Number.isNaN(v))).toBe(true);
        }
        // and the evaluator recovers on the next, good point
        setLikelihoodBackend('wasm');
        const ml = new MarginalLikelihood(data, defaultHyperPriors(d));
        const g = new Float64Array(d + 2);
        expect(ml.evaluate(thetaOf(d, 0, 800, -4), g)).toBe(Infinity);
        const good = thetaOf(d, -1, 0, -4);
        const f = ml.evaluate(good, g);
        expect(bits([f, ...g])).toEqual(bits((() => { const r = evaluate('js', data, good, true); return [r.f, ...r.g]; })()));
      }
    });
  }

  it('a signal variance so large that the mean diagonal overflows: +Infinity at once on both backends', () => {
    // three copies of one point, noise at 0: singular, so the jitter schedule starts,
    // and n (s2 + noise) overflows, so its steps would all be Infinity
    const X = Float64Array.from([0.3, 0.3, 0.3]);
    const data: LikelihoodData = { kernel: 'matern52', X, y: Float64Array.from([0, 1, -1]), n: 3, d: 1 };
    const js = expectSame(data, thetaOf(1, 0, 709, -800), false);
    expect(js.f).toBe(Infinity);
    expect(js.g.every((v) => Number.isNaN(v))).toBe(true);
  });

  it("setLikelihoodBackend('wasm') is refused nowhere here, and 'js' evaluates in JavaScript", () => {
    expect(() => setLikelihoodBackend('wasm')).not.toThrow();
    setLikelihoodBackend('js');
    expect(resolveLikelihoodBackend()).toBe('js');
  });
});

describe('GP fits with the WebAssembly likelihood', () => {
  const hyper = (gp: GaussianProcess) => {
    const h = gp.hyperparameters;
    return [...bits(h.lengthscales), ...bits([h.signalVariance, h.noiseVariance]), gp.fitStats.evaluations, gp.fitStats.lengthscales];
  };
  const cases = [
    { seed: 41, kernel: 'matern52' as const, n: 90, d: 5, dups: 0 },
    { seed: 42, kernel: 'rbf' as const, n: 70, d: 3, dups: 20 },
  ];
  for (const c of cases) {
    it(`${c.kernel}, n = ${c.n}: the hyperparameters of the JavaScript fit, on this thread and with fit workers`, () => {
      const data = problem(c.seed, c.kernel, c.n, c.d, c.dups);
      const fit = (b: 'js' | 'wasm', workers: number) => {
        setLikelihoodBackend(b);
        const gp = new GaussianProcess({ kernel: c.kernel, lengthscales: 'auto', noiseFloor: 1e-6, rng: new Rng(c.seed), workers });
        return hyper(gp.fit(data.X, data.y, c.d));
      };
      const js = fit('js', 0);
      expect(fit('wasm', 0)).toEqual(js);
      expect(fit('wasm', 2)).toEqual(js); // the workers evaluate in WebAssembly ('auto')
    });
  }
});
