import { describe, expect, it } from 'vitest';
import { InvalidOptionError, StateError } from '../../src/errors';
import {
  kroneckerAlphas, pcgHash, randU32, roundOneCandidates, roundSizes, roundTwoCandidates, snapRow, unitFromU32,
} from '../../src/acquisition/candidates';
import { createCpuEngine, proposeOnCpu, scorePoints, snapRows, topK } from '../../src/acquisition/cpu-engine';
import { GaussianProcess } from '../../src/gp';
import { Space } from '../../src/space';
import { Rng } from '../../src/util/rng';
import type { ProposeRequest } from '../../src/acquisition/engine';
import { thrown } from '../optimizer/caught';

describe('candidate generation', () => {
  it('the hash is a bijection-quality mixer: distinct outputs and balanced bits over 2^16 inputs', () => {
    const seen = new Set<number>();
    let ones = 0;
    for (let i = 0; i < 65536; i++) {
      const h = pcgHash(i);
      seen.add(h);
      ones += h >>> 31;
    }
    expect(seen.size).toBe(65536);
    expect(Math.abs(ones / 65536 - 0.5)).toBeLessThan(0.01);
    expect(randU32(1, 2, 3)).not.toBe(randU32(1, 3, 3));
    expect(unitFromU32(0)).toBeGreaterThan(0);
    expect(unitFromU32(0xffffffff)).toBeLessThan(1);
  });

  it('Kronecker generators come from the plastic-number family: alpha_1 = 1/phi_d', () => {
    // d = 1: golden ratio; d = 2: plastic number 1.324717957244746 (Roberts 2018)
    expect(kroneckerAlphas(1)[0] / 2 ** 32).toBeCloseTo(1 / 1.618033988749895, 9);
    expect(kroneckerAlphas(2)[0] / 2 ** 32).toBeCloseTo(1 / 1.324717957244746, 9);
  });

  it('round one mixes global and local points; round two stays near its centres', () => {
    const { m1, m2 } = roundSizes(1000);
    expect(m1 + m2).toBe(1000);
    expect(m2).toBe(250);
    const inc = new Float64Array([0.5, 0.5]);
    const c1 = roundOneCandidates(7, m1, 2, inc, 1);
    let near = 0;
    for (let c = 1; c < m1; c += 2) if (Math.hypot(c1[2 * c] - 0.5, c1[2 * c + 1] - 0.5) < 0.5) near++;
    expect(near).toBeGreaterThan(0.95 * Math.floor(m1 / 2));
    for (const v of c1) expect(v >= 0 && v <= 1).toBe(true);
    const c2 = roundTwoCandidates(7, m2, 2, new Float64Array([0.2, 0.8]), 1);
    for (let c = 0; c < m2; c++) expect(Math.hypot(c2[2 * c] - 0.2, c2[2 * c + 1] - 0.8)).toBeLessThan(0.1);
  });
});

