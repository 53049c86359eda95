import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultInit, DIGITS_RETRAIN_SCHEDULE_CLI, DIGITS_RETRAIN_SHIFT_CLI, resolveOptions, strategyBudget, STUDY_DEFAULTS } from '../../src/cli/options';
import { DIGITS_RETRAIN_SCHEDULE } from '../../src/studies/digits';
import { InvalidOptionError } from '../../src/errors';

const err = (message: string, option: string) => new InvalidOptionError(message, option);

describe('resolveOptions', () => {
  it('fills per-study defaults', () => {
    expect(resolveOptions({})).toEqual({
      study: 'taxi', strategies: ['grid', 'random', 'bayes'], budget: 20, gridBudget: 20, init: 5, epochs: 3, retrainEpochs: 3,
      retrainRepeats: 3, batchSize: 128, seeds: [1], rows: 5000, retrainRows: null, retrainSchedule: null, lrSchedule: 'constant', retrainShift: null, retrainBatchSize: null, data: null, imageSize: null, backend: 'auto', engine: 'auto',
      pruner: 'none', grace: 2, prunedTrials: null, timeBudget: null, concurrency: 1, processes: 1,
    });
    const d = resolveOptions({ study: 'digits' });
    const { pruning: _, processes, ...digits } = STUDY_DEFAULTS.digits;
    expect(d).toMatchObject({ ...digits, study: 'digits', processes: Math.min(processes, availableParallelism()) });
    // the digits defaults (see study-defaults.ts for why): 12 evaluations, 3 of them shared, one epoch on 500
    // digits at batch 8; each pick retrained once on all 7,200 + 800 digits for 2 epochs at batch 32, warm-up then
    // linear decay, 1-px shifts; 2 worker processes
    expect(d).toMatchObject({
      budget: 12, init: 3, epochs: 1, batchSize: 8, rows: 500, retrainRows: 'all', retrainBatchSize: 32, retrainEpochs: 2,
      retrainRepeats: 1, retrainSchedule: 'warmup-linear', retrainShift: 1,
    });
    expect(STUDY_DEFAULTS.digits.processes).toBe(2);
    // the retraining's rows and batch size go with the search's: given other rows, data or batch size, it takes those
    expect(resolveOptions({ study: 'digits', rows: 2000 })).toMatchObject({ rows: 2000, retrainRows: null, retrainBatchSize: 32 });
    expect(resolveOptions({ study: 'digits', data: '/some/dir' })).toMatchObject({ rows: 500, retrainRows: null });
    expect(resolveOptions({ study: 'digits', batchSize: 16 })).toMatchObject({ retrainRows: 'all', retrainBatchSize: null });
    expect(resolveOptions({ study: 'digits', imageSize: 0 }).imageSize).toBeNull();
  });

  it('lrSchedule: taxi trains at a constant rate unless told linear, with a pruner linear; digits has none', () => {
    expect(resolveOptions({}).lrSchedule).toBe('constant');
    // the pruned protocol (12 epochs) decays the rate: measured in study-defaults.ts
    expect(STUDY_DEFAULTS.taxi.pruning!.lrSchedule).toBe('linear');
    expect(resolveOptions({ pruner: 'asha' }).lrSchedule).toBe('linear');
    expect(resolveOptions({ pruner: 'median', epochs: 3 }).lrSchedule).toBe('linear');
    expect(resolveOptions({ lrSchedule: 'linear' }).lrSchedule).toBe('linear');
    expect(resolveOptions({ pruner: 'asha', lrSchedule: 'constant' }).lrSchedule).toBe('constant');
    expect(resolveOptions({ study: 'digits' }).lrSchedule).toBeNull();
    expect(() => resolveOptions({ lrSchedule: 'cosine' as never }))
      .toThrow(err('option "lrSchedule": must be one of constant, linear, warmup-linear (got "cosine")', 'lrSchedule'));
    expect(() => resolveOptions({ study: 'digits', lrSchedule: 'linear' }))
      .toThrow(err('option "lrSchedule": applies to the taxi study only', 'lrSchedule'));
  });

  it('retrainSchedule: the CLI retrains digits with a warm-up and linear decay unless told otherwise; taxi has none', () => {
    expect(resolveOptions({ study: 'digits' }).retrainSchedule).toBe('warmup-linear');
    expect(DIGITS_RETRAIN_SCHEDULE_CLI).toBe('warmup-linear');
    // the study's own default, for a retraining of any length, stays constant
    expect(DIGITS_RETRAIN_SCHEDULE).toBe('constant');
    expect(resolveOptions({ study: 'digits', rows: 1000 }).retrainSchedule).toBe('warmup-linear');
    expect(resolveOptions({ study: 'digits', retrainSchedule: 'linear' }).retrainSchedule).toBe('linear');
    expect(resolveOptions({ study: 'digits', retrainSchedule: 'constant' }).retrainSchedule).toBe('constant');
    expect(() => resolveOptions({ study: 'digits', retrainSchedule: 'cosine' as never })).toThrow(InvalidOptionError);
    expect(() => resolveOptions({ retrainSchedule: 'linear' }))
      .toThrow(err('option "retrainSchedule": applies to the digits study only', 'retrainSchedule'));
  });

  it('retrainShift and retrainBatchSize: digits only, shift 0..4 (default 1), batch size default 32 (the search\'s when it is given)', () => {
    expect(resolveOptions({ study: 'digits' })).toMatchObject({ retrainShift: 1, retrainBatchSize: 32 });
    expect(DIGITS_RETRAIN_SHIFT_CLI).toBe(1);
    expect(resolveOptions({ study: 'digits', retrainShift: 0 })).toMatchObject({ retrainShift: 0 });
    expect(resolveOptions({ study: 'digits', retrainShift: 2, retrainBatchSize: 32 })).toMatchObject({ retrainShift: 2, retrainBatchSize: 32 });
    expect(() => resolveOptions({ study: 'digits', retrainShift: 5 }))
      .toThrow(err('option "retrainShift": must be an integer in 0..4 (got 5)', 'retrainShift'));
    expect(() => resolveOptions({ study: 'digits', retrainShift: -1 }))
      .toThrow(err('option "retrainShift": must be an integer >= 0 (got -1)', 'retrainShift'));
    expect(() => resolveOptions({ study: 'digits', retrainBatchSize: 0 }))
      .toThrow(err('option "retrainBatchSize": must be an integer >= 1 (got 0)', 'retrainBatchSize'));
    expect(() => resolveOptions({ retrainShift: 1 }))
      .toThrow(err('option "retrainShift": applies to the digits study only', 'retrainShift'));
    expect(() => resolveOptions({ retrainBatchSize: 32 }))
      .toThrow(err('option "retrainBatchSize": applies to the digits study only', 'retrainBatchSize'));
  });

  it('takes a quarter of the budget as shared initial points, within 2..5 and at most the budget', () => {
    expect([1, 3, 8, 12, 30, 100].map(defaultInit)).toEqual([1, 2, 2, 3, 5, 5]);
    expect(resolveOptions({ budget: 40 }).init).toBe(5);
  });

  it('keeps a list of seeds, or one seed', () => {
    expect(resolveOptions({ seeds: [3, 1, 2] }).seeds).toEqual([3, 1, 2]);
    expect(resolveOptions({ seed: 9 }).seeds).toEqual([9]);
  });

  it('rejects bad values with messages naming the option', () => {
    expect(() => resolveOptions({ budget: 0 })).toThrow(err('option "budget": must be an integer >= 1 (got 0)', 'budget'));
    expect(() => resolveOptions({ budget: 4, init: 5 })).toThrow(err('option "init": must be at most the budget (4) (got 5)', 'init'));
    expect(() => resolveOptions({ epochs: 1.5 })).toThrow(err('option "epochs": must be an integer >= 1 (got 1.5)', 'epochs'));
    expect(() => resolveOptions({ retrainEpochs: -1 })).toThrow(err('option "retrainEpochs": must be an integer >= 0 (got -1)', 'retrainEpochs'));
    expect(() => resolveOptions({ retrainRepeats: 0 })).toThrow(err('option "retrainRepeats": must be an integer >= 1 (got 0)', 'retrainRepeats'));
    expect(() => resolveOptions({ study: 'mnist' as 'taxi' })).toThrow(err('option "study": must be one of taxi, digits (got "mnist")', 'study'));
    expect(() => resolveOptions({ backend: 'gpu' as 'auto' })).toThrow(err('option "backend": must be one of auto, webgpu, wasm, cpu (got "gpu")', 'backend'));
    expect(() => resolveOptions({ engine: 'wasm' as 'auto' })).toThrow(err('option "engine": must be one of auto, webgpu, cpu (got "wasm")', 'engine'));
    expect(() => resolveOptions({ seed: 1, seeds: [1, 2] })).toThrow(err('option "seeds": give "seed" or "seeds", not both', 'seeds'));
    expect(() => resolveOptions({ seeds: [] })).toThrow(err('option "seeds": must be a non-empty list of seeds (got [])', 'seeds'));
    expect(() => resolveOptions({ seeds: [1, 1] })).toThrow(err('option "seeds": lists a seed twice (1, 1)', 'seeds'));
    expect(() => resolveOptions({ seed: -1 })).toThrow(err('option "seed": must be an integer in [0, 4294967295] (got -1)', 'seed'));
    expect(() => resolveOptions({ concurrency: 0 })).toThrow(err('option "concurrency": must be an integer >= 1 (got 0)', 'concurrency'));
    expect(() => resolveOptions({ rows: 5 })).toThrow(err('option "rows": must be an integer >= 10 (got 5)', 'rows'));
    expect(() => resolveOptions({ study: 'digits', imageSize: 4 })).toThrow(err('option "imageSize": must be an integer >= 6 (got 4)', 'imageSize'));
    expect(() => resolveOptions({ strategies: ['bayes', 'bayes'] })).toThrow(err('option "strategies": lists a strategy twice (bayes, bayes)', 'strategies'));
    expect(() => resolveOptions({ strategies: ['hyperband' as 'bayes'] })).toThrow(err('option "strategies": must be one of grid, random, bayes (got "hyperband")', 'strategies'));
    expect(() => resolveOptions({ budgte: 3 } as object)).toThrow(err('option "budgte": unknown option', 'budgte'));
  });
});

