import { describe, expect, it } from 'vitest';
import { InvalidOptionError, StateError } from '../../src/errors';
import { GaussianProcess, type GPOptions } from '../../src/gp/gaussian-process';
import { KERNEL_NAMES } from '../../src/gp/kernels';
import { MarginalLikelihood, negLogMarginalLikelihood } from '../../src/gp/likelihood';
import { defaultHyperPriors, LENGTHSCALE_BOUNDS, packHyperparameters } from '../../src/gp/priors';
import { Rng } from '../../src/util/rng';

const TOL_LML = 1e-9; // the reported log marginal likelihood vs an independent evaluation

function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, message: string): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).message).toBe(message);
}

function sample(seed: number, n: number, d: number, f: (x: Float64Array, o: number) => number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * d }, () => rng.random());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = f(X, i * d);
  return { X, y };
}

/** Every posterior and factor quantity is finite and variances are non-negative. */
function expectSane(gp: GaussianProcess, d: number): void {
  const rng = new Rng(99);
  const Xs = Float64Array.from({ length: 50 * d }, () => rng.random());
  for (const standardized of [false, true]) {
    const post = gp.predict(Xs, 50, { standardized });
    for (let i = 0; i < 50; i++) {
      expect(Number.isFinite(post.mean[i])).toBe(true);
      expect(Number.isFinite(post.variance[i])).toBe(true);
      expect(post.variance[i]).toBeGreaterThanOrEqual(0);
    }
  }
  const f = gp.factors();
  for (const a of [f.L, f.Linv, f.alpha, f.lengthscales]) for (const v of a) expect(Number.isFinite(v)).toBe(true);
  for (const v of [f.signalVariance, f.noiseVariance, f.yMean, f.yStd, gp.logMarginalLikelihood]) {
    expect(Number.isFinite(v)).toBe(true);
  }
}

