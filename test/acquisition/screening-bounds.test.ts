import { describe, expect, it } from 'vitest';
import { roundOneCandidates } from '../../src/acquisition/candidates';
import { scorePoints, topK } from '../../src/acquisition/cpu-engine';
import { screenedScores } from '../../src/acquisition/screening';
import { passHead, RelevantSubset, subsetSize } from '../../src/acquisition/screening-bounds';
import { GaussianProcess } from '../../src/gp';
import { ColumnBlock, forwardRowsBlock } from '../../src/gp/forward-block';
import { setLikelihoodBackend } from '../../src/gp/likelihood-wasm';
import { kernelRow, posteriorFromFactors, scaleInputs } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';

/** A GP on seeded data with fixed hyperparameters; `dups` rows copied onto others. */
function fitted(seed: number, n: number, d: number, dups: number, noise: number, ls: number, s2: number, kernel: 'rbf' | 'matern52' = 'matern52') {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
  for (let r = 0; r < dups; r++) {
    const a = rng.int(n);
    X.copyWithin(rng.int(n) * d, a * d, a * d + d);
  }
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * X[i * d]) - (X[i * d + (d > 1 ? 1 : 0)] - 0.3) ** 2);
  const gp = new GaussianProcess({
    rng: new Rng(seed), noiseFloor: noise, kernel,
    fixedHyperparameters: { lengthscales: new Float64Array(d).fill(ls), signalVariance: s2, noiseVariance: noise },
  });
  gp.fit(X, y, d);
  return { f: gp.factors(), X };
}