describe('CPU engine', () => {
  const space = new Space({
    x: { type: 'float', low: 0, high: 1 },
    k: { type: 'int', low: 1, high: 5 },
    c: { type: 'categorical', choices: ['a', 'b', 'c'] },
  });
  const rng = new Rng(3);
  const pts = space.sample(rng, 12, 'lhs');
  const d = space.dim;
  const X = new Float64Array(pts.length * d);
  pts.forEach((p, i) => X.set(p, i * d));
  const y = Float64Array.from(pts, (u) => Math.sin(6 * u[0]) + u[1] + (u[3] > 0.5 ? 1 : 0));
  const gp = new GaussianProcess({ rng: new Rng(1) }).fit(X, y, d);
  const factors = gp.factors();
  const best = Math.max(...gp.trainingMean({ standardized: true }));
  const req = {
    factors, acquisition: { kind: 'ei' as const, xi: 0, kappa: 2.576 }, best, candidates: 4000,
    incumbents: X.slice(0, 2 * d), nIncumbents: 2, layout: space.layout, seed: 11,
  };

  it('topK returns the largest scores best first, ties to the lower index, skipping NaN', () => {
    expect(topK([1, 5, NaN, 5, 3, -Infinity], 3)).toEqual([1, 3, 4]);
    expect(topK([NaN, NaN], 2)).toEqual([]);
  });

  it('proposes a feasible point whose score is the best of all candidates it scored', async () => {
    const res = proposeOnCpu(req);
    expect(res.scored).toBe(4000);
    const params = space.decode(res.x);
    expect(space.contains(params)).toBe(true);
    expect(Array.from(space.snap(res.x))).toEqual(Array.from(res.x));
    const again = scorePoints(factors, res.x, 1, req.acquisition, best).score[0];
    expect(again).toBeCloseTo(res.score, 12);
    // No random point beats the proposal by more than noise.
    const probe = space.sample(new Rng(99), 500, 'random');
    const flat = new Float64Array(500 * d);
    probe.forEach((p, i) => flat.set(p, i * d));
    const scores = scorePoints(factors, flat, 500, req.acquisition, best).score;
    expect(Math.max(...scores)).toBeLessThanOrEqual(res.score + 1e-9);
    const engine = createCpuEngine();
    expect((await engine.propose(req)).x).toEqual(res.x); // deterministic per seed
    engine.dispose();
    engine.dispose();
  });

  it('refuses the requests the WebGPU engine refuses, with the same typed errors, and any use after dispose()', async () => {
    const engine = createCpuEngine();
    const bad: [object, string, string][] = [
      [{ candidates: 1.5 }, 'candidates', 'candidates: expected an integer from 1 to 16777216, got 1.5'],
      [{ candidates: NaN }, 'candidates', 'candidates: expected an integer from 1 to 16777216, got NaN'],
      [{ candidates: 0 }, 'candidates', 'candidates: expected an integer from 1 to 16777216, got 0'],
      [{ candidates: 2 ** 24 + 1 }, 'candidates', 'candidates: expected an integer from 1 to 16777216, got 16777217'],
      [{ nIncumbents: 1.5 }, 'nIncumbents', 'nIncumbents: expected a non-negative integer, got 1.5'],
      [{ nIncumbents: 3 }, 'incumbents', `incumbents: expected nIncumbents x d = ${3 * d} values, got ${2 * d}`],
      [{ acquisition: { kind: 'bogus', xi: 0, kappa: 1 } }, 'acquisition', 'acquisition: unknown kind "bogus" (expected "ei", "logei", "pi" or "ucb")'],
      // a NaN incumbent scored -Infinity here and NaN on the GPU
      [{ best: NaN }, 'best', 'best: expected a number (the incumbent, standardized), got NaN'],
      // a missing layout was a TypeError; a short one snapped some dimensions and left the others as drawn
      [{ layout: undefined }, 'layout', "layout: expected the space's layout (space.layout), an array, got undefined"],
      [{ layout: space.layout.slice(1) }, 'layout', `layout: covers ${d - 1} encoded dimensions, the factors have d = ${d}`],
    ];
    for (const [over, option, message] of bad) {
      const err = await engine.propose({ ...req, ...over } as typeof req).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option, message });
    }
    await expect(engine.evaluate(factors, X, 1, { kind: 'bogus' } as never, best)).rejects.toThrow(InvalidOptionError);
    // evaluate read past a short array and scored a NaN coordinate NaN, where the GPU refused the one and gave the other a finite score
    const nan = X.slice(0, d);
    nan[1] = NaN;
    for (const [pts, m, b, option, message] of [
      [X.slice(0, d), 3, best, 'points', `points: expected m x d = ${3 * d} values, got ${d}`],
      [X, 1.5, best, 'm', 'm: expected a non-negative integer, got 1.5'],
      [nan, 1, best, 'points', 'points: value 1 (point 0) is not finite (got NaN)'],
      [X, 1, NaN, 'best', 'best: expected a number (the incumbent, standardized), got NaN'],
    ] as const) {
      const err = await engine.evaluate(factors, pts, m, req.acquisition, b).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option, message });
    }
    engine.dispose();
    await expect(engine.propose(req)).rejects.toThrow(new StateError('engine: used after dispose()'));
    await expect(engine.evaluate(factors, X, 1, req.acquisition, best)).rejects.toThrow(StateError);
  });

  it('createCpuEngine refuses an unknown option, options that are not an object and a maxCandidateBytes that is not a positive finite number', () => {
    // NaN or 'abc' made every proposal empty (x = [], a NaN score) without a word; 0 or -1 scored one candidate
    const mcb = (got: string): string => `maxCandidateBytes: expected a positive finite number of bytes, got ${got}`;
    const cases: [unknown, string, string][] = [
      [{ maxCandidateBytes: NaN }, 'maxCandidateBytes', mcb('NaN')],
      [{ maxCandidateBytes: 'abc' }, 'maxCandidateBytes', mcb('"abc"')],
      [{ maxCandidateBytes: 0 }, 'maxCandidateBytes', mcb('0')],
      [{ maxCandidateBytes: -1 }, 'maxCandidateBytes', mcb('-1')],
      [{ maxCandidateBytes: Infinity }, 'maxCandidateBytes', mcb('Infinity')],
      [{ maxCandidateBytes: null }, 'maxCandidateBytes', mcb('null')],
      [{ worker: 2 }, 'worker', 'option "worker": unknown option of createCpuEngine (known: maxCandidateBytes, workers)'],
      [null, 'options', 'createCpuEngine: options must be an object, got null'],
      ['x', 'options', 'createCpuEngine: options must be an object, got string'],
    ];
    for (const [opts, option, message] of cases) {
      let err: unknown;
      try {
        createCpuEngine(opts as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option, message });
    }
    createCpuEngine({ maxCandidateBytes: undefined, workers: 0 }).dispose();
  });

  it('evaluate gives the posterior of the GP itself', async () => {
    const engine = createCpuEngine();
    const ev = await engine.evaluate(factors, X, pts.length, req.acquisition, best);
    const post = gp.predict(X, pts.length, { standardized: true });
    for (let i = 0; i < pts.length; i++) {
      expect(ev.mean[i]).toBeCloseTo(post.mean[i], 12);
      expect(ev.variance[i]).toBeCloseTo(post.variance[i], 12);
    }
  });
});

