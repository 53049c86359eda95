/**
 * The GP's rows in the order the storage recorded their trials' ends (src/optimizer/fit-order.ts):
 * a study holding failed or pruned trials extends its factor between refits
 * past 64 rows, fits what a fit in the observations' own order gives, and a
 * resumed one continues as the uninterrupted one, where the journal's local times read hours ahead too.
 */
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { BayesianOptimization } from '../../src/optimizer';
import { fitOrder, permuteRows } from '../../src/optimizer/fit-order';
import { pendingFactors } from '../../src/optimizer/pending';
import type { Pruner } from '../../src/pruners';
import type { Params } from '../../src/space/types';
import { MemoryJournalBackend } from '../../src/storage';
import { Rng } from '../../src/util/rng';

const f = (p: Params): number => {
  const [a, b, c] = [p.a, p.b, p.c] as number[];
  return -((a - 0.3) ** 2) - (b - 0.6) ** 2 - (c - 0.5) ** 2 + 0.1 * Math.sin(9 * a);
};
const PBOUNDS = { a: [0, 1], b: [0, 1], c: [0, 1] } as const;

/** 70 trials, every 20th from the 8th failed and from the 14th pruned at step 1, then `steps` suggestions told. */
async function study(steps: number, refit: 'auto' | 'always' = 'auto') {
  const opt = new BayesianOptimization({ pbounds: PBOUNDS, randomState: 5, engine: 'cpu', candidates: 1500, gp: { refit }, log: () => {}, stallExploration: false });
  const rng = new Rng(3);
  for (let i = 0; i < 70; i++) {
    const p = { a: rng.uniform(0, 1), b: rng.uniform(0, 1), c: rng.uniform(0, 1) };
    if (i % 20 === 7) await opt.registerFailure(p);
    else if (i % 20 === 13) {
      await opt.enqueue(p);
      const q = await opt.suggest();
      await opt.report(q, 1, f(q) - 0.5);
      await opt.registerPruned(q);
    } else await opt.register(p, f(p));
  }
  const reasons: string[] = [];
  for (let s = 0; s < steps; s++) {
    const p = await opt.suggest();
    reasons.push(opt.gp.fitStats.reason);
    await opt.register(p, f(p));
  }
  return { opt, reasons };
}

describe('fitOrder', () => {
  const ids = (xs: number[]) => xs.map((id) => ({ id }));

  it('sorts the rows by their trial\'s place in the recorded end order (a trial not there first), then by row', () => {
    const rows = ids(Array.from({ length: 64 }, (_, i) => i));
    expect(fitOrder(rows, 64, rows)).toBeNull(); // already in order
    // rows 60 (a pruned trial) and 61 (a failed one) ended before the completed trials 62 and 63 of rows 62-63
    const grouped = ids([...Array(60).keys(), 62, 63, 60, 61]);
    const ended = ids(Array.from({ length: 64 }, (_, i) => i));
    expect(Array.from(fitOrder(grouped, 64, ended) ?? [])).toEqual([...Array(60).keys(), 62, 63, 60, 61]);
    // one trial's several rows (learning-curve rows) keep their order; a trial the order lacks comes first
    const curves = ids([5, 5, 7, 6, 6, ...Array.from({ length: 59 }, (_, i) => 10 + i)]);
    expect(Array.from(fitOrder(curves, 64, ids([6, 5, 7, ...Array.from({ length: 58 }, (_, i) => 10 + i)])) ?? []).slice(0, 6)).toEqual([63, 3, 4, 0, 1, 2]);
  });

  it('keeps the observations\' order below 64 rows in all, the caller\'s extra rows counted', () => {
    const rows = ids(Array.from({ length: 63 }, (_, i) => i));
    const backwards = [...rows].reverse();
    expect(fitOrder(rows, 63, backwards)).toBeNull();
    expect(fitOrder(rows, 64, backwards)?.[0]).toBe(62);
  });

  it('permuteRows moves inputs and targets together and leaves the rows after the permutation in place', () => {
    const X = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const y = Float64Array.from([10, 11, 12, 13]);
    const p = permuteRows(X, y, 2, Int32Array.from([2, 0, 1]));
    expect(Array.from(p.X)).toEqual([4, 5, 0, 1, 2, 3, 6, 7]);
    expect(Array.from(p.y)).toEqual([12, 10, 11, 13]);
    expect(permuteRows(X, y, 2, null).X).toBe(X);
  });
});

