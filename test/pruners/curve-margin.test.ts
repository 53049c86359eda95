import { describe, expect, it } from 'vitest';
import { SuccessiveHalvingPruner, type PrunerTrial } from '../../src/pruners';
import { withinCurveMargin } from '../../src/pruners/curve-margin';
import { curve } from './helpers';

/**
 * ASHA's `margin`: a trial the rank rule would stop goes on when the
 * completed learning curves say it may still end ahead. Hand-built curves,
 * one rung at step 4 (minResource 4, eta 4: with n <= 7 values at the rung
 * the rank rule keeps only the best).
 */

// Two completed trainings with reports at steps 1..6.
// A: 2.40 at the rung, best from there 2.30 (improved 0.10; range after the rung 2.30..2.40 = 0.10); best 2.30: the incumbent
// B: 2.60 at the rung, best from there 2.40 (improved 0.20; range 2.40..2.60 = 0.20); best 2.40
const A = curve(0, 'complete', [3.0, 2.6, 2.5, 2.4, 2.3, 2.35]);
const B = curve(1, 'complete', [3.2, 2.9, 2.7, 2.6, 2.45, 2.4]);
const done = [A, B];
const at4 = (id: number, v: number): PrunerTrial => curve(id, 'running', [v], [4]);
const verdict = (p: SuccessiveHalvingPruner, v: number, trials: PrunerTrial[] = done, direction: 'minimize' | 'maximize' = 'minimize') =>
  p.prune({ direction, trial: at4(9, v), trials });

describe("SuccessiveHalvingPruner margin: 'improvement'", () => {
  const p = new SuccessiveHalvingPruner({ minResource: 4, margin: 'improvement' });

  it('keeps a trial that would beat the incumbent after improving as much as the most-improving completed trial', () => {
    // the rank rule stops both (n = 3, keep 1: A's 2.40 is better)
    expect(verdict(new SuccessiveHalvingPruner({ minResource: 4 }), 2.49)).toBe(true);
    // 2.49 - 0.20 = 2.29 <= 2.30: goes on; 2.51 - 0.20 = 2.31 > 2.30: stopped
    expect(verdict(p, 2.49)).toBe(false);
    expect(verdict(p, 2.51)).toBe(true);
    // the best at the rung is kept by the rank rule anyway
    expect(verdict(p, 2.35)).toBe(false);
  });

  it('with only A completed (improvement 0.10): the same values are judged against 2.30 + 0.10', () => {
    expect(verdict(p, 2.39, [A])).toBe(false);
    expect(verdict(p, 2.41, [A])).toBe(true);
  });
});

describe("SuccessiveHalvingPruner margin: 'range'", () => {
  const p = new SuccessiveHalvingPruner({ minResource: 4, margin: 'range' });

  it("keeps a trial behind the incumbent's value at the rung by at most the widest range a completed curve spanned after it", () => {
    // incumbent A: 2.40 at the rung; widest range after the rung: B's 0.20; so up to 2.60 goes on
    expect(verdict(p, 2.58)).toBe(false);
    expect(verdict(p, 2.62)).toBe(true);
    // with only A (range 0.10): up to 2.50
    expect(verdict(p, 2.48, [A])).toBe(false);
    expect(verdict(p, 2.52, [A])).toBe(true);
  });

  it('maximize mirrors minimize', () => {
    const neg = (t: PrunerTrial): PrunerTrial => ({ ...t, values: t.values.map((v) => -v) });
    for (const v of [2.35, 2.48, 2.58, 2.62, 3.0]) {
      expect(verdict(p, -v, done.map(neg), 'maximize'), `value ${v}`).toBe(verdict(p, v));
    }
  });
});