describe('snapRows', () => {
  it('equals snapRow row by row, bit for bit: all continuous (values outside the cube, NaN, -0) and mixed layouts', () => {
    const rng = new Rng(9);
    const cont = (dim: number) => ({ kind: 'continuous' as const, name: `c${dim}`, dim, low: 0, high: 1, log: false });
    const layouts = [
      [0, 1, 2, 3, 4].map(cont),
      [cont(0), { kind: 'integer' as const, name: 'i', dim: 1, low: 1, high: 9, log: false }, cont(2),
        { kind: 'categorical' as const, name: 'k', dim: 3, size: 2, choices: ['a', 'b'] }],
    ];
    for (const layout of layouts) {
      const d = 5;
      const m = 400;
      const X = Float64Array.from({ length: m * d }, (_, i) => (i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : rng.uniform(-0.3, 1.3)));
      const a = X.slice();
      const b = X.slice();
      snapRows(a, m, d, layout);
      for (let i = 0; i < m; i++) snapRow(b, i, d, layout);
      expect([...new Uint32Array(a.buffer)]).toEqual([...new Uint32Array(b.buffer)]);
    }
  });
});

describe('requests that are not requests', () => {
  it('proposeOnCpu checks its request as an engine does, and its maxBytes (a missing request was a TypeError destructuring it)', () => {
    for (const [call, option, message] of [
      [() => proposeOnCpu(undefined as never), 'request', 'request: expected a propose request object, got undefined'],
      [() => proposeOnCpu({ candidates: 10, nIncumbents: 0 } as never), 'factors', 'factors: expected the posterior factors (GaussianProcess.factors()), got undefined'],
    ] as const) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual([option, message]);
    }
    const gp = new GaussianProcess().fit(new Float64Array([0.2, 0.8]), new Float64Array([1, 2]), 1);
    const req = { factors: gp.factors(), acquisition: { kind: 'ei', xi: 0.01 }, best: 0, candidates: 16, incumbents: new Float64Array(0), nIncumbents: 0,
      layout: [{ kind: 'continuous', name: 'x', dim: 0, low: 0, high: 1, log: false }], seed: 1 } as never as ProposeRequest;
    const e = thrown(() => proposeOnCpu(req, 0)) as InvalidOptionError;
    expect([e.option, e.message]).toEqual(['maxBytes', 'maxBytes: expected a positive finite number of bytes, got 0']);
    expect(proposeOnCpu(req).x).toHaveLength(1);
  });

  it('propose(null), evaluate(null factors) and null points are InvalidOptionErrors naming them (TypeErrors before)', async () => {
    const engine = createCpuEngine();
    const named = async (p: Promise<unknown>) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidOptionError);
      return [(e as InvalidOptionError).option, (e as Error).message];
    };
    expect(await named(engine.propose(null as never))).toEqual(['request', 'request: expected a propose request object, got null']);
    // factors and incumbents were read before they were checked
    const gp0 = new GaussianProcess().fit(new Float64Array([0.2, 0.8]), new Float64Array([1, 2]), 1);
    const req = { factors: gp0.factors(), acquisition: { kind: 'ei', xi: 0.01 }, best: 0, candidates: 16, incumbents: new Float64Array(0), nIncumbents: 0,
      layout: [{ kind: 'continuous', name: 'x', dim: 0, low: 0, high: 1, log: false }], seed: 1 } as never as ProposeRequest;
    expect(await named(engine.propose({ ...req, factors: undefined } as never)))
      .toEqual(['factors', 'factors: expected the posterior factors (GaussianProcess.factors()), got undefined']);
    expect(await named(engine.propose({ ...req, nIncumbents: 1, incumbents: undefined } as never)))
      .toEqual(['incumbents', 'incumbents: expected nIncumbents x d = 1 values (an array), got undefined']);
    await expect(engine.propose(req)).resolves.toMatchObject({ engine: 'cpu' });
    expect(await named(engine.evaluate(null as never, new Float64Array(0), 0, { kind: 'ucb', kappa: 1 } as never, 0)))
      .toEqual(['factors', 'factors: expected the posterior factors (GaussianProcess.factors()), got null']);
    const gp = new GaussianProcess().fit(new Float64Array([0.2, 0.8]), new Float64Array([1, 2]), 1);
    expect(await named(engine.evaluate(gp.factors(), null as never, 1, { kind: 'ucb', kappa: 1 } as never, 0)))
      .toEqual(['points', 'points: expected m x d = 1 values (an array), got null']);
    engine.dispose();
  });
});
