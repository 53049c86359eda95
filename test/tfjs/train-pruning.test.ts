import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { Journal, MemoryJournalBackend, RandomSearch, type TrialContext } from '../../src/index';
import { trainTrial, type TrainTrialOptions } from '../../src/tfjs/train';
import { linearData } from './synthetic';

beforeAll(async () => {
  const info = await setupTfjsBackend({ prefer: 'cpu', log: () => {} });
  expect(info.backend).toBe('cpu');
});

function options(): TrainTrialOptions {
  const d = 3;
  const tr = linearData(64, d, 0.05, 1);
  const va = linearData(32, d, 0.05, 2);
  return {
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 8, activation: 'relu', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] }),
    compile: { optimizer: () => tf.train.adam(0.03), loss: 'meanSquaredError' },
    data: {
      xTrain: { values: tr.x, shape: [tr.n, d] }, yTrain: { values: tr.y, shape: [tr.n, 1] },
      xVal: { values: va.x, shape: [va.n, d] }, yVal: { values: va.y, shape: [va.n, 1] },
    },
    metric: 'rmse', epochs: 6, batchSize: 32, seed: 4,
  };
}

describe('trainTrial with a context', () => {
  it('reports each epoch\'s validation metric as step epoch + 1 and stops when told', async () => {
    const reports: [number, number][] = [];
    const before = tf.memory().numTensors;
    const r = await trainTrial({
      ...options(),
      context: { report: async (step, value) => (reports.push([step, value]), step === 3) },
    });
    expect(r.pruned).toBe(true);
    expect(r.epochsRun).toBe(3);
    expect(reports).toEqual(r.history.map((h, i) => [i + 1, h.valMetric]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports the last epoch, and the epoch where patience runs out, as final (never judged)', async () => {
    const finals: [number, boolean][] = [];
    const ctx = { report: async (step: number, _v: number, o?: { final?: boolean }) => (finals.push([step, o?.final === true]), false) };
    await trainTrial({ ...options(), epochs: 3, context: ctx });
    expect(finals).toEqual([[1, false], [2, false], [3, true]]);
    finals.length = 0;
    // a learning rate of 0 never improves on epoch 1: patience 2 ends it at epoch 3, before the 6th
    const r = await trainTrial({ ...options(), compile: { optimizer: () => tf.train.sgd(0), loss: 'meanSquaredError' }, patience: 2, context: ctx });
    expect([r.stoppedEarly, r.epochsRun]).toEqual([true, 3]);
    expect(finals).toEqual([[1, false], [2, false], [3, true]]);
  });

  it('trains every epoch while the context keeps it, and as before without one', async () => {
    const reports: number[] = [];
    const kept = await trainTrial({ ...options(), context: { report: async (step) => (reports.push(step), false) } });
    expect([kept.pruned, kept.epochsRun]).toEqual([false, 6]);
    expect(reports).toEqual([1, 2, 3, 4, 5, 6]);
    const plain = await trainTrial(options());
    expect([plain.pruned, plain.epochsRun]).toEqual([false, 6]);
    expect(plain.history.map((h) => h.valMetric)).toEqual(kept.history.map((h) => h.valMetric));
  });
});

describe('trainTrial reportsPerEpoch: reports within the epoch', () => {
  // 64 training rows at batch 16: 4 batches an epoch
  const base = (): TrainTrialOptions => ({ ...options(), batchSize: 16, epochs: 2 });
  type Report = [number, number, boolean];
  const recorder = (reports: Report[], stopAt = -1) => ({
    report: async (step: number, value: number, o?: { final?: boolean }) => (reports.push([step, value, o?.final === true]), step === stopAt),
  });

  it("reports R times an epoch as steps 1..R, 2R..; the epoch's last is the epoch's value, and the same training as one report an epoch", async () => {
    const reports: Report[] = [];
    const before = tf.memory().numTensors;
    const r = await trainTrial({ ...base(), reportsPerEpoch: 4, context: recorder(reports) });
    expect(reports.map(([s, , f]) => [s, f])).toEqual([[1, false], [2, false], [3, false], [4, false], [5, false], [6, false], [7, false], [8, true]]);
    // the parts pause the epoch: the same batches, so the same weights and validation values at each epoch's end
    const once: Report[] = [];
    const plain = await trainTrial({ ...base(), context: recorder(once) });
    expect(once.map(([s]) => s)).toEqual([1, 2]);
    expect(reports[3][1]).toBeCloseTo(once[0][1], 5);
    expect(reports[7][1]).toBeCloseTo(once[1][1], 5);
    expect(r.valMetric).toBeCloseTo(plain.valMetric, 5);
    expect(r.history.map((h) => h.loss)).toEqual(plain.history.map((h) => expect.closeTo(h.loss, 5)));
    expect([r.epochsRun, r.history.length, r.pruned]).toEqual([2, 2, false]);
    // the values within the epoch are the metric after those batches: they differ from the epoch's end
    expect(new Set(reports.slice(0, 4).map(([, v]) => v)).size).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a pruner's stop within an epoch ends the training there: a fraction of an epoch trained, nothing leaked", async () => {
    const reports: Report[] = [];
    const before = tf.memory().numTensors;
    const r = await trainTrial({ ...base(), reportsPerEpoch: 4, context: recorder(reports, 2) });
    expect(reports.map(([s]) => s)).toEqual([1, 2]);
    expect([r.pruned, r.epochsRun, r.history.length]).toEqual([true, 0.5, 1]);
    expect(r.history[0].valMetric).toBe(reports[1][1]);
    expect(Number.isNaN(r.valMetric)).toBe(true); // no epoch ended
    const later = await trainTrial({ ...base(), reportsPerEpoch: 4, context: recorder([], 7) });
    expect([later.pruned, later.epochsRun]).toEqual([true, 1.75]);
    expect(later.bestEpoch).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an abort that comes due within the epoch stops it at the next part (it waited for the epoch to end)', async () => {
    const reports: number[] = [];
    const ac = new AbortController();
    const before = tf.memory().numTensors;
    // a timer (a trial's timeout, AbortSignal.timeout) fires only when the loop turns: due from the first report on
    const due = (ms: number) => { const t = performance.now() + ms; while (performance.now() < t); };
    const context = {
      report: async (step: number) => (reports.push(step), step === 1 && (setTimeout(() => ac.abort(new Error('stop')), 0), due(3)), false),
    };
    await expect(trainTrial({ ...base(), epochs: 1, reportsPerEpoch: 4, context, signal: ac.signal })).rejects.toThrow('stop');
    expect(reports.length).toBeLessThan(4); // the timer fires at a turn between parts: [1] or [1, 2]
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses at most one part per batch, needs no context to train as before, and rejects a non-integer count', async () => {
    const reports: Report[] = [];
    // 4 batches an epoch: 10 parts become 4
    await trainTrial({ ...base(), epochs: 1, reportsPerEpoch: 10, context: recorder(reports) });
    expect(reports.map(([s]) => s)).toEqual([1, 2, 3, 4]);
    const quiet = await trainTrial({ ...base(), reportsPerEpoch: 4 });
    const plain = await trainTrial(base());
    expect(quiet.history.map((h) => h.valMetric)).toEqual(plain.history.map((h) => h.valMetric));
    await expect(trainTrial({ ...base(), reportsPerEpoch: 0.5 })).rejects.toThrow('option "reportsPerEpoch": must be a positive integer (got 0.5)');
  });
});

describe('in-epoch reports through a study with a journal', () => {
  it('ASHA stops trainings within their one epoch; the quarter-epoch reports are journaled and a resume restores them', async () => {
    // one epoch of 4 batches, reported every quarter (steps 1..4); ASHA judges at steps 1 and 4 (4 is final)
    const f = async ({ lr }: Record<string, unknown>, ctx: TrialContext) => (await trainTrial({
      ...options(), batchSize: 16, epochs: 1, reportsPerEpoch: 4, context: ctx,
      compile: { optimizer: () => tf.train.adam(lr as number), loss: 'meanSquaredError' },
    })).valMetric;
    const journal = new MemoryJournalBackend();
    const make = () => new RandomSearch({ f, pbounds: { lr: [1e-3, 0.1] }, direction: 'minimize', randomState: 2, pruner: 'asha', journal, log: () => {} });
    const opt = make();
    await opt.maximize({ initPoints: 6, nIter: 0 });
    const view = (o: RandomSearch) => o.res.map((t) => [t.id, t.status, t.target, t.step, t.intermediate]);
    const pruned = opt.res.filter((t) => t.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect(t.step).toBeLessThan(4); // stopped within the epoch
    for (const t of opt.res.filter((x) => x.status === 'complete')) expect(Object.keys(t.intermediate!).map(Number)).toEqual([1, 2, 3, 4]);
    opt.dispose();
    const state = await (await Journal.open(journal, { readOnly: true })).load();
    expect(state.trials.map((t) => [t.id, t.status, t.target, t.step, t.intermediate])).toEqual(view(opt));
    const resumed = make();
    await resumed.ready();
    expect(view(resumed)).toEqual(view(opt));
    resumed.dispose();
  });
});