describe('GaussianProcess options and input validation', () => {
  it('rejects bad options with exact messages', () => {
    const cases: [GPOptions, string, string][] = [
      [{ kernel: 'cubic' as never }, 'kernel', 'kernel: must be one of "matern52", "rbf" (got "cubic")'],
      [{ noiseFloor: 0 }, 'noiseFloor', 'noiseFloor: must be a number in (0, 1) (got 0)'],
      [{ noiseFloor: 2 }, 'noiseFloor', 'noiseFloor: must be a number in (0, 1) (got 2)'],
      [{ restarts: -1 }, 'restarts', 'restarts: must be an integer from 0 to 1000 (got -1)'],
      [{ restarts: 1.5 }, 'restarts', 'restarts: must be an integer from 0 to 1000 (got 1.5)'],
      [{ restarts: 1e9 }, 'restarts', 'restarts: must be an integer from 0 to 1000 (got 1000000000)'],
      [{ maxFitPoints: 0 }, 'maxFitPoints', 'maxFitPoints: must be a positive integer (got 0)'],
      [{ priorMean: NaN }, 'priorMean', 'priorMean: must be a finite number (got NaN)'],
      // these were a TypeError at the fit, taken as true, or ignored
      [{ priors: 'no' as never }, 'priors', 'priors: must be a boolean (got "no")'],
      [{ rng: 5 as never }, 'rng', 'rng: must be an Rng (new Rng(seed))'],
      [{ fixedHyperparameters: {} as never }, 'fixedHyperparameters',
        'fixedHyperparameters: must be { lengthscales (d numbers), signalVariance, noiseVariance }'],
      [{ restart: 2 } as never, 'restart', 'option "restart": unknown option of GaussianProcess (known: kernel, noiseFloor, priors, ' +
        'restarts, maxFitPoints, rng, fixedHyperparameters, refit, lengthscales, lengthscaleGroups, priorMean, workers)'],
      [null as never, 'options', 'GaussianProcess: options must be an object, got null'],
      // null is a value, refused (it was taken as the default)
      [{ kernel: null } as never, 'kernel', 'kernel: must be one of "matern52", "rbf" (got null)'],
      [{ noiseFloor: null } as never, 'noiseFloor', 'noiseFloor: must be a number in (0, 1) (got null)'],
      [{ restarts: null } as never, 'restarts', 'restarts: must be an integer from 0 to 1000 (got null)'],
      [{ maxFitPoints: null } as never, 'maxFitPoints', 'maxFitPoints: must be a positive integer (got null)'],
      [{ refit: null } as never, 'refit', 'refit: must be "always" or "auto" (got null)'],
      [{ lengthscales: null } as never, 'lengthscales', 'lengthscales: must be one of "ard", "shared", "auto" (got null)'],
      [{ priorMean: null } as never, 'priorMean', 'priorMean: must be a finite number (got null)'],
      [{ workers: null } as never, 'workers', "workers must be 'auto' or an integer from 0 to 64, got null"],
    ];
    for (const [opts, option, message] of cases) {
      expectError(() => new GaussianProcess(opts), InvalidOptionError, message);
      try { new GaussianProcess(opts); } catch (e) { expect((e as InvalidOptionError).option).toBe(option); }
    }
  });

  it('restoreState refuses what no GP saved, naming the state, and changes nothing', () => {
    const gp = new GaussianProcess({ restarts: 1 });
    const before = gp.state();
    const cases: [unknown, string][] = [
      [null, 'state: expected a GP state object, got null'],
      [{ theta: null }, 'state: "rng" must be 4 unsigned 32-bit integers, not all 0'],
      // all zero: xoshiro stays at zero for good (every restart the prior mean)
      [{ rng: [0, 0, 0, 0], theta: null }, 'state: "rng" must be 4 unsigned 32-bit integers, not all 0'],
      // short: written back as [1, null, null, null] by the next state()
      [{ rng: [1], theta: null }, 'state: "rng" must be 4 unsigned 32-bit integers, not all 0'],
      [{ rng: [1, 2, 3, 4], theta: [0, NaN, 0] }, 'state: "theta" must be null or a list of finite numbers (log lengthscales, signal and noise)'],
      [{ rng: [1, 2, 3, 4], theta: null, fitN: -1 }, 'state: "fitN" must be a non-negative integer'],
    ];
    for (const [state, message] of cases) expectError(() => gp.restoreState(state as never), InvalidOptionError, message);
    expect(gp.state()).toEqual(before);
    gp.restoreState({ rng: [1, 2, 3, 4], theta: [0, 0, -2], fitN: 3, fitKey: 7 });
    expect(gp.state()).toEqual({ rng: [1, 2, 3, 4], theta: [0, 0, -2], fitN: 3, fitKey: 7 });
  });

  it('restoreState refuses hyperparameters outside the fit\'s bounds (kept by the next fit, they modelled nonsense); a fitted state round trips', () => {
    const rng = new Rng(3);
    const X = Float64Array.from({ length: 60 }, () => rng.random());
    const y = Float64Array.from({ length: 20 }, (_, i) => Math.sin(6 * X[3 * i]) + X[3 * i + 1]);
    const gp = new GaussianProcess({ restarts: 1, rng: new Rng(1) }).fit(X, y, 3);
    const saved = gp.state();
    const [lo, hi] = [Math.log(1e-2), Math.log(1e2)];
    const cases: [number[], string][] = [
      [[-50, 0, 0, 0, -2], `state: "theta": log lengthscale 0 -50 is outside the fit's bounds [${lo}, ${hi}]`],
      [[0, 0, 0, 50, -2], `state: "theta": log signal variance 50 is outside the fit's bounds [${Math.log(1e-3)}, ${Math.log(1e2)}]`],
      // below the noise floor (1e-6): a noise of 0
      [[0, 0, 0, 0, -1e308], `state: "theta": log noise variance -1e+308 is outside the fit's bounds [${Math.log(1e-6)}, 0]`],
    ];
    const other = new GaussianProcess({ restarts: 1 });
    const before = other.state();
    for (const [theta, message] of cases) expectError(() => other.restoreState({ ...saved, theta }), InvalidOptionError, message);
    expect(other.state()).toEqual(before);
    // a state the GP saved is taken, and the next fit goes on from it as the saving GP's would
    other.restoreState(saved);
    expect(other.state()).toEqual(saved);
    // read before any fit, the hyperparameters are the restored ones, of their own dimension
    expect(other.hyperparameters).toEqual(gp.hyperparameters);
    // another noise floor: the saved noise may be below it
    const floor = new GaussianProcess({ restarts: 1, noiseFloor: 0.5 });
    expectError(() => floor.restoreState({ ...saved, theta: [0, 0, 0, 0, Math.log(1e-3)] }), InvalidOptionError,
      `state: "theta": log noise variance ${Math.log(1e-3)} is outside the fit's bounds [${Math.log(0.5)}, 0]`);
    // with fixed hyperparameters theta is not used: any finite one is taken
    const fixed = new GaussianProcess({ fixedHyperparameters: { lengthscales: Float64Array.from([1e-30, 1, 1]), signalVariance: 1, noiseVariance: 1e-9 } }).fit(X, y, 3);
    const again = new GaussianProcess({ fixedHyperparameters: { lengthscales: Float64Array.from([1e-30, 1, 1]), signalVariance: 1, noiseVariance: 1e-9 } });
    again.restoreState(fixed.state());
    expect(again.state()).toEqual(fixed.state());
  });

  it('rejects bad fit inputs with exact messages', () => {
    const gp = new GaussianProcess();
    const X = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    expectError(() => gp.fit(X, Float64Array.from([1, 2]), 0), InvalidOptionError, 'd: must be a positive integer (got 0)');
    expectError(() => gp.fit(X, Float64Array.from([1, 2, 3]), 2), InvalidOptionError,
      'X: expected n x d = 6 values (n = 3 targets, d = 2), got 4');
    expectError(() => gp.fit(X, Float64Array.from([1, NaN]), 2), InvalidOptionError, 'y: entry 1 is not finite (NaN)');
    expectError(() => gp.fit(Float64Array.from([0.1, Infinity, 0.3, 0.4]), Float64Array.from([1, 2]), 2),
      InvalidOptionError, 'X: value 1 (point 0) is not finite (got Infinity)');
    // finite, but far enough out that a scaled squared distance overflows: Matérn 5/2 was NaN there
    // (a factor that failed, or a NaN mean with variance 0 at predict)
    expectError(() => gp.fit(Float64Array.from([0.1, 0.2, 1e160, 0.4]), Float64Array.from([1, 2]), 2),
      InvalidOptionError, 'X: value 2 (point 1) is 1e+160, beyond ±1e+100 (its scaled distances overflow the kernel)');
    expectError(() => gp.fit(X, undefined as never, 2), InvalidOptionError, 'y: expected an array of n targets, got undefined');
    const fitted = new GaussianProcess({ restarts: 1 }).fit(X, Float64Array.from([1, 2]), 2);
    expectError(() => fitted.predict(Float64Array.from([1e200, 1e200]), 1), InvalidOptionError,
      'Xs: value 0 (point 0) is 1e+200, beyond ±1e+100 (its scaled distances overflow the kernel)');
    const tiny = new GaussianProcess({
      fixedHyperparameters: { lengthscales: Float64Array.from([0.5, 1e-160]), signalVariance: 1, noiseVariance: 0.1 },
    });
    expectError(() => tiny.fit(X, Float64Array.from([1, 2]), 2), InvalidOptionError,
      'fixedHyperparameters: lengthscale 1 must be at least 1e-50 (got 1e-160)');
    const fixed = new GaussianProcess({
      fixedHyperparameters: { lengthscales: Float64Array.from([0.5]), signalVariance: 1, noiseVariance: 0.1 },
    });
    expectError(() => fixed.fit(X, Float64Array.from([1, 2]), 2), InvalidOptionError,
      'fixedHyperparameters: expected 2 lengthscales, got 1');
    const negative = new GaussianProcess({
      fixedHyperparameters: { lengthscales: Float64Array.from([0.5, -1]), signalVariance: 1, noiseVariance: 0.1 },
    });
    expectError(() => negative.fit(X, Float64Array.from([1, 2]), 2), InvalidOptionError,
      'fixedHyperparameters: lengthscale 1 must be a positive finite number (got -1)');
  });

  it('throws StateError before the first fit', () => {
    const gp = new GaussianProcess();
    expectError(() => gp.predict(new Float64Array(2), 1), StateError, 'GaussianProcess: call fit() before predict()');
    expectError(() => gp.factors(), StateError, 'GaussianProcess: call fit() before factors()');
  });
});

