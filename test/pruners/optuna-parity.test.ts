import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HyperbandPruner, MedianPruner, SuccessiveHalvingPruner, type Pruner, type PrunerTrial } from '../../src/pruners';
import { Rng } from '../../src/util/rng';

/**
 * The same scripted studies through Optuna 3.1's pruners (the Debian
 * python3-optuna peer) and ours: every report's prune/keep decision must
 * match, with several workers interleaving their reports.
 */
const here = dirname(fileURLToPath(import.meta.url));

interface Plan {
  studyName: string;
  pruner: 'median' | 'asha' | 'hyperband';
  /** ASHA's r [1] */
  minResource?: number | 'auto';
  /** Hyperband's R and eta [27, 3] */
  maxResource?: number | 'auto';
  reductionFactor?: number;
  direction: 'minimize' | 'maximize';
  workers: number;
  curves: { steps: number[]; values: number[] }[];
  picks: number[];
}

type Log = [number, number, boolean][];

/**
 * A plan of seeded curves: each trial reports every epoch to 27, or (with
 * probability `stride3`) every third, or (with probability `sparse`) at 2 to
 * 5 random epochs, so that one report passes several rungs.
 */
function makePlan(seed: number, pruner: Plan['pruner'], direction: Plan['direction'], nTrials: number, workers: number, stride3 = 0.25, sparse = 0): Plan {
  const rng = new Rng(seed);
  const sign = direction === 'minimize' ? 1 : -1;
  const curves = Array.from({ length: nTrials }, () => {
    const floor = rng.random();
    const speed = 0.3 + 2 * rng.random();
    const stride = rng.random() < stride3 ? 3 : 1; // some trials report every third epoch only
    const few = rng.random() < sparse ? 2 + Math.floor(4 * rng.random()) : 0;
    const at = few ? [...new Set(Array.from({ length: few }, () => 1 + Math.floor(27 * rng.random())))].sort((a, b) => a - b) : null;
    const steps: number[] = [];
    const values: number[] = [];
    for (let s = 1; s <= 27; s += at ? 1 : stride) {
      if (at && !at.includes(s)) continue;
      steps.push(s);
      // rounded to 2 decimals so that ties happen
      values.push(sign * Math.round(100 * (floor + 2 / s ** speed + 0.05 * rng.random())) / 100);
    }
    return { steps, values };
  });
  const picks = Array.from({ length: 997 }, () => Math.floor(rng.random() * 1000));
  return { studyName: `parity-${seed}`, pruner, direction, workers, curves, picks };
}

/**
 * Our pruner on the plan. `recorded`: as a study drives it, each verdict's
 * `completed_rung_<k>` values kept as the trial's `rungs` (Optuna's rules to
 * the letter); without, the pruner reads every trial's rung values from its curve.
 */
function ours(plan: Plan, recorded = false): Log {
  const pruner: Pruner = plan.pruner === 'median' ? new MedianPruner()
    : plan.pruner === 'asha' ? new SuccessiveHalvingPruner(plan.minResource === undefined ? {} : { minResource: plan.minResource })
      : new HyperbandPruner({ maxResource: plan.maxResource ?? 27, reductionFactor: plan.reductionFactor ?? 3 });
  const trials: { id: number; state: PrunerTrial['state']; steps: number[]; values: number[]; rungs?: Record<number, number>; attrs?: Record<string, number> }[] = [];
  const active: { id: number; pos: number }[] = [];
  const log: Log = [];
  let nextId = 0;
  for (let tick = 0; nextId < plan.curves.length || active.length; tick++) {
    while (active.length < plan.workers && nextId < plan.curves.length) {
      trials.push({ id: nextId, state: 'running', steps: [], values: [], ...(recorded ? { rungs: {} } : {}) });
      active.push({ id: nextId++, pos: 0 });
    }
    const slot = plan.picks[tick % plan.picks.length] % active.length;
    const a = active[slot];
    const c = plan.curves[a.id];
    const t = trials[a.id];
    t.steps.push(c.steps[a.pos]);
    t.values.push(c.values[a.pos]);
    const input = { direction: plan.direction, trial: t, trials, studyName: plan.studyName };
    const verdict = pruner.judge ? pruner.judge(input) : { prune: pruner.prune(input) };
    if (recorded) {
      for (const [key, v] of Object.entries(verdict.systemAttrs ?? {})) {
        if (key.startsWith('completed_rung_')) t.rungs![Number(key.replace('completed_rung_', ''))] = v;
        else t.attrs = { ...t.attrs, [key]: v }; // an inferred resource ('auto'), as a study keeps it
      }
    }
    const decision = verdict.prune;
    log.push([a.id, c.steps[a.pos], decision]);
    if (decision) {
      t.state = 'pruned';
      active.splice(slot, 1);
    } else if (a.pos + 1 === c.steps.length) {
      t.state = 'complete';
      active.splice(slot, 1);
    } else {
      a.pos++;
    }
  }
  return log;
}