describe('retrainRows (digits: retrain the pick on more training images than the search saw)', () => {
  it('defaults to all at the default rows (500), else to the search\'s rows (null)', () => {
    expect(resolveOptions({ study: 'digits' }).retrainRows).toBe('all');
    expect(resolveOptions({ study: 'digits', rows: 1000 }).retrainRows).toBeNull();
    expect(resolveOptions({}).retrainRows).toBeNull();
    expect(resolveOptions({ study: 'digits', retrainRows: 7200 }).retrainRows).toBe(7200);
    expect(resolveOptions({ study: 'digits', rows: 300, retrainRows: 300 }).retrainRows).toBe(300);
    expect(resolveOptions({ study: 'digits', retrainRows: 'all' }).retrainRows).toBe('all');
  });

  it('rejects bad values with messages naming the option', () => {
    expect(() => resolveOptions({ retrainRows: 2000 })).toThrow(
      err('option "retrainRows": applies to the digits study only (taxi retrains on the rows it searched)', 'retrainRows'));
    expect(() => resolveOptions({ study: 'digits', retrainRows: 400 })).toThrow(
      err('option "retrainRows": must be at least the rows of the search (500) or "all" (got 400)', 'retrainRows'));
    expect(() => resolveOptions({ study: 'digits', retrainRows: 5 })).toThrow(
      err('option "retrainRows": must be an integer >= 10 or "all" (got 5)', 'retrainRows'));
    expect(() => resolveOptions({ study: 'digits', retrainRows: 1500.5 })).toThrow(
      err('option "retrainRows": must be an integer >= 10 or "all" (got 1500.5)', 'retrainRows'));
    expect(() => resolveOptions({ study: 'digits', retrainRows: 'most' as 'all' })).toThrow(
      err('option "retrainRows": must be an integer >= 10 or "all" (got "most")', 'retrainRows'));
  });
});

