/**
 * A parameter fixed by low == high (Optuna's single-value distributions):
 * accepted for floats, log floats and integers; every point takes its value;
 * it encodes and snaps to the constant 0.5, so the model never sees it vary;
 * it counts as one level in grids and in the distinct-point count; and a
 * fixed float behaves in a study exactly as a fixed integer does.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, InvalidSpaceError } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';
import { discreteCount, distinctFirst } from '../../src/space/distinct';
import { FIXED_UNIT } from '../../src/space/encode';
import { Space } from '../../src/space/space';
import type { SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { maybe, pythonOnJournal } from '../storage/optuna-peer';
import { useTempDirs } from '../storage/temp-dirs';

const SPEC: SpaceSpec = {
  lr: { type: 'float', low: 1e-3, high: 1e-3, log: true },
  w: { type: 'float', low: -2.5, high: -2.5 },
  n: { type: 'int', low: 3, high: 3 },
  y: { type: 'float', low: 0, high: 1 },
};
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 } } as const;
const dir = useTempDirs('fixed-params-');

describe('fixed parameters (low == high)', () => {
  it('are accepted, take their one value at every point, and encode and snap to 0.5', () => {
    const s = new Space(SPEC);
    const rng = new Rng(4);
    for (const u of s.sample(rng, 20, 'random')) {
      const p = s.decode(u);
      expect([p.lr, p.w, p.n]).toEqual([1e-3, -2.5, 3]);
      const e = s.encode(p);
      expect([e[0], e[1], e[2]]).toEqual([FIXED_UNIT, FIXED_UNIT, FIXED_UNIT]);
      const snapped = s.snap(Float64Array.from([0.9, 0.1, 0.2, u[3]]));
      expect([snapped[0], snapped[1], snapped[2], snapped[3]]).toEqual([0.5, 0.5, 0.5, u[3]]);
    }
  });

  it('are accepted in pbounds too', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [1, 1], y: [0, 1] }, randomState: 2, verbose: 0 });
    expect((await opt.suggest()).x).toBe(1);
    opt.dispose();
  });

  it('refuses any other value naming the parameter, and low above high as before', () => {
    const s = new Space(SPEC);
    const e = (() => { try { s.validatePoint({ lr: 1e-3, w: -2.4, n: 3, y: 0.5 }); } catch (x) { return x; } return null; })();
    expect(e).toBeInstanceOf(InvalidPointError);
    expect((e as InvalidPointError).param).toBe('w');
    expect(() => new Space({ x: { type: 'float', low: 1, high: 0.5 } })).toThrow(new InvalidSpaceError('parameter "x": low (1) must not exceed high (0.5)', 'x'));
  });

  it('count as one level: grids, the distinct-point count and distinct designs', () => {
    const s = new Space({ x: { type: 'float', low: 1, high: 1 }, k: { type: 'int', low: 1, high: 3 }, y: { type: 'float', low: 0, high: 1 } });
    expect(s.grid(6).map((p) => [p.x, p.k])).toEqual([[1, 1], [1, 1], [1, 2], [1, 2], [1, 3], [1, 3]]);
    const discrete = new Space({ x: { type: 'float', low: 1, high: 1 }, k: { type: 'int', low: 1, high: 3 } });
    expect(discreteCount(discrete.layout)).toBe(3);
    expect(discreteCount(s.layout)).toBeNull();
    expect(discrete.grid(100)).toEqual([{ x: 1, k: 1 }, { x: 1, k: 2 }, { x: 1, k: 3 }]);
    const design = [0.1, 0.1, 0.2].map((t) => Float64Array.of(0.3, t));
    const keys = distinctFirst(discrete.layout, design, new Rng(1)).map((t) => discrete.decode(Float64Array.of(t[0], t[1])).k);
    expect(new Set(keys).size).toBe(3);
  });

  it('behave in a study as a fixed integer does: the same trials, and exhausted spaces say so', async () => {
    const run = async (space: SpaceSpec) => {
      const opt = new BayesianOptimization({ ...FAST, space, f: (p) => -(((p.y as number) - 0.4) ** 2), randomState: 9, verbose: 0 });
      await opt.maximize({ initPoints: 3, nIter: 4 });
      opt.dispose();
      return opt.res.map((t) => t.params.y);
    };
    const asFloat = await run({ a: { type: 'float', low: 7, high: 7 }, y: { type: 'float', low: 0, high: 1 } });
    expect(asFloat).toEqual(await run({ a: { type: 'int', low: 7, high: 7 }, y: { type: 'float', low: 0, high: 1 } }));
    expect(Math.min(...asFloat.map((y) => Math.abs((y as number) - 0.4)))).toBeLessThan(0.02);

    const small = new BayesianOptimization({ ...FAST, space: { a: { type: 'float', low: 7, high: 7 }, k: { type: 'int', low: 1, high: 2 } }, f: (p) => p.k as number, randomState: 1, verbose: 0 });
    await small.maximize({ initPoints: 2, nIter: 0 });
    await expect(small.suggestBatch(1)).rejects.toThrow(new InvalidOptionError('q: 1 point asked, but the space has 0 of its 2 points neither tried nor pending', 'q'));
    small.dispose();
  });
});

describe('fixed parameters are Optuna\'s (python3-optuna 3.1)', () => {
  maybe('Optuna loads a journal with fixed floats and integers, and sees their values', async () => {
    const path = join(dir(), 'journal.log');
    const opt = new BayesianOptimization({ ...FAST, space: SPEC, f: (p) => p.y as number, randomState: 2, verbose: 0, storage: path });
    await opt.maximize({ initPoints: 2, nIter: 1 });
    await opt.close();
    const py = JSON.parse(pythonOnJournal(`
study = optuna.load_study(study_name='default', storage=storage)
print(json.dumps([[t.params['lr'], t.params['w'], t.params['n'], t.distributions['w'].single()] for t in study.trials]))
`, path));
    expect(py).toEqual([[1e-3, -2.5, 3, true], [1e-3, -2.5, 3, true], [1e-3, -2.5, 3, true]]);
  });
});