describe('pruner decisions equal Optuna 3.1\'s', () => {
  const plans: Plan[] = [];
  for (const pruner of ['median', 'asha', 'hyperband'] as const) {
    plans.push(makePlan(11, pruner, 'minimize', 40, 1));
    plans.push(makePlan(12, pruner, 'minimize', 60, 4));
    plans.push(makePlan(13, pruner, 'maximize', 60, 3));
  }
  // R / r = 3^5 exactly: floor(math.log(243, 3)) + 1 is 5 brackets in Optuna (the log quotient is 4.999...)
  plans.push({ ...makePlan(17, 'hyperband', 'minimize', 60, 4), maxResource: 243 });
  // From here equal only with the rungs recorded (read from the curves alone, they differ):
  const needRungs = plans.length;
  // R inferred ('auto', the default): nothing judged before a trial completes, so no rung holds a value
  // reported before (a trial running then records its rungs with its value at its next report)
  plans.push({ ...makePlan(14, 'hyperband', 'minimize', 60, 4, 0), maxResource: 'auto' });
  plans.push({ ...makePlan(15, 'hyperband', 'maximize', 60, 3, 0), maxResource: 'auto' });
  plans.push({ ...makePlan(16, 'hyperband', 'minimize', 40, 2, 0), maxResource: 'auto' });
  // reports that pass several rungs at once (half the trials report at 2 to 5 random epochs): a trial
  // stopped at the first of them records no later one
  plans.push(makePlan(18, 'asha', 'minimize', 60, 4, 0.25, 0.5));
  plans.push(makePlan(19, 'asha', 'maximize', 60, 3, 0, 0.5));
  plans.push(makePlan(20, 'hyperband', 'minimize', 60, 4, 0.25, 0.5));
  plans.push({ ...makePlan(21, 'hyperband', 'maximize', 60, 3, 0, 0.5), maxResource: 'auto' });
  // ASHA's r inferred (Optuna's default): nothing judged before a trial completes, then r =
  // max(1, last step // 100), here 2 (steps 10 to 270)
  const tenfold = (plan: Plan): Plan => ({ ...plan, curves: plan.curves.map((c) => ({ ...c, steps: c.steps.map((x) => 10 * x) })) });
  plans.push({ ...tenfold(makePlan(22, 'asha', 'minimize', 60, 4)), minResource: 'auto' });
  plans.push({ ...tenfold(makePlan(23, 'asha', 'maximize', 60, 3, 0, 0.5)), minResource: 'auto' });
  const theirs: Log[] = JSON.parse(execFileSync('/usr/bin/python3', [join(here, 'fixtures', 'optuna_pruners.py')], {
    input: JSON.stringify(plans), encoding: 'utf8', maxBuffer: 64 << 20,
  }));

  plans.forEach((plan, i) => {
    const R = (plan.maxResource === undefined ? '' : `, R ${plan.maxResource}`) + (plan.minResource === undefined ? '' : `, r ${plan.minResource}`);
    const modes = i >= needRungs ? [true] : [false, true];
    for (const recorded of modes) {
      const how = recorded ? ', rungs recorded' : ', curves only';
      it(`${plan.pruner}${R}, ${plan.direction}, ${plan.workers} worker(s), ${plan.curves.length} trials${how}`, () => {
        const mine = ours(plan, recorded);
        const pruned = mine.filter(([, , d]) => d).length;
        expect(pruned, 'the plan prunes some trials and keeps some').toBeGreaterThan(3);
        expect(pruned).toBeLessThan(plan.curves.length);
        expect(mine).toEqual(theirs[i]);
      });
    }
  });
  it('the plans that need recorded rungs do: read from the curves alone, each \'auto\' or jumping kind differs from Optuna somewhere', () => {
    const differ = plans.slice(needRungs).filter((plan, k) => JSON.stringify(ours(plan, false)) !== JSON.stringify(theirs[needRungs + k]));
    expect(differ.some((p) => p.maxResource === 'auto' && p.curves.every((c) => c.steps.length > 5))).toBe(true);
    expect(differ.some((p) => p.pruner === 'asha')).toBe(true);
  });
});
