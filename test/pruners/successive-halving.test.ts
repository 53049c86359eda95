import { describe, expect, it } from 'vitest';
import { SuccessiveHalvingPruner, type PrunerTrial } from '../../src/pruners';
import { promotable } from '../../src/pruners/successive-halving';
import { curve, extend } from './helpers';

/**
 * ASHA (Li et al. 2018, Algorithm 2 with Optuna's never-pause rule): at a
 * rung with n recorded values, a trial goes on only if it is among the best
 * max(1, floor(n / eta)). Defaults eta = 4, r = 1: rungs end at steps 1, 4, 16, 64.
 */
describe('SuccessiveHalvingPruner (ASHA)', () => {
  it('has the usual defaults: reduction factor 4, minimum resource 1, rungs at 1, 4, 16, 64', () => {
    const p = new SuccessiveHalvingPruner();
    expect([p.reductionFactor, p.minResource, p.minEarlyStoppingRate, p.bootstrapCount]).toEqual([4, 1, 0, 0]);
    expect([0, 1, 2, 3].map((k) => p.rungStep(k))).toEqual([1, 4, 16, 64]);
    expect(p.name).toBe('asha');
  });

  it('rung 0: trials arriving one by one are kept only while in the top max(1, floor(n/4)) (minimize)', () => {
    const p = new SuccessiveHalvingPruner();
    const arrivals = [5, 3, 4, 1, 6, 2, 7, 0.5, 1.5, 0.8];
    // n at arrival = 1..10; keep = max(1, floor(n/4)) = 1,1,1,1,1,1,1,2,2,2
    const expected = [false, false, true, false, true, true, true, false, true, false];
    const study: PrunerTrial[] = [];
    const decisions: boolean[] = [];
    arrivals.forEach((v, id) => {
      const t = curve(id, 'running', [v]);
      decisions.push(p.prune({ direction: 'minimize', trial: t, trials: [...study, t] }));
      study.push({ ...t, state: decisions[id] ? 'pruned' : 'running' });
    });
    expect(decisions).toEqual(expected);
  });

  it('maximize mirrors minimize', () => {
    const p = new SuccessiveHalvingPruner();
    const arrivals = [5, 3, 4, 1, 6, 2, 7, 0.5];
    const expected = [false, true, true, true, false, true, false, true];
    const study: PrunerTrial[] = [];
    arrivals.forEach((v, id) => {
      const t = curve(id, 'running', [v]);
      expect(p.prune({ direction: 'maximize', trial: t, trials: study }), `arrival ${id}`).toBe(expected[id]);
      study.push(t);
    });
  });

  it('judges only when a report reaches a new rung; steps between rungs never prune', () => {
    const p = new SuccessiveHalvingPruner();
    const others = [curve(0, 'complete', [1, 1, 1, 1]), curve(1, 'complete', [2, 2, 2, 2])];
    let t = curve(9, 'running', [1.5]);
    // rung 0 (step 1): n = 3, keep 1, value 1 beats it
    expect(p.prune({ direction: 'minimize', trial: t, trials: others })).toBe(true);
    const kept = curve(9, 'running', [0.5]);
    expect(p.prune({ direction: 'minimize', trial: kept, trials: others })).toBe(false);
    // a terrible value at steps 2 and 3 is not judged: no rung ends there
    t = extend(extend(kept, 2, 100), 3, 100);
    expect(p.prune({ direction: 'minimize', trial: t, trials: others })).toBe(false);
    // step 4 ends rung 1: 100 vs 1 and 2
    expect(p.prune({ direction: 'minimize', trial: extend(t, 4, 100), trials: others })).toBe(true);
    expect(p.prune({ direction: 'minimize', trial: extend(t, 4, 0.9), trials: others })).toBe(false);
  });

  it('a report that jumps several rungs is judged at each with its value', () => {
    const p = new SuccessiveHalvingPruner();
    // rung 0 holds 3, 4 (both beaten by 2.5 ... ) and rung 2 (step 16) holds 1
    const others = [curve(0, 'running', [3], [1]), curve(1, 'running', [4], [1]), curve(2, 'complete', [9, 1], [1, 16])];
    // step 20 reaches rungs 0 (n=4: 9,3,4,2.5 -> best), 1 (n=2: 1,2.5 -> not best)
    const t = curve(5, 'running', [2.5], [20]);
    expect(p.prune({ direction: 'minimize', trial: t, trials: others })).toBe(true);
    const u = curve(5, 'running', [0.5], [20]);
    expect(p.prune({ direction: 'minimize', trial: u, trials: others })).toBe(false);
  });

  it('a rung decision reads every worker\'s reports, running trials included', () => {
    const p = new SuccessiveHalvingPruner();
    const workerA = [curve(0, 'running', [3])];
    const workerB = [curve(1, 'running', [1])];
    const t = curve(2, 'running', [2]);
    expect(p.prune({ direction: 'minimize', trial: t, trials: [...workerA, t] })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: t, trials: [...workerA, ...workerB, t] })).toBe(true);
  });

  it('a trial\'s value at a rung is its value at its first step at or after the rung', () => {
    const p = new SuccessiveHalvingPruner();
    // trial 0 skipped step 4: its rung-1 value is the one at step 5 (0.7), not at step 3 (0.1)
    const others = [curve(0, 'complete', [0.2, 0.1, 0.7], [1, 3, 5])];
    const t = curve(1, 'running', [0.1, 0.5], [1, 4]);
    expect(p.prune({ direction: 'minimize', trial: t, trials: others })).toBe(false);
    const u = curve(1, 'running', [0.1, 0.8], [1, 4]);
    expect(p.prune({ direction: 'minimize', trial: u, trials: others })).toBe(true);
  });

  it('minResource and minEarlyStoppingRate move the rungs; bootstrapCount holds back promotion', () => {
    const p = new SuccessiveHalvingPruner({ minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 1 });
    expect([0, 1].map((k) => p.rungStep(k))).toEqual([6, 18]);
    const others = [curve(0, 'running', [1], [6])];
    expect(p.prune({ direction: 'minimize', trial: curve(1, 'running', [2], [5]), trials: others })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: curve(1, 'running', [2], [6]), trials: others })).toBe(true);
    const b = new SuccessiveHalvingPruner({ bootstrapCount: 2 });
    // the best value, but only 2 values at the rung: not more than bootstrapCount
    expect(b.prune({ direction: 'minimize', trial: curve(1, 'running', [0]), trials: [curve(0, 'running', [1])] })).toBe(true);
    expect(b.prune({ direction: 'minimize', trial: curve(2, 'running', [0]), trials: [curve(0, 'running', [1]), curve(1, 'running', [2])] })).toBe(false);
  });

  it('ties at the cut are kept', () => {
    expect(promotable(1, [1, 1, 2, 3], 4, 'minimize')).toBe(true);
    expect(promotable(2, [1, 2, 2, 2, 3, 3, 3, 3], 4, 'minimize')).toBe(true); // keep 2: only the 1 is better
    expect(promotable(2, [1, 1, 2, 3, 2, 2, 2, 2], 4, 'minimize')).toBe(false); // keep 2: two are better
    expect(promotable(2, [1, 1, 1, 2], 4, 'minimize')).toBe(false);
  });

  it('rejects bad options with a typed error naming them', () => {
    expect(() => new SuccessiveHalvingPruner({ reductionFactor: 1 })).toThrow('option "reductionFactor": expected an integer >= 2, got 1');
    expect(() => new SuccessiveHalvingPruner({ minResource: 0 })).toThrow('option "minResource": expected an integer >= 1 or "auto", got 0');
  });
});

