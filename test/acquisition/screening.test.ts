import { describe, expect, it } from 'vitest';
import { roundOneCandidates, roundTwoCandidates } from '../../src/acquisition/candidates';
import { scorePoints, topK } from '../../src/acquisition/cpu-engine';
import type { AcquisitionSpec } from '../../src/acquisition/functions';
import { screenedScores } from '../../src/acquisition/screening';
import { ColumnBlock, forwardRowsBlock } from '../../src/gp/forward-block';
import { forwardRows } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';
import { expectRoundTwoWinner, fittedGp } from './fixtures/fitted-gp';

/** A fitted GP on seeded data (./fixtures/fitted-gp.ts). */
function fitted(seed: number, n: number, d: number, opts: { dups?: number; noise?: number; ls?: number; s2?: number } = {}) {
  return fittedGp({ ...opts, seed, n, d });
}

const ACQS: AcquisitionSpec[] = [
  { kind: 'ei', xi: 0.01, kappa: 2.576 },
  { kind: 'logei', xi: 0, kappa: 2.576 },
  { kind: 'pi', xi: 0.01, kappa: 2.576 },
  { kind: 'ucb', xi: 0.01, kappa: 2.576 },
];

describe('screened scoring', () => {
  const cases = [
    { name: 'n = 60, d = 3', seed: 1, n: 60, d: 3 },
    { name: 'n = 150, d = 6', seed: 2, n: 150, d: 6 },
    { name: 'duplicates, noise at the floor 1e-6', seed: 3, n: 90, d: 2, dups: 20, noise: 1e-6 },
  ];
  for (const c of cases) {
    for (const acq of ACQS) {
      it(`${c.name}, ${acq.kind}: the same top 16 and bit-identical exact scores as exhaustive scoring`, () => {
        const { f, best, X } = fitted(c.seed, c.n, c.d, c);
        const m = 3000;
        const inc = X.slice(0, 3 * c.d);
        const pts = roundOneCandidates(c.seed, m, c.d, inc, 3);
        const full = scorePoints(f, pts, m, acq, best);
        const scr = screenedScores(f, pts, m, acq, best, 16);
        expect(topK(scr.score, 16)).toEqual(topK(full.score, 16));
        for (let i = 0; i < m; i++) {
          // exact means where scored, upper bounds of them elsewhere
          if (Number.isNaN(scr.score[i])) expect(scr.mean[i]).toBeGreaterThanOrEqual(full.mean[i]);
          else {
            expect(scr.mean[i]).toBe(full.mean[i]);
            expect(scr.score[i]).toBe(full.score[i]);
          }
        }
        expect(scr.exact).toBeGreaterThanOrEqual(16);
        // k = 1 as round two uses it
        expect(topK(screenedScores(f, pts, m, acq, best, 1).score, 1)).toEqual(topK(full.score, 1));
      });
    }
  }

  it('huge |alpha| (weights times 1e9, noise at the floor): the same top 16 and bit-identical exact scores as exhaustive scoring', () => {
    const { f: f0, best, X } = fittedGp({ seed: 4, n: 120, d: 4, dups: 10, noise: 1e-6 });
    const f = { ...f0, alpha: Float64Array.from(f0.alpha, (a) => a * 1e9) };
    const m = 3000;
    const pts = roundOneCandidates(4, m, 4, X.slice(0, 12), 3);
    for (const acq of ACQS) {
      const full = scorePoints(f, pts, m, acq, best * 1e9);
      const scr = screenedScores(f, pts, m, acq, best * 1e9, 16);
      expect(topK(scr.score, 16)).toEqual(topK(full.score, 16));
      for (let i = 0; i < m; i++) {
        if (Number.isNaN(scr.score[i])) expect(scr.mean[i]).toBeGreaterThanOrEqual(full.mean[i]);
        else expect([scr.mean[i], scr.score[i]]).toEqual([full.mean[i], full.score[i]]);
      }
      expect(scr.exact).toBeLessThan(m); // the margin still lets it skip
    }
  });

  it('candidates whose bound is NaN (a NaN coordinate) leave the order of the others intact: the same top 16 as exhaustive scoring', () => {
    const { f, best, X } = fitted(5, 120, 3);
    const m = 3000;
    const pts = roundOneCandidates(5, m, 3, X.slice(0, 9), 3);
    for (let p = 0; p < m; p += 7) pts[p * 3] = NaN;
    const full = scorePoints(f, pts, m, ACQS[0], best);
    const scr = screenedScores(f, pts, m, ACQS[0], best, 16);
    const top = topK(scr.score, 16);
    expect(top).toEqual(topK(full.score, 16));
    for (const p of top) expect(p % 7).not.toBe(0);
  });

  it('skips most candidates once the model is informed (n = 200, d = 4, EI)', () => {
    const { f, best, X } = fitted(4, 200, 4);
    const m = 4000;
    const pts = roundOneCandidates(9, m, 4, X.slice(0, 20), 5);
    const scr = screenedScores(f, pts, m, ACQS[0], best, 16);
    expect(scr.exact).toBeLessThan(m / 2);
  });

  it('with a floor: the same winner when it beats the floor, and nothing above the floor otherwise', () => {
    const { f, best, X } = fitted(6, 120, 4);
    const m = 3000;
    const pts = roundOneCandidates(11, m, 4, X.slice(0, 8), 2);
    const full = scorePoints(f, pts, m, ACQS[0], best);
    const sorted = [...full.score].sort((a, b) => b - a);
    const below = screenedScores(f, pts, m, ACQS[0], best, 1, { floor: sorted[10] });
    expect(topK(below.score, 1)).toEqual(topK(full.score, 1));
    const above = screenedScores(f, pts, m, ACQS[0], best, 1, { floor: sorted[0] + 1 });
    for (const v of above.score) if (!Number.isNaN(v)) expect(v).toBeLessThan(sorted[0] + 1);
    expect(above.exact).toBeLessThan(below.exact + 1);
  });

  it('the blocked forward substitution equals the one-column one bit for bit (4 quads, from a midpoint, with a moved column)', () => {
    const { f, X } = fitted(7, 77, 3, { dups: 10, noise: 1e-6 });
    const n = 77;
    const rng = new Rng(8);
    const cols = Array.from({ length: 16 }, (_, c) => Float64Array.from({ length: n }, (_, i) => (c === 0 ? X[i * 3] * 0.7 : rng.uniform(-1, 1))));
    const blk = new ColumnBlock(n, 4);
    const ref = cols.map((k) => {
      const v = new Float64Array(n);
      const q13 = forwardRows(f.L, n, k, v, 0, 13, 0);
      return { k, v, q13 };
    });
    ref.forEach((r, c) => { blk.setColumn(c, r.k); blk.setSolved(c, r.v, 13, r.q13); });
    forwardRowsBlock(f.L, n, blk, 13, 40);
    blk.move(15, 2, 40); // column 15 now sits in lane 2
    forwardRowsBlock(f.L, n, blk, 40, n);
    const out = new Float64Array(n);
    ref.forEach((r, c) => {
      if (c === 2) return;
      const q = forwardRows(f.L, n, r.k, r.v, 13, n, r.q13);
      const lane = c === 15 ? 2 : c;
      expect(blk.q[lane]).toBe(q);
      blk.solved(lane, n, out);
      expect(Array.from(out)).toEqual(Array.from(r.v));
    });
  });

  it('counts its work: a kernel row per candidate plus one per candidate checked, n(n-1)/2 multiply-adds per exact variance', () => {
    const { f, best, X } = fitted(5, 100, 3);
    const m = 2000;
    const pts = roundOneCandidates(4, m, 3, X.slice(0, 6), 2);
    const scr = screenedScores(f, pts, m, ACQS[0], best, 16, { centres: X.slice(0, 6), nCentres: 2 });
    expect(scr.work.kernelRows).toBeGreaterThanOrEqual(m + scr.exact);
    expect(scr.work.kernelRows).toBeLessThan(2 * m);
    const head = 32;
    expect(scr.work.madds).toBeGreaterThanOrEqual(m * (head * (head - 1)) / 2 + scr.exact * (100 * 99) / 2);
    expect(scr.rows).toBeGreaterThanOrEqual(scr.exact * 100); // and the partial solves of candidates dropped on the way
    // all exact: every candidate's full solve and a kernel row for each again
    const all = screenedScores(f, pts, 20, ACQS[0], best, 20);
    expect(all.exact).toBe(20);
    expect(all.work.kernelRows).toBe(40);
  });

  it('fewer candidates than k: every one exact', () => {
    const { f, best, X } = fitted(5, 40, 2);
    const pts = roundOneCandidates(3, 10, 2, X.slice(0, 2), 1);
    const scr = screenedScores(f, pts, 10, ACQS[0], best, 16);
    expect(scr.exact).toBe(10);
    expect(Array.from(scr.score)).toEqual(Array.from(scorePoints(f, pts, 10, ACQS[0], best).score));
  });
});

