/**
 * `predict` gives the model in the objective's units (direction and output
 * warp undone), where `gp.predict` is on the model's own scale.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError } from '../../src/errors';
import { GaussianProcess } from '../../src/gp';
import { BayesianOptimization } from '../../src/optimizer';
import { rejection } from './caught';

const f = ({ x }: Record<string, unknown>) => Math.sin(6 * (x as number)) + 0.5 * (x as number);
const FAST = { engine: 'cpu', candidates: 500, gp: { restarts: 2 }, log: () => undefined } as const;

describe('BayesianOptimization.predict', () => {
  for (const direction of ['maximize', 'minimize'] as const) {
    for (const outputWarping of ['power', 'none'] as const) {
      it(`${direction}, ${outputWarping} warp: at the observed points the mean is the observed target, inside its band`, async () => {
        const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [0, 2] }, f, direction, outputWarping, randomState: 5 });
        await opt.maximize({ initPoints: 4, nIter: 6 });
        const done = opt.res.filter((t) => t.status === 'complete');
        const got = (await opt.predict(done.map((t) => t.params)))!;
        const targets = done.map((t) => t.target as number);
        const spread = Math.max(...targets) - Math.min(...targets);
        got.forEach((g, i) => {
          // the fit smooths within its noise (and the warp's winsorized tail): a few percent of the spread at most
          expect(Math.abs(g.mean - targets[i])).toBeLessThan(0.03 * spread);
          expect(g.lower).toBeLessThanOrEqual(g.mean);
          expect(g.upper).toBeGreaterThanOrEqual(g.mean);
        });
        // away from the data the band widens
        const [far] = (await opt.predict([{ x: 0 }, { x: 2 }].sort((a, b) => Math.min(...done.map((t) => Math.abs((t.params.x as number) - b.x))) - Math.min(...done.map((t) => Math.abs((t.params.x as number) - a.x))))))!;
        expect(far.upper - far.lower).toBeGreaterThan(Math.min(...got.map((g) => g.upper - g.lower)));
        opt.dispose();
      });
    }
  }

  it('null before any trial completed; a point outside the space is an InvalidPointError; the GP refuses a NaN coordinate', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [0, 2] }, f, randomState: 1 });
    expect(await opt.predict([{ x: 1 }])).toBeNull();
    await opt.maximize({ initPoints: 3, nIter: 0 });
    const e = await rejection(opt.predict([{ x: 3 }]));
    expect(e).toBeInstanceOf(InvalidPointError);
    for (const [bad, shown] of [[{ x: 1 }, 'an object'], [null, 'null']] as const) {
      expect(await rejection(opt.predict(bad as never))).toEqual(new InvalidOptionError(`points: expected an array of points, got ${shown}`, 'points'));
    }
    const gp = new GaussianProcess({ restarts: 1 });
    gp.fit(Float64Array.of(0.1, 0.5, 0.9), Float64Array.of(1, 2, 1.5), 1);
    expect(() => gp.predict(Float64Array.of(0.2, NaN), 2)).toThrow(new InvalidOptionError('Xs: value 1 (point 1) is not finite (got NaN)', 'Xs'));
    opt.dispose();
  });
});
