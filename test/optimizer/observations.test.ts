/** Failed trials enter the GP as bad values, so the model learns where the objective fails. */
import { IDENTITY_TRANSFORM } from '../../src/gp/transforms';
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { trialObservations, winsorizeLowerTail } from '../../src/optimizer/observations';
import { observations } from '../../src/optimizer/proposal';
import { Space } from '../../src/space';
import type { Trial } from '../../src/optimizer/types';
import type { Params } from '../../src/space/types';

const enc = (p: Params) => Float64Array.of(p.x as number);
const trial = (id: number, x: number, target: number | null, status: Trial['status']): Trial => ({ id, params: { x }, target, status, source: 'init' });

describe('trialObservations', () => {
  const trials = [
    trial(0, 0.1, 3, 'complete'), trial(1, 0.5, null, 'failed'), trial(2, 0.2, 5, 'complete'),
    trial(3, 0.9, null, 'pending'), trial(4, 0.55, null, 'failed'), trial(5, 0.3, 1, 'complete'),
  ];

  it('completed trials first, then failed ones at the worst completed value, then empty rows', () => {
    const o = trialObservations(enc, 1, trials, { sign: 1, winsorize: true, failed: 'worst', extra: 2 });
    expect(o).toEqual({ X: Float64Array.of(0.1, 0.2, 0.3, 0.5, 0.55, 0, 0), y: Float64Array.of(3, 5, 1, 1, 1, 0, 0), nComplete: 3, nFailed: 2, nPruned: 0, transform: IDENTITY_TRANSFORM, rows: [0, 2, 5, 1, 4].map((i) => trials[i]) });
    const min = trialObservations(enc, 1, trials, { sign: -1, winsorize: true, failed: 'below-worst', extra: 0 });
    // minimizing: values -3, -5, -1; worst -5, range 4, so failed at -7
    expect(Array.from(min.y)).toEqual([-3, -5, -1, -7, -7]);
  });

  it('a failure at a point some trial completed is not imputed (an interrupted trial a worker registered the point of)', () => {
    const withTwin = [...trials, trial(6, 0.2, null, 'failed')];
    const o = trialObservations(enc, 1, withTwin, { sign: 1, winsorize: false, failed: 'worst', extra: 0 });
    expect(o.nFailed).toBe(2);
    expect(Array.from(o.X)).toEqual([0.1, 0.2, 0.3, 0.5, 0.55]);
  });

  it("'ignore', or no completed trial, gives the completed trials only", () => {
    const o = trialObservations(enc, 1, trials, { sign: 1, winsorize: false, failed: 'ignore', extra: 0 });
    expect(o).toEqual({ X: Float64Array.of(0.1, 0.2, 0.3), y: Float64Array.of(3, 5, 1), nComplete: 3, nFailed: 0, nPruned: 0, transform: IDENTITY_TRANSFORM, rows: [0, 2, 5].map((i) => trials[i]) });
    const none = trialObservations(enc, 1, [trial(0, 0.5, null, 'failed')], { sign: 1, winsorize: true, failed: 'worst', extra: 1 });
    expect(none).toEqual({ X: new Float64Array(1), y: new Float64Array(1), nComplete: 0, nFailed: 0, nPruned: 0, transform: IDENTITY_TRANSFORM, rows: [] });
  });

  it('without failed trials the observations are the completed ones, winsorized as before', () => {
    const ys = [4, 5, 6, 5.5, -100];
    const ts = ys.map((v, i) => trial(i, i / 10, v, 'complete'));
    const o = trialObservations(enc, 1, ts, { sign: 1, winsorize: true, failed: 'worst', extra: 0 });
    const expected = Float64Array.from(ys);
    winsorizeLowerTail(expected, 5);
    expect(o.y).toEqual(expected);
    expect(o.y[4]).toBeGreaterThan(-100);
  });
});

