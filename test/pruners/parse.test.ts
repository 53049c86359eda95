import { describe, expect, it } from 'vitest';
import {
  HyperbandPruner, InvalidOptionError, InvalidPointError, MedianPruner, NopPruner, PercentilePruner, StateError,
  SuccessiveHalvingPruner, checkReport, parsePruner, type Pruner,
} from '../../src/index';
import { thrown } from '../optimizer/caught';
import { curve } from './helpers';

describe('pruner option', () => {
  it('names map to pruners with their defaults; an object passes through', () => {
    expect(parsePruner(undefined)).toBeInstanceOf(NopPruner);
    expect(parsePruner('none').prune({ direction: 'minimize', trial: curve(1, 'running', [9]), trials: [curve(0, 'complete', [1])] })).toBe(false);
    expect(parsePruner('median')).toBeInstanceOf(MedianPruner);
    expect(parsePruner('asha')).toBeInstanceOf(SuccessiveHalvingPruner);
    expect(parsePruner('hyperband')).toBeInstanceOf(HyperbandPruner);
    const mine: Pruner = { name: 'mine', prune: () => true };
    expect(parsePruner(mine)).toBe(mine);
    // each call gives a fresh pruner (Hyperband remembers its brackets)
    expect(parsePruner('hyperband')).not.toBe(parsePruner('hyperband'));
  });

  it('an unknown name is an InvalidOptionError naming pruner', () => {
    for (const bad of ['asha4', 'Median', 3, null, { name: 'x' }]) {
      let err: unknown;
      try {
        parsePruner(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).option).toBe('pruner');
    }
    expect(() => parsePruner('asha4')).toThrow(
      'option "pruner": expected "none", "median", "asha", "hyperband" or a Pruner ({ name, prune(input) }), got "asha4"');
  });
});

describe('pruner constructors', () => {
  it('refuse unknown option names (Optuna spellings included) and options that are not an object', () => {
    const cases: [() => unknown, string, string][] = [
      [() => new SuccessiveHalvingPruner({ eta: 3 } as never), 'eta',
        'option "eta": unknown option of SuccessiveHalvingPruner (known: minResource, reductionFactor, minEarlyStoppingRate, bootstrapCount, keep, keepFirst, margin, rungWindow)'],
      [() => new MedianPruner({ nStartupTrials: 3 } as never), 'nStartupTrials',
        'option "nStartupTrials": unknown option of MedianPruner (known: startupTrials, warmupSteps, intervalSteps, minTrials)'],
      [() => new HyperbandPruner({ max_resource: 9 } as never), 'max_resource',
        'option "max_resource": unknown option of HyperbandPruner (known: minResource, reductionFactor, bootstrapCount, maxResource)'],
      [() => new SuccessiveHalvingPruner(null as never), 'options', 'SuccessiveHalvingPruner: options must be an object, got null'],
      [() => new MedianPruner(3 as never), 'options', 'MedianPruner: options must be an object, got number'],
      // null is a value, refused (it was taken as the default); undefined is not given
      [() => new MedianPruner({ startupTrials: null } as never), 'startupTrials', 'option "startupTrials": expected an integer >= 0, got null'],
      [() => new PercentilePruner(25, { minTrials: null } as never), 'minTrials', 'option "minTrials": expected an integer >= 1, got null'],
      [() => new SuccessiveHalvingPruner({ reductionFactor: null } as never), 'reductionFactor', 'option "reductionFactor": expected an integer >= 2, got null'],
      [() => new SuccessiveHalvingPruner({ minResource: null } as never), 'minResource', 'option "minResource": expected an integer >= 1 or "auto", got null'],
      [() => new SuccessiveHalvingPruner({ keep: null } as never), 'keep', 'option "keep": expected "floor" or "ceil", got null'],
      [() => new SuccessiveHalvingPruner({ margin: null } as never), 'margin', 'option "margin": expected "none", "improvement", "range" or "median-range", got null'],
      [() => new HyperbandPruner({ maxResource: null } as never), 'maxResource', 'option "maxResource": expected an integer >= 1 or "auto", got null'],
      [() => new HyperbandPruner({ bootstrapCount: null } as never), 'bootstrapCount', 'option "bootstrapCount": expected an integer >= 0, got null'],
    ];
    for (const [make, option, message] of cases) {
      const err = thrown(make);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option, message });
    }
    expect(new SuccessiveHalvingPruner({ minResource: 2 }).minResource).toBe(2);
    expect(new MedianPruner().startupTrials).toBe(5);
    expect(new MedianPruner({ startupTrials: undefined }).startupTrials).toBe(5);
    expect(new HyperbandPruner({ maxResource: undefined }).maxResource).toBe('auto');
  });
});

describe('checkReport', () => {
  const t = curve(3, 'running', [0.5, 0.4], [1, 2]);
  it('accepts the next step with a finite value', () => {
    expect(() => checkReport(t, 3, 0.3)).not.toThrow();
    expect(() => checkReport(curve(3, 'running', []), 0, 1)).not.toThrow();
  });
  it('rejects a repeated or decreasing step, a non-integer step, a non-finite value', () => {
    const cases: [unknown, unknown, string, string][] = [
      [2, 0.1, 'step', 'report: step: 2 must be greater than the last reported step (2)'],
      [1, 0.1, 'step', 'report: step: 1 must be greater than the last reported step (2)'],
      [2.5, 0.1, 'step', 'report: step: expected an integer from 0 to 9007199254740991, got 2.5'],
      [-1, 0.1, 'step', 'report: step: expected an integer from 0 to 9007199254740991, got -1'],
      // past 2^53 steps cannot be told apart; from 1e21 on a journal would write 1e+21, a float to Python
      [2 ** 53, 0.1, 'step', 'report: step: expected an integer from 0 to 9007199254740991, got 9007199254740992'],
      [1e21, 0.1, 'step', 'report: step: expected an integer from 0 to 9007199254740991, got 1e+21'],
      [3, NaN, 'value', 'report: value: expected a finite number, got NaN'],
      [3, Infinity, 'value', 'report: value: expected a finite number, got Infinity'],
      [3, '0.2', 'value', 'report: value: expected a finite number, got "0.2"'],
    ];
    for (const [step, value, param, msg] of cases) {
      let err: unknown;
      try {
        checkReport(t, step, value);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidPointError);
      expect((err as InvalidPointError).param).toBe(param);
      expect((err as Error).message).toBe(msg);
    }
  });
  it('rejects a report after the trial ended', () => {
    for (const state of ['complete', 'pruned', 'failed'] as const) {
      expect(() => checkReport({ ...t, state }, 3, 0.1)).toThrow(StateError);
    }
    expect(() => checkReport({ ...t, state: 'pruned' }, 3, 0.1)).toThrow('report: trial 3 has already ended (pruned); nothing was recorded');
  });
});
