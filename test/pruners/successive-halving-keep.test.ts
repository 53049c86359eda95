import { describe, expect, it } from 'vitest';
import { SuccessiveHalvingPruner, type PrunerTrial } from '../../src/pruners';
import { promotable } from '../../src/pruners/successive-halving';
import { curve, extend } from './helpers';

/**
 * ASHA's keep rules for small studies. Optuna's rule keeps the best
 * max(1, floor(n / eta)) of a rung's n values, so while a rung holds fewer
 * than 2 * eta values a trial goes on only if it beats every earlier one.
 * 'ceil' keeps the best ceil(n / eta) (at least 1/eta of the values at
 * every n); `keepFirst` lets the first trials at a rung go on unjudged.
 */

/** Arrivals at one rung, one by one (each sees the earlier ones): prune (true) or keep per arrival. */
function arrivals(p: SuccessiveHalvingPruner, values: number[], step = 1): boolean[] {
  const study: PrunerTrial[] = [];
  return values.map((v, id) => {
    const t = curve(id, 'running', [v], [step]);
    const pruned = p.prune({ direction: 'minimize', trial: t, trials: [...study, t] });
    study.push({ ...t, state: pruned ? 'pruned' : 'running' });
    return pruned;
  });
}

describe('SuccessiveHalvingPruner keep rules', () => {
  // a lucky first value (1.0) and ten later ones, all worse than it
  const lucky = [1.0, 1.5, 1.3, 1.6, 1.2, 1.4, 1.7, 1.1, 1.8, 1.25, 1.9];

  it("'floor' (the default, Optuna's): a lucky first value stops every later trial until 8 values are in", () => {
    const p = new SuccessiveHalvingPruner({ minResource: 4 });
    expect(p.keep).toBe('floor');
    expect(p.keepFirst).toBe(0);
    // n = 1..11, keep = 1 (n < 8), 2 (n = 8..11): only 1.1 (2nd best of 8) goes on
    expect(arrivals(p, lucky, 4)).toEqual([false, true, true, true, true, true, true, false, true, true, true]);
  });

  it("'ceil': the best ceil(n / eta) go on, so a second slot opens at n = 5 instead of 8", () => {
    const p = new SuccessiveHalvingPruner({ minResource: 4, keep: 'ceil' });
    // n:    1  2  3  4  5  6  7  8  9  10 11
    // keep: 1  1  1  1  2  2  2  2  3  3  3
    // 1.2 at n = 5 is 2nd best (kept); 1.4 at n = 6 is 4th (stopped); 1.1 at n = 8 is 2nd (kept);
    // 1.25 at n = 10 is 4th (1.0, 1.1, 1.2 better: stopped)
    expect(arrivals(p, lucky, 4)).toEqual([false, true, true, true, false, true, true, false, true, true, true]);
  });

  it("'ceil' keeps at least 1/eta of the values at every n, 'floor' fewer when n is not a multiple of eta", () => {
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, (_, i) => i); // 0 best
      const kept = (rule: 'floor' | 'ceil') => values.filter((v) => promotable(v, values, 4, 'minimize', rule)).length;
      expect(kept('ceil'), `n = ${n}`).toBe(Math.ceil(n / 4));
      expect(kept('floor'), `n = ${n}`).toBe(Math.max(1, Math.floor(n / 4)));
      expect(kept('ceil') / n).toBeGreaterThanOrEqual(1 / 4);
    }
  });

  it('keepFirst: the first k trials at a rung go on whatever their value, then the keep rule applies', () => {
    const p = new SuccessiveHalvingPruner({ minResource: 4, keepFirst: 5 });
    // n = 1..5 unjudged; n = 6, 7: keep 1 (1.0 beats them); n = 8: 1.1 2nd of 8 (kept); n = 9..11: keep 2
    expect(arrivals(p, lucky, 4)).toEqual([false, false, false, false, false, true, true, false, true, true, true]);
    const c = new SuccessiveHalvingPruner({ minResource: 4, keepFirst: 5, keep: 'ceil' });
    // after the first 5: n = 6, 7 keep 2 (1.4: 4th, 1.7: 7th), n = 8 keep 2 (1.1: 2nd), n = 9..11 keep 3 (1.25: 4th)
    expect(arrivals(c, lucky, 4)).toEqual([false, false, false, false, false, true, true, false, true, true, true]);
  });

  it('eta = 2 from epoch 4: rungs at 4, 8, 16, and each judged with the rule, per trial and rung', () => {
    const p = new SuccessiveHalvingPruner({ minResource: 4, reductionFactor: 2, keep: 'ceil' });
    expect([0, 1, 2].map((k) => p.rungStep(k))).toEqual([4, 8, 16]);
    // three finished trials with values at 4, 8 and 12
    const done = [
      curve(0, 'complete', [2.4, 2.3, 2.2], [4, 8, 12]),
      curve(1, 'complete', [2.6, 2.35, 2.25], [4, 8, 12]),
      curve(2, 'complete', [2.5, 2.5, 2.5], [4, 8, 12]),
    ];
    // rung 4 (n = 4, keep 2): 2.45 is 2nd after 2.4 -> kept; 2.55 is 3rd -> stopped
    let t = curve(3, 'running', [2.45], [4]);
    expect(p.prune({ direction: 'minimize', trial: t, trials: done })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: curve(3, 'running', [2.55], [4]), trials: done })).toBe(true);
    // step 5 to 7: no rung ends there
    t = extend(t, 7, 9);
    expect(p.prune({ direction: 'minimize', trial: t, trials: done })).toBe(false);
    // rung 8 (n = 4, keep 2): 2.32 is 2nd (2.3 better) -> kept; 2.4 is 3rd -> stopped
    expect(p.prune({ direction: 'minimize', trial: extend(t, 8, 2.32), trials: done })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: extend(t, 8, 2.4), trials: done })).toBe(true);
    // with Optuna's floor at eta = 2 the same values get the same answers at n = 4 (keep 2 either way)
    const f = new SuccessiveHalvingPruner({ minResource: 4, reductionFactor: 2 });
    expect(f.prune({ direction: 'minimize', trial: extend(t, 8, 2.32), trials: done })).toBe(false);
    // and differ at n = 3 (floor: keep 1, ceil: keep 2): 2.45 against 2.4 and 2.6 at rung 4
    const two = done.slice(0, 2);
    expect(f.prune({ direction: 'minimize', trial: curve(3, 'running', [2.45], [4]), trials: two })).toBe(true);
    expect(p.prune({ direction: 'minimize', trial: curve(3, 'running', [2.45], [4]), trials: two })).toBe(false);
  });

  it('maximize mirrors minimize under ceil', () => {
    const p = new SuccessiveHalvingPruner({ keep: 'ceil' });
    const neg = (xs: number[]) => xs.map((x) => -x);
    const study: PrunerTrial[] = [];
    const got = neg(lucky).map((v, id) => {
      const t = curve(id, 'running', [v]);
      const pruned = p.prune({ direction: 'maximize', trial: t, trials: study });
      study.push(t);
      return pruned;
    });
    expect(got).toEqual(arrivals(new SuccessiveHalvingPruner({ keep: 'ceil' }), lucky));
  });

  it('rejects a bad keep rule, a negative keepFirst, and keepFirst with bootstrapCount, naming the option', () => {
    expect(() => new SuccessiveHalvingPruner({ keep: 'round' as never })).toThrow('option "keep": expected "floor" or "ceil", got "round"');
    expect(() => new SuccessiveHalvingPruner({ keepFirst: -1 })).toThrow('option "keepFirst": expected an integer >= 0, got -1');
    expect(() => new SuccessiveHalvingPruner({ keepFirst: 2, bootstrapCount: 1 })).toThrow('option "keepFirst": cannot be combined with bootstrapCount > 0');
    // as Optuna 3.1 refuses it (ValueError: bootstrap_count > 0 and min_resource == 'auto')
    expect(() => new SuccessiveHalvingPruner({ minResource: 'auto', bootstrapCount: 1 })).toThrow('option "bootstrapCount": needs a numeric minResource, not "auto"');
    expect(new SuccessiveHalvingPruner({ minResource: 'auto', bootstrapCount: 0 }).minResource).toBe('auto');
  });
});