describe('GaussianProcess fitting', () => {
  it('reports the log marginal likelihood of the fitted hyperparameters (priors excluded)', () => {
    const d = 2;
    const { X, y } = sample(1, 30, d, (X, o) => Math.sin(5 * X[o]) + X[o + 1] ** 2);
    for (const kernel of KERNEL_NAMES) {
      const gp = new GaussianProcess({ kernel, rng: new Rng(1) }).fit(X, y, d);
      const ys = y.map((v) => gp.standardize(v));
      const theta = packHyperparameters(gp.hyperparameters);
      const nll = negLogMarginalLikelihood(theta, { kernel, X, y: ys, n: 30, d }, { priors: false });
      expect(Math.abs(gp.logMarginalLikelihood + nll)).toBeLessThan(TOL_LML);
      expect(gp.n).toBe(30);
      expect(gp.d).toBe(d);
    }
  });

  it('is deterministic under a seed', () => {
    const d = 3;
    const { X, y } = sample(2, 25, d, (X, o) => Math.cos(3 * X[o]) * X[o + 2]);
    const a = new GaussianProcess({ rng: new Rng(7) }).fit(X, y, d);
    const b = new GaussianProcess({ rng: new Rng(7) }).fit(X, y, d);
    expect(a.hyperparameters).toEqual(b.hyperparameters);
    expect(a.logMarginalLikelihood).toBe(b.logMarginalLikelihood);
    expect(a.factors().L).toEqual(b.factors().L);
  });

  for (const kernel of KERNEL_NAMES) {
    it(`gives an irrelevant dimension a much longer lengthscale (${kernel})`, () => {
      const d = 2;
      const { X, y } = sample(3, 40, d, (X, o) => Math.sin(6 * X[o]) + 0.5 * X[o] ** 2); // x1 unused
      const gp = new GaussianProcess({ kernel, rng: new Rng(3) }).fit(X, y, d);
      const [l0, l1] = gp.hyperparameters.lengthscales;
      expect(l1 / l0).toBeGreaterThan(10);
      expect(l0).toBeGreaterThan(0.05);
      expect(l0).toBeLessThan(2);
    });
  }

  it('priors: false fits the plain likelihood at least as well as the MAP fit', () => {
    const d = 2;
    const { X, y } = sample(4, 20, d, (X, o) => X[o] - 2 * X[o + 1]);
    const map = new GaussianProcess({ rng: new Rng(4) }).fit(X, y, d);
    const ml = new GaussianProcess({ priors: false, rng: new Rng(4) }).fit(X, y, d);
    expect(ml.logMarginalLikelihood).toBeGreaterThanOrEqual(map.logMarginalLikelihood - 1e-6);
  });

  it('warm-started refits never end at a worse objective than the previous optimum', () => {
    const d = 3;
    const { X, y } = sample(5, 30, d, (X, o) => Math.sin(4 * X[o] + X[o + 1]));
    const gp = new GaussianProcess({ rng: new Rng(5) }).fit(X, y, d);
    const ys = y.map((v) => gp.standardize(v));
    const objective = new MarginalLikelihood({ kernel: 'matern52', X, y: ys, n: 30, d }, defaultHyperPriors(d));
    const before = objective.evaluate(packHyperparameters(gp.hyperparameters));
    gp.fit(X, y, d);
    const after = objective.evaluate(packHyperparameters(gp.hyperparameters));
    expect(after).toBeLessThanOrEqual(before + 1e-9);
  });

  it('uses fixed hyperparameters as given, raising the noise to the floor', () => {
    const fixed = { lengthscales: Float64Array.from([0.2, 0.7]), signalVariance: 1.4, noiseVariance: 1e-9 };
    const { X, y } = sample(6, 10, 2, (X, o) => X[o]);
    const gp = new GaussianProcess({ fixedHyperparameters: fixed, noiseFloor: 1e-5 }).fit(X, y, 2);
    const h = gp.hyperparameters;
    expect(Math.abs(h.lengthscales[0] - 0.2)).toBeLessThan(1e-15);
    expect(Math.abs(h.lengthscales[1] - 0.7)).toBeLessThan(1e-15);
    expect(Math.abs(h.signalVariance - 1.4)).toBeLessThan(1e-15);
    expect(Math.abs(h.noiseVariance - 1e-5)).toBeLessThan(1e-20);
  });

  it('fits hyperparameters on a subset above maxFitPoints and still factors all points', () => {
    const d = 2;
    const { X, y } = sample(7, 120, d, (X, o) => Math.sin(5 * X[o]) * X[o + 1]);
    const gp = new GaussianProcess({ maxFitPoints: 30, rng: new Rng(7) }).fit(X, y, d);
    const f = gp.factors();
    expect(f.n).toBe(120);
    expect(f.L.length).toBe(120 * 120);
    expectSane(gp, d);
    const again = new GaussianProcess({ maxFitPoints: 30, rng: new Rng(7) }).fit(X, y, d);
    expect(again.hyperparameters).toEqual(gp.hyperparameters);
  });

  it('keeps every hyperparameter inside its box', () => {
    const d = 4;
    const { X, y } = sample(8, 30, d, (X, o) => (X[o] > 0.5 ? 1 : 0) + 1e-3 * X[o + 3]);
    const h = new GaussianProcess({ rng: new Rng(8) }).fit(X, y, d).hyperparameters;
    for (const l of h.lengthscales) {
      expect(l).toBeGreaterThanOrEqual(LENGTHSCALE_BOUNDS[0] * (1 - 1e-12));
      expect(l).toBeLessThanOrEqual(LENGTHSCALE_BOUNDS[1] * (1 + 1e-12));
    }
    expect(h.noiseVariance).toBeGreaterThanOrEqual(1e-6 * (1 - 1e-12));
    expect(h.noiseVariance).toBeLessThanOrEqual(1 + 1e-12);
  });
});