describe('screened scoring, both rounds as the CPU engine runs them', () => {
  const cases = [
    { name: 'long lengthscales, signal variance 100, noise 1e-4 (cond(K) ~ 1e8)', seed: 21, n: 200, d: 6, noise: 1e-4, ls: 5, s2: 100 },
    { name: 'duplicates, noise at the floor 1e-6, lengthscale 2', seed: 22, n: 160, d: 4, dups: 30, noise: 1e-6, ls: 2, s2: 1 },
    { name: 'fitted hyperparameters', seed: 23, n: 120, d: 5 },
  ];
  for (const c of cases) {
    it(`${c.name}: the same round-one top 16 and round-two winner as exhaustive scoring`, () => {
      const { f, best, X } = fitted(c.seed, c.n, c.d, c);
      const inc = X.slice(0, 4 * c.d);
      const acq = ACQS[0];
      const m1 = 3000;
      const c1 = roundOneCandidates(c.seed, m1, c.d, inc, 4);
      const r1 = screenedScores(f, c1, m1, acq, best, 16, { centres: inc, nCentres: 4 });
      const e1 = scorePoints(f, c1, m1, acq, best);
      const top = topK(e1.score, 16);
      expect(topK(r1.score, 16)).toEqual(top);
      for (const t of top) expect(r1.score[t]).toBe(e1.score[t]);
      const centres = new Float64Array(16 * c.d);
      top.forEach((t, r) => centres.set(c1.subarray(t * c.d, t * c.d + c.d), r * c.d));
      const m2 = 1000;
      const c2 = roundTwoCandidates(c.seed, m2, c.d, centres, 16);
      const floor = e1.score[top[0]];
      const r2 = screenedScores(f, c2, m2, acq, best, 1, { floor, centres, nCentres: 16 });
      const e2 = scorePoints(f, c2, m2, acq, best);
      expectRoundTwoWinner(r2.score, e2.score, floor);
      // the subset bound prunes most of round two's clustered candidates
      expect(r2.exact).toBeLessThan(m2 / 4);
    });
  }
});
