import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Splits, TabularSplit } from '../../src/data/types';
import { InvalidOptionError, InvalidPointError } from '../../src/errors';
import { taxiStudy } from '../../src/studies/taxi';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { linearData, std } from '../tfjs/synthetic';

/** Runs differing only by float32 rounding of the standardized targets. */
const TOL_REL_SCALE = 1e-5;

beforeAll(async () => {
  await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
});

const D = 6;
function split(n: number, seed: number, scale = 1, shift = 0): TabularSplit {
  const { x, y } = linearData(n, D, 0.1, seed);
  return { x, y: y.map((v) => v * scale + shift), n, nFeatures: D };
}
function splits(scale = 1, shift = 0): Splits<TabularSplit> {
  return { train: split(300, 1, scale, shift), val: split(100, 2, scale, shift), test: split(100, 3, scale, shift) };
}

describe('taxiStudy', () => {
  it('tunes learning rate and L2, both log-uniform on [1e-4, 1e-1], minimizing RMSE', () => {
    expect(taxiStudy.space).toEqual({
      learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
      l2: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    });
    expect(taxiStudy.direction).toBe('minimize');
    expect(taxiStudy.metricName).toBe('rmse');
  });

  it('builds Dense 512 (relu) -> 256 (relu) -> 1 with L2 on every kernel', () => {
    const model = taxiStudy.buildModel({ learning_rate: 1e-3, l2: 0.01 }, [22]);
    const cfg = model.layers.map((l) => l.getConfig() as { units: number; activation: string; kernelRegularizer: { className: string; config: { l2: number } } });
    expect(cfg.map((c) => c.units)).toEqual([512, 256, 1]);
    expect(cfg.map((c) => c.activation)).toEqual(['relu', 'relu', 'linear']);
    for (const c of cfg) {
      expect(c.kernelRegularizer.className).toBe('L1L2');
      expect(c.kernelRegularizer.config.l2).toBeCloseTo(0.01, 12);
    }
    expect(model.countParams()).toBe(23 * 512 + 513 * 256 + 257);
    model.dispose();
  });

  it('rejects params that are not finite numbers', () => {
    expect(() => taxiStudy.buildModel({ learning_rate: 1e-3 }, [22]))
      .toThrow(new InvalidPointError('parameter "l2": must be a finite number (got undefined)', 'l2'));
  });

  it('refuses a negative l2 and a learning rate <= 0, naming the parameter', async () => {
    const cases: [Record<string, number>, string, string][] = [
      [{ l2: -1 }, 'l2', 'parameter "l2": must be >= 0 (got -1)'],
      [{ learning_rate: -1e-3 }, 'learning_rate', 'parameter "learning_rate": must be > 0 (got -0.001)'],
      [{ learning_rate: NaN }, 'learning_rate', 'parameter "learning_rate": must be a finite number (got NaN)'],
    ];
    for (const [bad, name, message] of cases) {
      const err = await taxiStudy.train({ learning_rate: 1e-3, l2: 1e-4, ...bad }, splits(), { epochs: 1 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidPointError);
      expect((err as InvalidPointError).message).toBe(message);
      expect((err as InvalidPointError).param).toBe(name);
    }
  });

  it('learns a linear target; RMSE is in target units (scales exactly with the target)', async () => {
    const before = tf.memory().numTensors;
    const params = { learning_rate: 3e-3, l2: 1e-4 };
    const opts = { epochs: 6, batchSize: 64, seed: 7 };
    const base = splits();
    const r = await taxiStudy.train(params, base, opts);
    expect(r.valMetric).toBeLessThan(0.3 * std(base.val.y));
    // Targets * 50 + 1000: standardization makes training identical, so RMSE is 50x.
    const scaled = await taxiStudy.objective(params, splits(50, 1000), opts);
    expect(Math.abs(scaled / (50 * r.valMetric) - 1)).toBeLessThan(TOL_REL_SCALE);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maxTrainRows uses only the leading rows; bad options are rejected', async () => {
    // Rows past the first 50 have NaN targets: using any of them would make the loss NaN.
    const data = splits();
    data.train.y.fill(NaN, 50);
    const losses: number[] = [];
    const params = { learning_rate: 1e-3, l2: 1e-3 };
    const rmse = await taxiStudy.objective(params, data, {
      epochs: 1, maxTrainRows: 50, onEpoch: (_, logs) => losses.push(logs.loss),
    });
    expect(Number.isFinite(losses[0]) && Number.isFinite(rmse)).toBe(true);
    losses.length = 0;
    await taxiStudy.objective(params, data, { epochs: 1, onEpoch: (_, logs) => losses.push(logs.loss) });
    expect(losses[0]).toBeNaN();
    await expect(taxiStudy.objective(params, splits(), { maxTrainRows: 0 }))
      .rejects.toThrow(new InvalidOptionError('option "maxTrainRows": must be a positive integer (got 0)', 'maxTrainRows'));
  });

  it('lrSchedule linear: decays over the epochs cap, whenever a pruner stops the training; seeded, it repeats exactly', async () => {
    const before = tf.memory().numTensors;
    const params = { learning_rate: 1e-2, l2: 1e-4 };
    const base = { epochs: 4, batchSize: 64, seed: 5 };
    const curve = async (o: Parameters<typeof taxiStudy.train>[2]) => (await taxiStudy.train(params, splits(), o)).history.map((h) => h.valMetric);
    const linear = await curve({ ...base, lrSchedule: 'linear' });
    expect(linear).toHaveLength(4);
    expect(await curve({ ...base, lrSchedule: 'linear' })).toEqual(linear);
    // the default is the constant rate, and the schedule moves the training from its first epoch on
    const constant = await curve(base);
    expect(await curve({ ...base, lrSchedule: 'constant' })).toEqual(constant);
    expect(linear[0]).not.toBe(constant[0]);
    // a training the pruner stops at epoch 2 took the same steps as the whole one up to there: the
    // schedule runs over the cap (4 epochs), not over the epochs it trained
    const pruned = await taxiStudy.train(params, splits(), {
      ...base, lrSchedule: 'linear', context: { report: async (step) => step === 2 },
    });
    expect(pruned.pruned).toBe(true);
    expect(pruned.history.map((h) => h.valMetric)).toEqual(linear.slice(0, 2));
    // a cap of 2 epochs decays faster: a different curve
    expect(await curve({ ...base, epochs: 2, lrSchedule: 'linear' })).not.toEqual(linear.slice(0, 2));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lrSchedule: an unknown schedule is a typed error naming it, for the training and the retraining', async () => {
    const e = new InvalidOptionError('option "lrSchedule": must be one of constant, linear, warmup-linear (got "cosine")', 'lrSchedule');
    const params = { learning_rate: 1e-3, l2: 1e-3 };
    await expect(taxiStudy.train(params, splits(), { epochs: 1, lrSchedule: 'cosine' as never })).rejects.toThrow(e);
    await expect(taxiStudy.retrainAndTest(params, splits(), { epochs: 1, lrSchedule: 'cosine' as never })).rejects.toThrow(e);
    // a string is shown quoted: `(got 5)` for '5' contradicted "must be a positive integer"
    await expect(taxiStudy.train(params, splits(), { epochs: '5' as never }))
      .rejects.toThrow(new InvalidOptionError('option "epochs": must be a positive integer (got "5")', 'epochs'));
  });

  it('a misspelt option is a typed error naming it (it would train the default epochs in silence), before any training', async () => {
    const params = { learning_rate: 1e-3, l2: 1e-3 };
    const known = 'epochs, batchSize, patience, maxTrainRows, seed, signal, onEpoch, context, reportsPerEpoch, standardizeTarget, lrSchedule';
    const e = new InvalidOptionError(`option "epoch": unknown option of the taxi study (known: ${known})`, 'epoch');
    const before = tf.memory().numTensors;
    await expect(taxiStudy.train(params, splits(), { epoch: 1 } as never)).rejects.toThrow(e);
    await expect(taxiStudy.retrainAndTest(params, splits(), { epoch: 1 } as never)).rejects.toThrow(e);
    await expect(taxiStudy.objective(params, splits(), null as never))
      .rejects.toThrow(new InvalidOptionError('the taxi study: options must be an object, got null', 'options'));
    // the digits study's own options are not the taxi study's
    await expect(taxiStudy.train(params, splits(), { epochs: 1, shift: 1 } as never)).rejects.toThrow(/^option "shift": unknown option of the taxi study/);
    // 'no' was read as true and 0 as false
    await expect(taxiStudy.train(params, splits(), { epochs: 1, standardizeTarget: 'no' as never }))
      .rejects.toThrow(new InvalidOptionError('option "standardizeTarget": expected a boolean, got "no"', 'standardizeTarget'));
    // params that are no object: a typed error naming them (a raw TypeError)
    await expect(taxiStudy.train(null as never, splits(), { epochs: 1 })).rejects.toThrow(new InvalidPointError('params: expected an object of parameter values, got null', 'params'));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a missing split, or a validation or test split of another width, before any training (typed, naming data)', async () => {
    const before = tf.memory().numTensors;
    const P = { learning_rate: 1e-3, l2: 1e-3 };
    const narrow = (s: TabularSplit): TabularSplit => ({ ...s, nFeatures: s.nFeatures - 1, x: s.x.subarray(0, s.n * (s.nFeatures - 1)) });
    const d = splits();
    const nf = d.train.nFeatures;
    let epochs = 0;
    const onEpoch = () => void epochs++;
    const cases: [() => Promise<unknown>, string][] = [
      [() => taxiStudy.train(P, { ...d, val: narrow(d.val) }, { epochs: 1, onEpoch }), `option "data": val split has nFeatures = ${nf - 1} but train has ${nf}`],
      [() => taxiStudy.retrainAndTest(P, { ...d, test: narrow(d.test) }, { epochs: 1, onEpoch }), `option "data": test split has nFeatures = ${nf - 1} but train has ${nf}`],
      [() => taxiStudy.train(P, { train: d.train } as never, { epochs: 1, onEpoch }), 'option "data": no val split'],
      [() => taxiStudy.retrainAndTest(P, { train: d.train, val: d.val } as never, { epochs: 1, onEpoch }), 'option "data": no test split'],
      // a split without its arrays was a TypeError reading `length`
      [() => taxiStudy.objective(P, { ...d, train: {} } as never, { epochs: 1, onEpoch }), 'option "data": the train split\'s x must be an array (got undefined)'],
      [() => taxiStudy.train(P, { ...d, val: { ...d.val, n: '5' } } as never, { epochs: 1, onEpoch }), 'option "data": the val split\'s n must be a non-negative integer (got "5")'],
    ];
    for (const [run, message] of cases) {
      const err = await run().then(() => null, (e: unknown) => e);
      expect(err, message).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).message).toBe(message);
      expect((err as InvalidOptionError).option).toBe('data');
    }
    expect(epochs).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad values of the shared options it does not read (reportsPerEpoch; patience in the retraining), as the digits study does', async () => {
    const P = { learning_rate: 1e-3, l2: 1e-3 };
    const d = splits();
    await expect(taxiStudy.train(P, d, { epochs: 1, reportsPerEpoch: 0 }))
      .rejects.toThrow(new InvalidOptionError('option "reportsPerEpoch": must be a positive integer (got 0)', 'reportsPerEpoch'));
    await expect(taxiStudy.retrainAndTest(P, d, { epochs: 1, patience: -1 }))
      .rejects.toThrow(new InvalidOptionError('option "patience": must be a positive integer or Infinity (got -1)', 'patience'));
    await expect(taxiStudy.retrainAndTest(P, d, { epochs: 1, patience: Infinity, reportsPerEpoch: 1 })).resolves.toBeDefined();
  });

  it('retrainAndTest trains exactly `epochs` on train + val and reports test RMSE', async () => {
    const before = tf.memory().numTensors;
    const data = splits();
    const r = await taxiStudy.retrainAndTest({ learning_rate: 3e-3, l2: 1e-4 }, data, { epochs: 5, batchSize: 64, seed: 3 });
    expect(r.epochsRun).toBe(5);
    expect(r.testMetric).toBeLessThan(0.3 * std(data.test.y));
    // with the linear schedule: another training, which repeats exactly
    const lin = { epochs: 5, batchSize: 64, seed: 3, lrSchedule: 'linear' as const };
    const a = await taxiStudy.retrainAndTest({ learning_rate: 3e-3, l2: 1e-4 }, data, lin);
    expect(a.testMetric).not.toBe(r.testMetric);
    expect((await taxiStudy.retrainAndTest({ learning_rate: 3e-3, l2: 1e-4 }, data, lin)).testMetric).toBe(a.testMetric);
    expect(tf.memory().numTensors).toBe(before);
  });
});