describe("SuccessiveHalvingPruner margin: 'median-range'", () => {
  it("takes the median of the completed curves' ranges after the rung, so one wild curve does not widen it", () => {
    // a third completed curve, wild after the rung (2.9 at the rung, 2.5..3.5 after: range 1.0)
    const C = curve(2, 'complete', [4.0, 3.5, 3.2, 2.9, 3.5, 2.5]);
    const three = [A, B, C];
    // ranges 0.10 (A), 0.20 (B), 1.00 (C): 'range' takes 1.00, 'median-range' 0.20; the incumbent is A (2.40 at the rung)
    const wide = new SuccessiveHalvingPruner({ minResource: 4, margin: 'range' });
    const med = new SuccessiveHalvingPruner({ minResource: 4, margin: 'median-range' });
    expect(verdict(wide, 3.3, three)).toBe(false);
    expect(verdict(med, 3.3, three)).toBe(true);
    expect(verdict(med, 2.58, three)).toBe(false);
    expect(verdict(med, 2.62, three)).toBe(true);
    // two curves: the mean of the two ranges, (0.10 + 0.20) / 2 = 0.15: up to 2.55
    expect(verdict(med, 2.53)).toBe(false);
    expect(verdict(med, 2.57)).toBe(true);
  });
});

describe('SuccessiveHalvingPruner margin: no evidence, no second chance', () => {
  it("'none' (the default) is Optuna's rule", () => {
    expect(new SuccessiveHalvingPruner().margin).toBe('none');
    expect(withinCurveMargin('none', 0, 4, done, 'minimize')).toBe(false);
  });

  it('a completed curve with an infinite report (an Optuna worker\'s) gives no margin: its range was infinite, every trial within it', () => {
    for (const margin of ['improvement', 'range', 'median-range'] as const) {
      const diverged = curve(3, 'complete', [2.5, 2.4, 2.3, Infinity, 2.2]); // inf at the rung (step 4)
      expect(withinCurveMargin(margin, 50, 4, [diverged], 'minimize'), margin).toBe(false);
      expect(withinCurveMargin(margin, 50, 4, [diverged, A], 'minimize'), margin).toBe(withinCurveMargin(margin, 50, 4, [A], 'minimize'));
    }
  });

  it('only completed trials that reported at or after the rung count', () => {
    for (const margin of ['improvement', 'range', 'median-range'] as const) {
      const p = new SuccessiveHalvingPruner({ minResource: 4, margin });
      // a running trial with a long curve, a pruned one, and a completed one that stopped at step 3
      const others = [
        curve(0, 'running', [2.0, 2.0, 2.0, 2.0, 1.0]),
        curve(1, 'pruned', [2.3, 2.2, 2.1, 2.0]),
        curve(2, 'complete', [2.5, 1.5, 1.9]),
      ];
      // at the rung: 2.0 and 2.0 from trials 0 and 1; n = 3, keep 1: 2.1 is stopped, with no margin to save it
      expect(verdict(p, 2.1, others), margin).toBe(true);
      expect(withinCurveMargin(margin, 2.1, 4, others, 'minimize')).toBe(false);
      // once a completed curve reached the rung, the margin applies
      expect(verdict(p, 2.1, [...others, A]), margin).toBe(false);
    }
  });

  it('a lucky first value: with margin the trials within it go on, the rest stop as before', () => {
    // the incumbent completed at its lucky dip (1.0 at the rung, then 1.3, 1.2): improvement 0, range 0.3
    const lucky = curve(0, 'complete', [1.5, 1.2, 1.1, 1.0, 1.3, 1.2]);
    const arrivals = [1.5, 1.28, 1.6, 1.2, 1.4];
    const run = (margin: 'none' | 'improvement' | 'range') => {
      const p = new SuccessiveHalvingPruner({ minResource: 4, margin });
      const study: PrunerTrial[] = [lucky];
      return arrivals.map((v, i) => {
        const t = at4(i + 1, v);
        const pruned = p.prune({ direction: 'minimize', trial: t, trials: [...study, t] });
        study.push({ ...t, state: pruned ? 'pruned' : 'running' });
        return pruned;
      });
    };
    expect(run('none')).toEqual([true, true, true, true, true]);
    // improvement 0: nothing worse than 1.0 goes on
    expect(run('improvement')).toEqual([true, true, true, true, true]);
    // range 0.3: 1.28 and 1.2 go on (within 1.0 + 0.3), 1.5, 1.6 and 1.4 stop
    expect(run('range')).toEqual([true, false, true, false, true]);
  });

  it('rejects an unknown margin, naming the option', () => {
    expect(() => new SuccessiveHalvingPruner({ margin: 'wide' as never })).toThrow('option "margin": expected "none", "improvement", "range" or "median-range", got "wide"');
  });
});
