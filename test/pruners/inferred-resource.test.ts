import { describe, expect, it } from 'vitest';
import { HyperbandPruner, SuccessiveHalvingPruner, type PrunerTrial } from '../../src/pruners';
import { curve } from './helpers';

/**
 * An 'auto' resource (Hyperband's R, successive halving's r) is inferred at
 * the first decision after a trial completed, as Optuna's pruners do, and
 * recorded with that report (a `wbo:pruner:` trial system attribute): a
 * later pruner object that finds it recorded (a resumed study, another
 * worker) takes it instead of inferring its own from the trials it sees.
 */
const HB = 'wbo:pruner:hyperband_max_resource';
const SHA = 'wbo:pruner:asha_min_resource';
const withAttrs = (t: PrunerTrial, attrs: Record<string, number>): PrunerTrial => ({ ...t, attrs });

describe("Hyperband's maxResource 'auto'", () => {
  it('records the R it infers with the deciding report, once', () => {
    const p = new HyperbandPruner();
    const done = curve(0, 'complete', new Array(9).fill(1));
    const t = curve(1, 'running', [5]);
    expect(p.judge({ direction: 'minimize', trial: t, trials: [done, t], studyName: 's' }).systemAttrs?.[HB]).toBe(10);
    const u = curve(2, 'running', [5]);
    expect(p.judge({ direction: 'minimize', trial: u, trials: [done, t, u], studyName: 's' }).systemAttrs?.[HB]).toBeUndefined();
  });

  it('records it also where R < minResource leaves no brackets (a resume must not infer a larger one)', () => {
    const p = new HyperbandPruner({ minResource: 5 });
    const done = curve(0, 'complete', [0.5, 0.4]);
    const t = curve(1, 'running', [9]);
    expect(p.judge({ direction: 'minimize', trial: t, trials: [done, t] })).toEqual({ prune: false, systemAttrs: { [HB]: 3 } });
  });

  it('a new pruner takes the R recorded by the lowest trial id, not the one the trials it sees now would give', () => {
    const p = new HyperbandPruner();
    const long = curve(0, 'complete', new Array(30).fill(1));
    const t = curve(3, 'running', [5]);
    const trials = [long, withAttrs(curve(1, 'pruned', [2]), { [HB]: 10 }), withAttrs(curve(2, 'pruned', [2]), { [HB]: 50 }), t];
    const v = p.judge({ direction: 'minimize', trial: t, trials, studyName: 's' });
    expect([p.maxResource, p.nBrackets, v.systemAttrs?.[HB]]).toEqual([10, 3, undefined]);
    // a malformed record is passed over: inferred from the trials (R = 31)
    const q = new HyperbandPruner();
    q.judge({ direction: 'minimize', trial: t, trials: [long, withAttrs(curve(1, 'pruned', [2]), { [HB]: 2.5 }), t] });
    expect(q.maxResource).toBe(31);
  });
});

describe("successive halving's minResource 'auto'", () => {
  it('records the r it estimates with the deciding report, and a new pruner takes the recorded one', () => {
    const p = new SuccessiveHalvingPruner({ minResource: 'auto', reductionFactor: 2 });
    const done = curve(0, 'complete', new Array(300).fill(1));
    const t = curve(1, 'running', [5]);
    expect(p.judge({ direction: 'minimize', trial: t, trials: [done, t] })).toEqual({ prune: false, systemAttrs: { [SHA]: 3 } }); // step 1: below the first rung (3)
    expect(p.rungStep(0)).toBe(3);
    const q = new SuccessiveHalvingPruner({ minResource: 'auto', reductionFactor: 2 });
    const longer = curve(2, 'complete', new Array(900).fill(1));
    const u = curve(3, 'running', [5, 5]);
    const v = q.judge({ direction: 'minimize', trial: u, trials: [done, withAttrs(t, { [SHA]: 3 }), longer, u] });
    expect([q.rungStep(0), v.systemAttrs?.[SHA]]).toEqual([3, undefined]);
  });
});