describe('pruner and time budget options', () => {
  it('pruner names and a time budget in seconds; the budget becomes a cap', () => {
    expect(resolveOptions({ pruner: 'asha' }).pruner).toBe('asha');
    const t = resolveOptions({ timeBudget: 60 });
    expect([t.timeBudget, t.budget, t.init]).toEqual([60, 1000, 5]);
    expect(resolveOptions({ timeBudget: 60, budget: 30 }).budget).toBe(30);
    // a --budget cap below the design the time budget would take: the design fits in it
    expect(resolveOptions({ timeBudget: 60, budget: 3 }).init).toBe(defaultInit(3));
    expect(() => resolveOptions({ pruner: 'sha' as never })).toThrow('option "pruner": must be one of none, median, asha, hyperband (got "sha")');
    expect(() => resolveOptions({ timeBudget: 0 })).toThrow('option "timeBudget": must be an integer >= 1 (got 0)');
  });

  it('a time budget without --budget lays grid search\'s grid out for the study\'s usual budget, not the 1,000-trial cap (a clock cut left that grid at its first parameter\'s first levels)', () => {
    for (const study of ['taxi', 'digits'] as const) {
      const t = resolveOptions({ study, timeBudget: 60 });
      const usual = STUDY_DEFAULTS[study].budget;
      expect([strategyBudget(t, 'grid'), strategyBudget(t, 'random'), strategyBudget(t, 'bayes')]).toEqual([usual, 1000, 1000]);
    }
    // --budget given, or no time budget: every strategy's
    for (const o of [{ timeBudget: 60, budget: 30 }, { budget: 30 }, { timeBudget: 60, budget: 1000 }]) {
      const r = resolveOptions(o);
      expect([strategyBudget(r, 'grid'), strategyBudget(r, 'bayes')]).toEqual([o.budget, o.budget]);
    }
    // a record written before the field: grid's is the budget
    expect(strategyBudget({ budget: 40 }, 'grid')).toBe(40);
  });

  it('prunedTrials: the library\'s readings of pruned trials, none given by default', () => {
    expect(resolveOptions({ pruner: 'asha' }).prunedTrials).toBeNull();
    expect(resolveOptions({ pruner: 'asha', prunedTrials: 'extrapolate' }).prunedTrials).toBe('extrapolate');
    expect(() => resolveOptions({ prunedTrials: 'first' as never })).toThrow(
      err('option "prunedTrials": must be one of last, extrapolate, worst, ignore, fidelity (got "first")', 'prunedTrials'));
    // read by Bayesian search's model only: a run without it took the flag and ignored it
    expect(() => resolveOptions({ strategies: ['random', 'grid'], pruner: 'asha', prunedTrials: 'worst' })).toThrow(
      err('option "prunedTrials": is read by Bayesian search\'s model only, and this run has no Bayesian search', 'prunedTrials'));
  });

  it('grace: epochs before a pruner may stop an evaluation, per study (taxi 4 at its 12-epoch pruning protocol, else 2; digits 1)', () => {
    expect(resolveOptions({ pruner: 'asha' }).grace).toBe(4);
    expect(resolveOptions({ pruner: 'asha', epochs: 3 }).grace).toBe(2);
    expect(resolveOptions({ pruner: 'asha', epochs: 20 }).grace).toBe(4);
    expect(resolveOptions({ pruner: 'none', epochs: 12 }).grace).toBe(2);
    expect(resolveOptions({ pruner: 'asha', grace: 1 }).grace).toBe(1);
    expect(resolveOptions({ study: 'digits', pruner: 'asha' }).grace).toBe(1);
    expect(resolveOptions({ pruner: 'median', grace: 3 }).grace).toBe(3);
    expect(() => resolveOptions({ grace: 3 })).toThrow(err('option "grace": needs a pruner (pruner "median", "asha" or "hyperband")', 'grace'));
    expect(() => resolveOptions({ prunedTrials: 'worst' })).toThrow(err('option "prunedTrials": needs a pruner (pruner "median", "asha" or "hyperband")', 'prunedTrials'));
    expect(resolveOptions({ pruner: 'asha', prunedTrials: 'worst' }).prunedTrials).toBe('worst');
    expect(() => resolveOptions({ imageSize: 14 })).toThrow(err('option "imageSize": applies to the digits study only', 'imageSize'));
    expect(() => resolveOptions({ pruner: 'asha', grace: 0 })).toThrow(err('option "grace": must be an integer >= 1 (got 0)', 'grace'));
    // grid search alone has no initial design to size; beside another strategy --init is that one's
    expect(() => resolveOptions({ strategies: ['grid'], init: 2 })).toThrow(
      err('option "init": applies to random and Bayesian search; grid search has no initial design (its points are the budget)', 'init'));
    expect(resolveOptions({ strategies: ['grid', 'bayes'], init: 2 }).init).toBe(2);
  });

  it('with a pruner, taxi trains and retrains 12 epochs unless told; digits and runs without a pruner keep theirs', () => {
    for (const pruner of ['median', 'asha', 'hyperband'] as const) {
      expect(resolveOptions({ pruner })).toMatchObject({ epochs: 12, retrainEpochs: 12, grace: 4 });
    }
    expect(resolveOptions({ pruner: 'none' })).toMatchObject({ epochs: 3, retrainEpochs: 3 });
    expect(resolveOptions({ pruner: 'asha', epochs: 3 })).toMatchObject({ epochs: 3, retrainEpochs: 12 });
    expect(resolveOptions({ pruner: 'asha', retrainEpochs: 0 })).toMatchObject({ epochs: 12, retrainEpochs: 0 });
    expect(resolveOptions({ study: 'digits', pruner: 'asha' })).toMatchObject({ epochs: 1, retrainEpochs: 2 });
    expect(() => resolveOptions({ pruner: 'asha', epochs: 0 })).toThrow(err('option "epochs": must be an integer >= 1 (got 0)', 'epochs'));
    expect(() => resolveOptions({ pruner: 'asha', retrainEpochs: -1 }))
      .toThrow(err('option "retrainEpochs": must be an integer >= 0 (got -1)', 'retrainEpochs'));
    expect(() => resolveOptions({ pruner: 'asah' as never, epochs: 0 }))
      .toThrow(err('option "pruner": must be one of none, median, asha, hyperband (got "asah")', 'pruner'));
  });
});