describe('what ASHA and Hyperband record with a report (Optuna\'s completed_rung_<k>)', () => {
  it('the value of every rung the report reached, up to the one that stops it; nothing between rungs', () => {
    const p = new SuccessiveHalvingPruner({ reductionFactor: 2 }); // rungs at 1, 2, 4, 8
    const others = [curve(0, 'complete', [1, 1, 1, 1], [1, 2, 4, 8]), curve(1, 'complete', [2, 2, 2, 2], [1, 2, 4, 8])];
    // one report at step 4 passes rungs 0, 1 and 2 at once; 0.5 is best at each
    const jump = curve(2, 'running', [0.5], [4]);
    expect(p.judge({ direction: 'minimize', trial: jump, trials: [...others, jump] }))
      .toEqual({ prune: false, systemAttrs: { completed_rung_0: 0.5, completed_rung_1: 0.5, completed_rung_2: 0.5 } });
    // step 3 after step 2: no rung ends there
    const between = curve(3, 'running', [0.5, 0.4], [2, 3]);
    expect(p.judge({ direction: 'minimize', trial: between, trials: [...others, between] })).toEqual({ prune: false });
    // 3 is the worst at rung 0: stopped there, rung 1 never reached (Optuna writes the rung, then stops)
    const bad = curve(4, 'running', [3], [2]);
    expect(p.judge({ direction: 'minimize', trial: bad, trials: [...others, bad] })).toEqual({ prune: true, systemAttrs: { completed_rung_0: 3 } });
    expect(p.prune({ direction: 'minimize', trial: bad, trials: [...others, bad] })).toBe(true);
  });

  it('Hyperband records its bracket\'s rungs', async () => {
    const { HyperbandPruner } = await import('../../src/pruners');
    const h = new HyperbandPruner({ maxResource: 9 }); // eta 3: brackets with rungs from 1, 3, 9
    const trials = [0, 1, 2, 3, 4, 5].map((id) => curve(id, 'complete', [1, 1, 1, 1, 1, 1, 1, 1, 1]));
    // each trial's bracket is a hash of the study name and its id: every bracket is met among ids 6..29
    const seen = new Set<number>();
    for (let id = 6; id < 30; id++) {
      const me = curve(id, 'running', [0.1], [3]); // one report, at step 3
      const b = h.bracketOf(id, 'default');
      seen.add(b);
      // bracket b's rungs end at 3^b, 3^(b+1), ...: those at or below step 3 are reached
      const want: Record<string, number> = {};
      for (let k = 0; 3 ** (b + k) <= 3; k++) want[`completed_rung_${k}`] = 0.1;
      const v = h.judge({ direction: 'minimize', trial: me, trials: [...trials, me], studyName: 'default' });
      expect(v.prune).toBe(false);
      expect(v.systemAttrs ?? {}).toEqual(want);
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});