describe('a study holding failed and pruned trials, past 64 rows', () => {
  it("keeps the hyperparameters between refits and extends the factor (refit 'auto'); it refitted at every suggestion before", async () => {
    const { opt, reasons } = await study(4);
    expect(reasons).toEqual(['first', 'kept', 'kept', 'kept']);
    expect(opt.gp.fitStats.keptRows).toBeGreaterThan(70);
    expect(opt.trials.filter((t) => t.status === 'failed')).toHaveLength(4);
    expect(opt.trials.filter((t) => t.status === 'pruned')).toHaveLength(3);
    opt.dispose();
  });

  for (const [label, gap, noise] of [['well spread', 0, 1e-2], ['near-duplicate rows, little noise (ill-conditioned)', 1e-7, 1e-6]] as const) {
    it(`a factor extended in finish order predicts what a fresh fit in grouped order does: ${label}`, () => {
      const rng = new Rng(11);
      const n = 90;
      const d = 3;
      const X = new Float64Array(n * d).map(() => rng.uniform(0, 1));
      // rows 80-89 repeat rows 0-9 up to `gap` (with gap 0: fresh points)
      if (gap > 0) for (let i = 80; i < n; i++) for (let k = 0; k < d; k++) X[i * d + k] = X[(i - 80) * d + k] + gap * rng.uniform(-1, 1);
      const y = Float64Array.from({ length: n }, (_, i) => Math.sin(4 * X[i * d]) + X[i * d + 1] ** 2 - X[i * d + 2]);
      const hp = { lengthscales: Float64Array.from([0.3, 0.5, 0.8]), signalVariance: 1.3, noiseVariance: noise };
      const grouped = new GaussianProcess({ fixedHyperparameters: hp, noiseFloor: 1e-8 }).fit(X, y, d);
      // finish order: rows 60-69 (say, completed late) after the rest; fitted first without the last 15 rows, then extended
      const perm = Int32Array.from([...Array(60).keys(), ...Array.from({ length: 20 }, (_, i) => 70 + i), ...Array.from({ length: 10 }, (_, i) => 60 + i)]);
      const ordered = permuteRows(X, y, d, perm);
      const gp = new GaussianProcess({ fixedHyperparameters: hp, noiseFloor: 1e-8 });
      gp.fit(ordered.X.slice(0, 75 * d), ordered.y.slice(0, 75), d);
      gp.fit(ordered.X, ordered.y, d);
      expect(gp.fitStats.keptRows).toBe(75);
      const m = 200;
      const Xs = new Float64Array(m * d).map(() => rng.uniform(0, 1));
      for (let i = 0; i < 20; i++) Xs.set(X.subarray(i * d, i * d + d), i * d); // at the data too
      const a = grouped.predict(Xs, m);
      const b = gp.predict(Xs, m);
      for (let i = 0; i < m; i++) {
        expect(Math.abs(b.mean[i] - a.mean[i])).toBeLessThan(1e-8 * (1 + Math.abs(a.mean[i])));
        expect(Math.abs(b.variance[i] - a.variance[i])).toBeLessThan(1e-8 * hp.signalVariance);
      }
    });
  }

  it("'liar' lies at the worst completed row wherever the rows are: a mask in finish order gives the count's value in grouped order", () => {
    const rng = new Rng(2);
    const n = 12;
    const d = 2;
    const X = new Float64Array(n * d).map(() => rng.uniform(0, 1));
    // rows 0-8 completed, 9-11 imputed far below (failed trials)
    const y = Float64Array.from({ length: n }, (_, i) => (i < 9 ? Math.cos(3 * X[i * d]) + X[i * d + 1] : -3));
    const hp = { lengthscales: Float64Array.from([0.4, 0.6]), signalVariance: 1, noiseVariance: 1e-3 };
    const Xp = Float64Array.from([0.5, 0.5, 0.2, 0.9]);
    const grouped = new GaussianProcess({ fixedHyperparameters: hp }).fit(X, y, d);
    const perm = Int32Array.from([0, 1, 9, 2, 3, 10, 4, 5, 6, 11, 7, 8]);
    const o = permuteRows(X, y, d, perm);
    const mixed = new GaussianProcess({ fixedHyperparameters: hp }).fit(o.X, o.y, d);
    const mask = Uint8Array.from(perm, (r) => (r < 9 ? 1 : 0));
    const want = pendingFactors(grouped, Xp, 2, 'liar', undefined, 9).values;
    const got = pendingFactors(mixed, Xp, 2, 'liar', undefined, mask).values;
    expect(got[0]).toBeCloseTo(want[0], 10);
    expect(got[0]).toBeGreaterThan(grouped.standardize(-2.9)); // not an imputed row's
    // the count read in finish order would take a failed row's -3
    expect(pendingFactors(mixed, Xp, 2, 'liar', undefined, 9).values[0]).toBeLessThan(want[0] - 0.5);
  });
});