describe('an objective that fails in a band next to its optimum', () => {
  const inBand = (x: number) => x > 0.45 && x < 0.6;
  const f = ({ x }: Params) => {
    if (inBand(x as number)) throw new Error('diverged');
    return -(((x as number) - 0.62) ** 2);
  };

  async function guidedInBand(failedTrials: 'worst' | 'ignore' | undefined, seed: number): Promise<number> {
    const opt = new BayesianOptimization({
      f, pbounds: { x: [0, 1] }, randomState: seed, engine: 'cpu', candidates: 2000, gp: { restarts: 2 },
      ...(failedTrials ? { failedTrials } : {}), log: () => undefined,
    });
    await opt.maximize({ initPoints: 5, nIter: 12 });
    return opt.trials.filter((t) => t.source === 'suggest' && inBand(t.params.x as number)).length;
  }

  it('by default few guided trials go into the band; ignoring failures sends most there', async () => {
    for (const seed of [1, 2]) {
      expect(await guidedInBand(undefined, seed)).toBeLessThanOrEqual(2);
      expect(await guidedInBand('ignore', seed)).toBeGreaterThanOrEqual(8);
    }
  });

  it('failedTrials is validated', () => {
    expect(() => new BayesianOptimization({ pbounds: { x: [0, 1] }, failedTrials: 'drop' as 'ignore' })).toThrow(
      'option "failedTrials": expected "worst", "below-worst" or "ignore", got "drop"',
    );
  });
});

describe('the gap warp and categorical parameters', () => {
  const cat = { x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 }, z: { type: 'float', low: 0, high: 1 }, c: { type: 'categorical', choices: ['a', 'b', 'c'] } } as const;
  const f = (p: Params) => -(((p.x as number) - 0.3) ** 2 + ((p.y as number) - 0.6) ** 2 + ((p.z as number) - 0.8) ** 2) - (p.c !== 'b' ? 0.1 : 0);
  it('a space with a categorical is winsorized, not warped; one without keeps the warp', () => {
    const trials = [0.1, 0.5, 0.9, 0.3].map((x, id) => ({ id, status: 'complete', params: { x, y: 0.5, z: 0.5, c: 'abc'[id % 3] }, target: f({ x, y: 0.5, z: 0.5, c: 'abc'[id % 3] }) })) as unknown as Trial[];
    let chosen = 0;
    const choose = () => (chosen++, IDENTITY_TRANSFORM as never);
    const warped = observations(new Space(cat), 1, trials, 0, 'power', 'worst', 'last', undefined, choose);
    const plain = observations(new Space(cat), 1, trials, 0, 'winsorize');
    expect(chosen).toBe(0);
    expect(Array.from(warped.y)).toEqual(Array.from(plain.y));
    const { c: _, ...floats } = cat;
    const noCat = trials.map((t) => ({ ...t, params: { x: t.params.x, y: 0.5, z: 0.5 } })) as unknown as Trial[];
    observations(new Space(floats), 1, noCat, 0, 'power', 'worst', 'last', undefined, choose);
    expect(chosen).toBe(1);
    // a categorical of one choice is a constant, not a choice: the warp stays
    const fixed = { ...floats, c: { type: 'categorical', choices: ['b'] } } as const;
    observations(new Space(fixed), 1, noCat.map((t) => ({ ...t, params: { ...t.params, c: 'b' } })) as unknown as Trial[], 0, 'power', 'worst', 'last', undefined, choose);
    expect(chosen).toBe(2);
  });
  it('seeds the warp left on a wrong choice end on the right one (the warp\'s cusp shrank the one-hot lengthscales)', async () => {
    for (const seed of [2, 11]) {
      const opt = new BayesianOptimization({ f, space: cat, randomState: seed, engine: 'cpu' });
      await opt.maximize({ initPoints: 5, nIter: 25 });
      expect(opt.max?.params.c, `seed ${seed}`).toBe('b');
      opt.dispose();
    }
  });
});
