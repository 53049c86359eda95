/**
 * Lengthscales tied in groups (GPOptions.lengthscaleGroups): the tied
 * objective is the full one at tied points plus one prior term per group,
 * its gradient is exact, it is the shared model when all columns are one
 * group, and a GP fitted with groups gives each group one lengthscale.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { expandTied, groupCount, reduceToTied, sharedObjective, tiedObjective } from '../../src/gp/lengthscale-model';
import { MarginalLikelihood } from '../../src/gp/likelihood';
import { defaultHyperPriors, negLogPrior } from '../../src/gp/priors';
import { columnGroups } from '../../src/space/encode';
import { Space } from '../../src/space/space';
import { Rng } from '../../src/util/rng';

/** n points: a float column, then a 4-choice one-hot, then a float; y depends on all three parameters. */
function mixed(seed: number, n: number) {
  const rng = new Rng(seed);
  const d = 6;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(4);
    const a = rng.random();
    const b = rng.random();
    X[i * d] = a;
    X[i * d + 1 + c] = 1;
    X[i * d + 5] = b;
    y[i] = Math.sin(5 * a) + [0, 0.4, -0.3, 0.8][c] + 0.2 * b;
  }
  return { X, y, d };
}

const GROUPS = Int32Array.from([0, 1, 1, 1, 1, 2]);

describe('the tied objective', () => {
  const { X, y, d } = mixed(1, 20);
  const plain = new MarginalLikelihood({ kernel: 'matern52', X, y, n: 20, d }, null);
  const G = groupCount(GROUPS);

  it('is the likelihood at the expanded point plus G lengthscale prior terms; its gradient matches central differences (rel. 1e-5)', () => {
    expect(G).toBe(3);
    const priors = defaultHyperPriors(G);
    const fg = tiedObjective((t, g) => plain.evaluate(t, g), GROUPS, G, priors);
    const t = Float64Array.from([-1.1, 0.4, -0.7, 0.2, -5]);
    const g = new Float64Array(5);
    const f = fg(t, g);
    const full = expandTied(t, GROUPS, G);
    expect(Array.from(full)).toEqual([-1.1, 0.4, 0.4, 0.4, 0.4, -0.7, 0.2, -5]);
    expect(f).toBeCloseTo(plain.evaluate(full) + negLogPrior(t, G, priors), 10);
    const h = 1e-6;
    for (let k = 0; k < 5; k++) {
      const tp = Float64Array.from(t); tp[k] += h;
      const tm = Float64Array.from(t); tm[k] -= h;
      const fd = (fg(tp, new Float64Array(5)) - fg(tm, new Float64Array(5))) / (2 * h);
      expect(Math.abs(fd - g[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
    }
    expect(Array.from(reduceToTied(full, GROUPS, G))).toEqual(Array.from(t));
  });

  it('with every column in one group is the shared model, bit for bit', () => {
    const priors = defaultHyperPriors(d);
    const one = new Int32Array(d);
    const tied = tiedObjective((t, g) => plain.evaluate(t, g), one, 1, priors);
    const shared = sharedObjective((t, g) => plain.evaluate(t, g), d, priors);
    for (const t of [[-1, 0, -4], [0.5, -0.3, -7], [-3, 1, -2]].map((v) => Float64Array.from(v))) {
      const [ga, gb] = [new Float64Array(3), new Float64Array(3)];
      expect(tied(t, ga)).toBe(shared(t, gb));
      expect(Array.from(ga)).toEqual(Array.from(gb));
    }
  });
});

describe('GaussianProcess with lengthscaleGroups', () => {
  it('fits one lengthscale per group, by each lengthscale model', () => {
    const { X, y, d } = mixed(2, 30);
    for (const lengthscales of ['ard', 'auto'] as const) {
      const gp = new GaussianProcess({ lengthscaleGroups: GROUPS, lengthscales, rng: new Rng(3) }).fit(X, y, d);
      const l = Array.from(gp.hyperparameters.lengthscales);
      expect(new Set(l.slice(1, 5)).size, lengthscales).toBe(1);
      expect(l.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
      // a warm refit keeps them tied
      gp.fit(X, y, d);
      expect(new Set(Array.from(gp.hyperparameters.lengthscales).slice(1, 5)).size).toBe(1);
    }
  });

  it('one column per group is plain ARD: the same hyperparameters as without the option', () => {
    const { X, y, d } = mixed(4, 25);
    const a = new GaussianProcess({ rng: new Rng(5) }).fit(X, y, d).hyperparameters;
    const b = new GaussianProcess({ rng: new Rng(5), lengthscaleGroups: [0, 1, 2, 3, 4, 5] }).fit(X, y, d).hyperparameters;
    expect(b).toEqual(a);
    expect(new GaussianProcess({ lengthscaleGroups: [0, 1, 2, 3, 4, 5] }).lengthscaleGroups).toBeNull();
  });

  it('refuses groups that are not indices 0 .. G - 1, or not one per column, naming the option', () => {
    const refused = (g: unknown, message: string) => {
      expect(() => new GaussianProcess({ lengthscaleGroups: g as number[] })).toThrow(new InvalidOptionError(message, 'lengthscaleGroups'));
    };
    refused([0, 1.5], 'lengthscaleGroups: entry 1 must be an integer from 0 to 1 (got 1.5)');
    refused([0, -1], 'lengthscaleGroups: entry 1 must be an integer from 0 to 1 (got -1)');
    refused([0, 2, 2], 'lengthscaleGroups: group 1 is used by no column (indices run 0 .. G - 1)');
    refused(7, 'lengthscaleGroups: must be a list of group indices (got 7)');
    const { X, y, d } = mixed(1, 10);
    expect(() => new GaussianProcess({ lengthscaleGroups: [0, 1, 1] }).fit(X, y, d)).toThrow(
      new InvalidOptionError('lengthscaleGroups: expected 6 entries (one per input column), got 3', 'lengthscaleGroups'));
  });
});

describe('columnGroups', () => {
  it('ties the one-hot columns of a categorical with more than tieAbove choices, one per column otherwise', () => {
    const space = new Space({
      a: { type: 'float', low: 0, high: 1 },
      small: { type: 'categorical', choices: ['x', 'y', 'z'] },
      big: { type: 'categorical', choices: ['p', 'q', 'r', 's', 't'] },
      k: { type: 'int', low: 1, high: 9 },
    });
    expect(Array.from(columnGroups(space.layout, 4))).toEqual([0, 1, 2, 3, 4, 4, 4, 4, 4, 5]);
    expect(Array.from(columnGroups(space.layout, 2))).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 2, 3]);
    expect(Array.from(columnGroups(space.layout, 5))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