describe('GaussianProcess degenerate data never gives NaN', () => {
  for (const kernel of KERNEL_NAMES) {
    it(`duplicate points with different targets (${kernel})`, () => {
      const X = Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.2, 0.9]);
      const y = Float64Array.from([1, 2, 1.5, 0]);
      expectSane(new GaussianProcess({ kernel, rng: new Rng(1) }).fit(X, y, 2), 2);
    });

    it(`constant targets (${kernel})`, () => {
      const { X } = sample(2, 10, 3, () => 0);
      const y = new Float64Array(10).fill(3.25);
      const gp = new GaussianProcess({ kernel, rng: new Rng(2) }).fit(X, y, 3);
      expectSane(gp, 3);
      expect(gp.factors().yStd).toBe(3.25); // no spread: the unit is the targets' magnitude
      expect(gp.standardize(3.25)).toBe(0);
      const post = gp.predict(Float64Array.from([0.3, 0.3, 0.3]), 1);
      expect(Math.abs(post.mean[0] - 3.25)).toBeLessThan(1e-9);
    });

    it(`one observation (${kernel})`, () => {
      const gp = new GaussianProcess({ kernel, rng: new Rng(3) }).fit(Float64Array.from([0.4, 0.6]), Float64Array.from([-7]), 2);
      expectSane(gp, 2);
      expect(gp.factors().yMean).toBe(-7);
      expect(gp.factors().yStd).toBe(7);
    });

    it(`zero observations (${kernel})`, () => {
      const gp = new GaussianProcess({ kernel }).fit(new Float64Array(0), new Float64Array(0), 4);
      expectSane(gp, 4);
      expect(gp.logMarginalLikelihood).toBe(0);
      expect(gp.factors().n).toBe(0);
    });

    it(`ill-conditioned: nearly coincident points and huge target offsets (${kernel})`, () => {
      const n = 30;
      const X = new Float64Array(n * 2);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        X[2 * i] = 0.5 + 1e-13 * i;
        X[2 * i + 1] = 0.5 - 1e-13 * i;
        y[i] = 1e6 + 1e-3 * Math.sin(i);
      }
      const gp = new GaussianProcess({ kernel, rng: new Rng(4) }).fit(X, y, 2);
      expectSane(gp, 2);
      expect(gp.factors().yStd).toBeLessThan(1e-2); // the spread is real, so it is standardized
    });
  }

  it('noise-free duplicates factor with jitter instead of failing', () => {
    const X = Float64Array.from([0.3, 0.3, 0.3, 0.7]);
    const y = Float64Array.from([1, 1.2, 0.9, 3]);
    const gp = new GaussianProcess({
      noiseFloor: 1e-300,
      fixedHyperparameters: { lengthscales: Float64Array.from([0.5]), signalVariance: 1, noiseVariance: 0 },
    }).fit(X, y, 1);
    expect(gp.jitter).toBeGreaterThan(0);
    expect(gp.factors().noiseVariance).toBe(gp.hyperparameters.noiseVariance + gp.jitter);
    expectSane(gp, 1);
  });

  it('refits after the dimension changes', () => {
    const gp = new GaussianProcess({ rng: new Rng(5) });
    const a = sample(9, 12, 2, (X, o) => X[o]);
    gp.fit(a.X, a.y, 2);
    const b = sample(10, 12, 3, (X, o) => X[o + 2]);
    gp.fit(b.X, b.y, 3);
    expect(gp.hyperparameters.lengthscales.length).toBe(3);
    expectSane(gp, 3);
  });
});

