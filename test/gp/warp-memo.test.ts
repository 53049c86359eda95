/** The output warp's memo: a fresh choice equals selectOutputTransform; a kept one is the same kind refitted to the data. */
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { gapPowerTransform, selectOutputTransform, type OutputTransform } from '../../src/gp/transforms';
import { WarpMemo } from '../../src/gp/warp-memo';
import { rosenbrock } from '../../src/problems';
import { Rng } from '../../src/util/rng';

const d = 4;
const makeGp = (n: number) => () => new GaussianProcess({ restarts: 1, rng: new Rng(n) });
const p = rosenbrock(d);
const r = new Rng(3);
const N = 40;
const X = Float64Array.from({ length: N * d }, () => r.random());
const heavy = Float64Array.from({ length: N }, (_, i) => -p.fn(Array.from(X.subarray(i * d, i * d + d), (u) => -5 + 15 * u)));
// a smooth target without a tail: the evidence keeps the raw values
const smooth = Float64Array.from({ length: N }, (_, i) => X[i * d] + X[i * d + 1]);
const probes = (y: ArrayLike<number>) => [y[0], y[7], y[19], Math.min(...Array.from(y)), Math.max(...Array.from(y)) + 1];

/** forward() agrees bit for bit at a few values */
function same(a: OutputTransform, b: OutputTransform, y: ArrayLike<number>): void {
  expect(a.kind).toBe(b.kind);
  for (const v of probes(y)) expect(Object.is(a.forward(v), b.forward(v))).toBe(true);
}

describe('WarpMemo', () => {
  for (const [name, y, kind] of [['Rosenbrock-4', heavy, 'gap-box-cox'], ['linear', smooth, 'identity']] as const) {
    it(`${name}: a fresh choice is selectOutputTransform's; kept with no new data it is still identical (${kind})`, () => {
      const n = 30;
      const memo = new WarpMemo();
      const ref = selectOutputTransform(X, y, n, d, makeGp(n));
      expect(ref.kind).toBe(kind);
      same(memo.choose(X, y, n, d, true, makeGp(n)), ref, y);
      expect([memo.selections, memo.reused]).toEqual([1, false]);
      same(memo.choose(X, y, n, d, true, makeGp(n)), ref, y);
      expect([memo.selections, memo.reused]).toEqual([1, true]);
    });
  }

  it('kept while the data grow at the end: the remembered kind, refitted to all rows; no evidence comparison', () => {
    const memo = new WarpMemo();
    memo.choose(X, heavy, 30, d, true, makeGp(30));
    for (const n of [31, 35, 40]) {
      const t = memo.choose(X, heavy, n, d, true, () => { throw new Error('no scratch GP expected'); });
      same(t, gapPowerTransform(heavy, n), heavy);
      expect(memo.reused).toBe(true);
    }
    expect(memo.selections).toBe(1);
    const ident = new WarpMemo();
    ident.choose(X, smooth, 30, d, true, makeGp(30));
    expect(ident.choose(X, smooth, 40, d, true, makeGp(40)).kind).toBe('identity');
    expect(ident.selections).toBe(1);
  });

  it('chooses afresh when asked (a refit), when an earlier row changed, or with fewer rows', () => {
    const memo = new WarpMemo();
    memo.choose(X, heavy, 30, d, true, makeGp(30));
    same(memo.choose(X, heavy, 32, d, false, makeGp(32)), selectOutputTransform(X, heavy, 32, d, makeGp(32)), heavy);
    expect([memo.selections, memo.reused]).toEqual([2, false]);
    const y2 = heavy.slice();
    y2[3] += 1e-9;
    memo.choose(X, y2, 33, d, true, makeGp(33));
    expect(memo.selections).toBe(3);
    const X2 = X.slice();
    X2[5] += 1e-12;
    memo.choose(X2, y2, 34, d, true, makeGp(34));
    expect(memo.selections).toBe(4);
    memo.choose(X2, y2, 20, d, true, makeGp(20));
    expect(memo.selections).toBe(5);
  });

  it('state round-trips through JSON; a restored memo decides like the original; malformed state is forgotten', () => {
    const memo = new WarpMemo();
    expect(memo.state()).toBeNull();
    memo.choose(X, heavy, 30, d, true, makeGp(30));
    const saved = JSON.parse(JSON.stringify(memo.state()));
    expect(saved).toMatchObject({ kind: 'gap-box-cox', n: 30 });
    const back = new WarpMemo();
    back.restore(saved);
    same(back.choose(X, heavy, 33, d, true, makeGp(33)), memo.choose(X, heavy, 33, d, true, makeGp(33)), heavy);
    expect([back.selections, back.reused]).toEqual([0, true]);
    for (const bad of [{ ...saved, kind: 'log' }, { ...saved, n: -1 }, { ...saved, key: 'x' }, null, undefined]) {
      back.restore(bad);
      expect(back.state()).toBeNull();
    }
  });
});