describe('relevant-subset variance bound', () => {
  const cases = [
    { name: 'duplicates, noise at the floor 1e-6', n: 90, d: 2, dups: 20, noise: 1e-6, ls: 0.3, s2: 1 },
    { name: 'long lengthscales, duplicates, noise 1e-6 (cond(K) ~ 1e9)', n: 200, d: 3, dups: 30, noise: 1e-6, ls: 3, s2: 1 },
    { name: 'signal variance 100, lengthscale 5, noise 1e-6', n: 300, d: 4, dups: 0, noise: 1e-6, ls: 5, s2: 100 },
  ];
  for (const c of cases) {
    it(`${c.name}: s2 - ||L_S^{-1} k_S||^2 over every prefix of S, widened, is at least the exact variance`, () => {
      const { f, X } = fitted(3, c.n, c.d, c.dups, c.noise, c.ls, c.s2);
      const sc = scaleInputs(f);
      const m = 600;
      const pts = roundOneCandidates(5, m, c.d, X.slice(0, 3 * c.d), 3);
      const exact = posteriorFromFactors(f, pts, m).variance;
      const kx = new Float64Array(c.n);
      for (const size of [8, 64, c.n]) {
        const S = new RelevantSubset(sc, f.L, f.noiseVariance, X.slice(0, 3 * c.d), 3, size);
        expect(S.size).toBe(size);
        expect(new Set(S.idx).size).toBe(size);
        const blk = new ColumnBlock(size, 1);
        let tight = 0;
        for (let p = 0; p < m; p++) {
          kernelRow(sc, pts, p, kx);
          S.gather(kx, blk, 0);
          blk.q.fill(0);
          for (let r = 0; r < size; r++) {
            forwardRowsBlock(S.L, size, blk, r, r + 1);
            expect(c.s2 - blk.q[0] + S.slack).toBeGreaterThanOrEqual(exact[p]);
          }
          if (c.s2 - blk.q[0] + S.slack < exact[p] + 1e-3 * c.s2) tight++;
        }
        // with S = all observations the bound is the exact variance up to the slack
        if (size === c.n) expect(tight).toBe(m);
      }
    });
  }

  it('puts the observations most correlated with the centres first', () => {
    const { f, X } = fitted(4, 50, 2, 0, 1e-4, 0.2, 1);
    const centre = Float64Array.from([0.9, 0.1]);
    const S = new RelevantSubset(scaleInputs(f), f.L, f.noiseVariance, centre, 1, 10);
    const dist = (i: number) => (X[i * 2] - 0.9) ** 2 + (X[i * 2 + 1] - 0.1) ** 2;
    const byDist = Array.from({ length: 50 }, (_, i) => i).sort((a, b) => dist(a) - dist(b));
    expect(Array.from(S.idx)).toEqual(byDist.slice(0, 10));
  });

  it('S\'s factor built and factored in the WebAssembly module equals the JavaScript build, bit for bit (duplicates, noise at the floor, rbf, d = 1 and 20)', () => {
    const cases = [
      { seed: 21, n: 200, d: 3, dups: 40, noise: 1e-6, ls: 2, s2: 1, kernel: 'matern52' as const },
      { seed: 22, n: 300, d: 6, dups: 0, noise: 5e-5, ls: 3, s2: 100, kernel: 'rbf' as const },
      { seed: 23, n: 160, d: 1, dups: 30, noise: 1e-6, ls: 0.3, s2: 1, kernel: 'rbf' as const },
      { seed: 24, n: 150, d: 20, dups: 10, noise: 1e-6, ls: 1.5, s2: 2, kernel: 'matern52' as const },
    ];
    for (const c of cases) {
      const { f, X } = fitted(c.seed, c.n, c.d, c.dups, c.noise, c.ls, c.s2, c.kernel);
      const build = () => new RelevantSubset(scaleInputs(f), f.L, f.noiseVariance, X.slice(0, 4 * c.d), 4);
      const wasm = build();
      setLikelihoodBackend('js');
      let js: RelevantSubset;
      try {
        js = build();
      } finally {
        setLikelihoodBackend('auto');
      }
      expect(wasm.size).toBe(subsetSize(c.n));
      expect(wasm.size).toBeGreaterThanOrEqual(64); // large enough for the module
      expect(Array.from(wasm.idx)).toEqual(Array.from(js.idx));
      expect(Buffer.from(wasm.L.buffer).equals(Buffer.from(js.L.buffer))).toBe(true);
    }
  });

  it('deferred: the leading 64 x 64 block factored alone is the full factor\'s leading block bit for bit (module and JavaScript), and complete() gives the factor an undeferred S has', () => {
    const cases = [
      { seed: 31, n: 300, d: 6, dups: 0, noise: 1e-6, ls: 0.4, s2: 1, kernel: 'matern52' as const },
      { seed: 32, n: 400, d: 3, dups: 40, noise: 1e-6, ls: 2, s2: 1, kernel: 'matern52' as const },
      { seed: 33, n: 260, d: 8, dups: 10, noise: 5e-5, ls: 1, s2: 100, kernel: 'rbf' as const },
    ];
    const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
    for (const backend of ['auto', 'js'] as const) {
      setLikelihoodBackend(backend);
      try {
        for (const c of cases) {
          const { f, X } = fitted(c.seed, c.n, c.d, c.dups, c.noise, c.ls, c.s2, c.kernel);
          const sc = scaleInputs(f);
          const full = new RelevantSubset(sc, f.L, f.noiseVariance, X.slice(0, 4 * c.d), 4);
          const deferred = new RelevantSubset(sc, f.L, f.noiseVariance, X.slice(0, 4 * c.d), 4, undefined, true);
          expect(deferred.size).toBe(full.size);
          expect(deferred.L.length).toBe(0); // nothing factored yet
          for (const rows of [64, 100]) {
            const lead = deferred.leading(rows)!;
            const block = new Float64Array(rows * rows);
            for (let i = 0; i < rows; i++) block.set(full.L.subarray(i * full.size, i * full.size + i + 1), i * rows);
            expect(bits(lead)).toBe(bits(block));
            expect(bits(full.leading(rows)!)).toBe(bits(block));
          }
          deferred.complete();
          deferred.complete(); // idempotent
          expect(deferred.size).toBe(full.size);
          expect(bits(deferred.L)).toBe(bits(full.L));
        }
      } finally {
        setLikelihoodBackend('auto');
      }
    }
  });

  it('has half the observations by default, all of them up to 64 and at most 512', () => {
    expect([10, 64, 100, 128, 256, 1000, 1025, 4000].map(subsetSize)).toEqual([10, 64, 64, 64, 128, 500, 512, 512]);
    const { f } = fitted(6, 256, 3, 0, 1e-4, 0.3, 1);
    expect(new RelevantSubset(scaleInputs(f), f.L, f.noiseVariance, Float64Array.from([0.5, 0.5, 0.5]), 1).size).toBe(128);
  });

  it('gives the bounding pass a head of 64 rows of S, fewer only where |S| is smaller or the kept rows would pass 128 MiB (down to 32)', () => {
    expect([[65536, 500], [10000, 128], [10000, 40], [2 ** 18, 512], [2 ** 19, 512], [2 ** 22, 512], [1, 64]].map(([m, s]) => passHead(m, s)))
      .toEqual([64, 64, 40, 64, 32, 32, 64]);
  });

  // With S half of the observations the bounds are looser, and the pass's head (64 rows of S) is longer than
  // the exact stage's checkpoint step (32); the scores must stay those of exhaustive scoring.
  const halfCases = [
    { name: 'n = 256, d = 8', seed: 7, n: 256, d: 8, dups: 0, noise: 1e-4, ls: 0.6, s2: 1 },
    { name: 'n = 200, duplicates, noise at the floor 1e-6, long lengthscales', seed: 8, n: 200, d: 3, dups: 40, noise: 1e-6, ls: 2, s2: 1 },
    { name: 'rbf, n = 300, d = 6, long lengthscales, signal variance 100 (the bench\'s warm fits)', seed: 9, n: 300, d: 6, dups: 0, noise: 5e-5, ls: 3, s2: 100, kernel: 'rbf' as const },
    { name: 'rbf, n = 160, d = 1, duplicates, noise at the floor 1e-6', seed: 10, n: 160, d: 1, dups: 30, noise: 1e-6, ls: 0.3, s2: 1, kernel: 'rbf' as const },
    { name: 'n = 150, d = 20, noise at the floor 1e-6', seed: 11, n: 150, d: 20, dups: 10, noise: 1e-6, ls: 1.5, s2: 2 },
  ];
  for (const c of halfCases) {
    it(`${c.name}: screened scoring with the default |S| = ${subsetSize(c.n)} gives exhaustive scoring's top 16 and exact scores`, () => {
      const { f, X } = fitted(c.seed, c.n, c.d, c.dups, c.noise, c.ls, c.s2, c.kernel);
      const spec = { kind: 'logei' as const, xi: 0, kappa: 2.576 };
      const best = 0.5;
      const m = 2000;
      const inc = X.slice(0, 3 * c.d);
      const pts = roundOneCandidates(c.seed, m, c.d, inc, 3);
      const full = scorePoints(f, pts, m, spec, best);
      const scr = screenedScores(f, pts, m, spec, best, 16, { centres: inc, nCentres: 3, anchored: true });
      expect(topK(scr.score, 16)).toEqual(topK(full.score, 16));
      for (let i = 0; i < m; i++) if (!Number.isNaN(scr.score[i])) expect(scr.score[i]).toBe(full.score[i]);
      expect(scr.exact).toBeLessThan(m);
    });
  }
});