describe('predict refuses what is not points', () => {
  it('null Xs is an InvalidOptionError naming Xs (a TypeError before)', () => {
    const gp = new GaussianProcess().fit(new Float64Array([0.2, 0.8]), new Float64Array([1, 2]), 1);
    expect(() => gp.predict(null as never, 1)).toThrow(new InvalidOptionError('Xs: expected a Float64Array of m x d values, got null', 'Xs'));
    expect(gp.predict(new Float64Array([0.5]), 1).mean).toHaveLength(1);
  });
});

describe('predictMean', () => {
  it("is predict's mean bit for bit, in original and standardized units, on well- and ill-conditioned data; refuses what predict refuses", () => {
    for (const [n, d, dup] of [[40, 3, false], [60, 5, true]] as const) {
      const { X, y } = sample(7 + n, n, d, (x, o) => Math.sin(5 * x[o]) + (d > 3 ? 1e6 * x[o + 1] : 0));
      // duplicated rows with one target each: a near-singular K the factor needed jitter for
      if (dup) for (let i = 0; i < 10; i++) X.copyWithin((i + 10) * d, i * d, (i + 1) * d);
      const gp = new GaussianProcess({ rng: new Rng(3) }).fit(X, y, d);
      const Xs = new Float64Array(25 * d).map((_, i) => ((i * 0.6180339887) % 1));
      expect(Array.from(gp.predictMean(Xs, 25))).toEqual(Array.from(gp.predict(Xs, 25).mean));
      expect(Array.from(gp.predictMean(Xs, 25, { standardized: true }))).toEqual(Array.from(gp.predict(Xs, 25, { standardized: true }).mean));
      // the first m x d values of a longer array (a pooled buffer), as documented: the rest, NaN here, is not read
      const longer = new Float64Array(30 * d).fill(NaN);
      longer.set(Xs.subarray(0, 20 * d));
      expect(Array.from(gp.predict(longer, 20).variance)).toEqual(Array.from(gp.predict(Xs, 20).variance));
      expect(Array.from(gp.predictMean(longer, 20))).toEqual(Array.from(gp.predictMean(Xs, 20)));
    }
    const gp = new GaussianProcess().fit(new Float64Array([0.2, 0.8]), new Float64Array([1, 2]), 1);
    expect(() => gp.predictMean(null as never, 1)).toThrow(new InvalidOptionError('Xs: expected a Float64Array of m x d values, got null', 'Xs'));
    expect(() => gp.predictMean(new Float64Array([NaN]), 1)).toThrow(InvalidOptionError);
    expect(() => new GaussianProcess().predictMean(new Float64Array([0.5]), 1)).toThrow(StateError);
  });
});
