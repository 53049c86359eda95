/** `pendingKappa`: how far below the posterior mean 'lcb-believer' enters a pending point. */
import { describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess, posteriorFromFactors } from '../../src/gp';
import { BayesianOptimization, pointKey, proposeNext } from '../../src/optimizer';
import { LCB_KAPPA, pendingFactors } from '../../src/optimizer/pending';
import { Space } from '../../src/space';
import type { Params } from '../../src/space/types';
import { Study } from '../../src/storage/study';
import { Rng } from '../../src/util/rng';
import { f, fittedGp } from './fixtures/fitted-gp';

const fitted = (n: number, seed = 1): GaussianProcess => fittedGp(n, seed).gp;

describe('pendingFactors with kappa', () => {
  const gp = fitted(8);
  const Xp = Float64Array.from([0.2, 0.2, 0.8, 0.5, 0.5, 0.9]);
  const before = gp.predict(Xp, 3, { standardized: true });

  it('kappa 0.5: pending points enter half a standard deviation below their mean, which the posterior follows', () => {
    const { factors, values } = pendingFactors(gp, Xp, 3, 'lcb-believer', undefined, undefined, 0.5);
    const at = posteriorFromFactors(factors, Xp, 3);
    for (let i = 0; i < 3; i++) {
      const sd = Math.sqrt(before.variance[i]);
      expect(sd).toBeGreaterThan(0.05);
      expect(values[i]).toBeCloseTo(before.mean[i] - 0.5 * sd, 12);
      // no observation noise on pending rows: the posterior mean there moves to the value entered
      expect(at.mean[i]).toBeCloseTo(values[i], 3);
    }
  });

  it('kappa 0 is the believer (same values, same factors); the default is 1', () => {
    const zero = pendingFactors(gp, Xp, 3, 'lcb-believer', undefined, undefined, 0);
    const bel = pendingFactors(gp, Xp, 3, 'believer');
    expect(Array.from(zero.values)).toEqual(Array.from(bel.values));
    expect(Array.from(zero.factors.alpha)).toEqual(Array.from(bel.factors.alpha));
    expect(LCB_KAPPA).toBe(1);
    const byDefault = pendingFactors(gp, Xp, 3, 'lcb-believer');
    const one = pendingFactors(gp, Xp, 3, 'lcb-believer', undefined, undefined, 1);
    expect(Array.from(byDefault.values)).toEqual(Array.from(one.values));
    for (let i = 0; i < 3; i++) expect(byDefault.values[i]).toBeCloseTo(before.mean[i] - Math.sqrt(before.variance[i]), 12);
  });

  it('other strategies ignore it', () => {
    const a = pendingFactors(gp, Xp, 3, 'believer', undefined, undefined, 0.5);
    const b = pendingFactors(gp, Xp, 3, 'believer');
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
  });
});

describe('pendingKappa in the proposal step and the optimizer', () => {
  const space = Space.fromOptions({ pbounds: { x: [0, 1], y: [0, 1] } });

  it('proposeNext enters pending trials at mean - pendingKappa sd of the completed trials\' model', async () => {
    const s = Study.open(undefined, { direction: 'maximize' });
    for (const [x, y] of [[0.1, 0.2], [0.5, 0.5], [0.9, 0.1], [0.3, 0.8], [0.7, 0.6], [0.2, 0.6]]) await s.record({ x, y }, { target: f(x, y) });
    const pend = [[0.45, 0.55], [0.8, 0.8]];
    for (const [x, y] of pend) await s.ask(() => ({ x, y }), { source: 'suggest' });
    const gp = new GaussianProcess({ rng: new Rng(4) });
    const p = await proposeNext(s, {
      space, gp, engine: createCpuEngine(), acquisition: { kind: 'ei', xi: 0.01, kappa: 2.576 }, rng: new Rng(1),
      candidates: 500, pending: 'lcb-believer', pendingKappa: 0.25, outputWarping: 'none',
    });
    const Xp = Float64Array.from(pend.flat());
    const model = gp.predict(Xp, 2, { standardized: true }); // gp: fitted on the 6 completed trials
    const at = posteriorFromFactors(p.factors!, Xp, 2);
    for (let i = 0; i < 2; i++) expect(at.mean[i]).toBeCloseTo(model.mean[i] - 0.25 * Math.sqrt(model.variance[i]), 3);
  });

  it('4 queued suggest() calls with pendingKappa 0.5 return distinct points, apart from each other', async () => {
    const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
    const opt = new BayesianOptimization({
      engine: 'cpu', candidates: 500, gp: { restarts: 1 }, log: () => undefined, pbounds: { x: [0, 1], y: [0, 1] },
      randomState: 3, initPoints: 4, pending: 'lcb-believer', pendingKappa: 0.5,
    });
    for (const [x, y] of [[0.1, 0.1], [0.9, 0.2], [0.5, 0.9], [0.3, 0.4]]) opt.register({ x, y }, quad({ x, y }));
    const points = await Promise.all(Array.from({ length: 4 }, () => opt.suggest()));
    expect(new Set(points.map(pointKey)).size).toBe(4);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < i; j++) {
        const d = Math.hypot((points[i].x as number) - (points[j].x as number), (points[i].y as number) - (points[j].y as number));
        expect(d).toBeGreaterThan(0.01);
      }
    }
  });

  it('a negative, non-finite or non-number pendingKappa is an InvalidOptionError naming it', () => {
    const PB = { x: [0, 1], y: [0, 1] } as const;
    for (const [v, shown] of [[-1, '-1'], ['1', '"1"']] as const) {
      const make = () => new BayesianOptimization({ pbounds: PB, pendingKappa: v as number });
      expect(make).toThrow(InvalidOptionError);
      expect(make).toThrow(`option "pendingKappa": expected a finite number >= 0, got ${shown}`);
    }
    // (the options' show() prints NaN and Infinity as JSON does, null)
    for (const v of [NaN, Infinity]) {
      expect(() => new BayesianOptimization({ pbounds: PB, pendingKappa: v })).toThrow(/^option "pendingKappa": expected a finite number >= 0, got /);
    }
    expect(() => new BayesianOptimization({ pbounds: PB, pending: 'lcb-believer', pendingKappa: 0.5, log: () => undefined })).not.toThrow();
  });
});