/** `text` (a journal) with every naive local time moved `hours` on: as written by a worker in a zone that many hours east. */
function shiftedTimes(text: string, hours: number): string {
  const pad = (v: number, w = 2) => String(v).padStart(w, '0');
  return text.replace(/"(datetime_(?:start|complete))":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?"/g, (_m, key: string, whole: string, frac = '') => {
    const t = new Date(new Date(whole).getTime() + hours * 3_600_000);
    const local = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
    return `"${key}":"${local}${frac}"`;
  });
}

describe('resuming a study with failed and pruned trials past 64 rows', () => {
  it('continues as the uninterrupted one: the rows are fitted in the finish order the journal recorded', async () => {
    // failed and pruned at step 1 by trial id
    const objective = async (p: Params, ctx: { trialId: number; report: (s: number, v: number) => Promise<boolean> }) => {
      if (ctx.trialId % 9 === 4) throw new Error('diverged');
      if (await ctx.report(1, f(p) - 0.2)) return f(p) - 0.2; // the pruner says stop
      return f(p);
    };
    const pruner: Pruner = { name: 'every-seventh', prune: ({ trial }) => trial.id % 7 === 3 };
    const opts = { f: objective, pbounds: PBOUNDS, randomState: 2, engine: 'cpu', candidates: 800, pruner, log: () => undefined, stallExploration: false } as const;
    const budget = { initPoints: 6, nIter: 74, resume: true }; // 80 trials
    const whole = new BayesianOptimization({ ...opts, journal: new MemoryJournalBackend() });
    await whole.maximize(budget);
    const backend = new MemoryJournalBackend();
    const first = new BayesianOptimization({ ...opts, journal: backend });
    await first.maximize({ ...budget, nIter: 66 }); // 72 trials
    await first.close();
    const second = new BayesianOptimization({ ...opts, journal: new MemoryJournalBackend(backend.text) });
    const reasons: string[] = [];
    await second.maximize({ ...budget, onTrial: (_t, o) => void reasons.push(o.gp.fitStats.reason) });
    const statuses = whole.res.map((r) => r.status);
    expect(statuses.filter((s) => s === 'failed').length).toBeGreaterThan(2);
    expect(statuses.filter((s) => s === 'pruned').length).toBeGreaterThan(8);
    expect(second.res.map((r) => r.params)).toEqual(whole.res.map((r) => r.params));
    expect(reasons).toContain('kept');
    // resumed where the journal's times read 9 hours ahead (written in a zone east of the reader's, or by a
    // clock ahead): the rows follow the journal's order, not the times, which put every new trial first
    // (each fit then refitted the whole GP, and the run left the uninterrupted one at trial 73)
    const east = new BayesianOptimization({ ...opts, journal: new MemoryJournalBackend(shiftedTimes(backend.text, 9)) });
    const eastReasons: string[] = [];
    await east.maximize({ ...budget, onTrial: (_t, o) => void eastReasons.push(o.gp.fitStats.reason) });
    expect(east.res.map((r) => r.params)).toEqual(whole.res.map((r) => r.params));
    expect(eastReasons).toEqual(reasons);
    expect(eastReasons.filter((r) => r === 'data')).toEqual([]);
    whole.dispose();
    second.dispose();
    east.dispose();
  });
});
