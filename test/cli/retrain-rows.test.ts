/**
 * `--retrain-rows`: the digits search trains on the first `rows` training
 * images and the recommended configuration is retrained on the first
 * `retrainRows` (or all) of them plus the validation images. Runs on a small
 * per-class JSON folder the test writes (200 generated digits: 140 train,
 * 20 validation, 40 test per seed).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runTune } from '../../src/cli/compare';
import { prepareData } from '../../src/cli/data';
import { resolveOptions } from '../../src/cli/options';
import { runCli } from '../../src/cli/program';
import { formatRecord } from '../../src/cli/table';
import { renderReport } from '../../src/report/html';
import { generateDigits, mnistPackageDir } from '../../src/data';
import type { ImageSplit, Splits } from '../../src/data/types';
import { InvalidOptionError } from '../../src/errors';
import { digitsStudy } from '../../src/studies';

const dir = mkdtempSync(join(tmpdir(), 'retrain-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const jsonDir = join(dir, 'digits');
mkdirSync(jsonDir);
const gen = generateDigits(200, { seed: 9 });
for (let d = 0; d < 10; d++) {
  const data: number[] = [];
  for (let i = 0; i < gen.n; i++) if (gen.labels[i] === d) data.push(...gen.x.subarray(i * 784, (i + 1) * 784));
  writeFileSync(join(jsonDir, `${d}.json`), JSON.stringify({ data }));
}

const digits = (o: object) => resolveOptions({ study: 'digits', data: jsonDir, rows: 30, ...o });

describe('prepareData with retrainRows', () => {
  it('keeps the search on the first rows and gives the retraining the first retrainRows, same validation and test images', async () => {
    const d = await (await prepareData(digits({ retrainRows: 120 })))(3);
    if (d.study !== 'digits' || d.retrainSplits === undefined) throw new Error('expected digits with retraining splits');
    expect([d.splits.train.n, d.retrainSplits.train.n, d.splits.val.n, d.splits.test.n]).toEqual([30, 120, 20, 40]);
    expect(d.retrainSplits.val).toBe(d.splits.val);
    expect(d.retrainSplits.test).toBe(d.splits.test);
    // the search's images are the first 30 of the retraining's
    expect(d.retrainSplits.train.x.subarray(0, 30 * 784)).toEqual(d.splits.train.x);
    expect(d.retrainSplits.train.labels.subarray(0, 30)).toEqual(d.splits.train.labels);
    expect(d.info).toMatchObject({ train: 30, retrainTrain: 120, val: 20, test: 40 });
  });

  it('"all" takes every training image of the split; as many as the search gives no separate splits', async () => {
    const all = await (await prepareData(digits({ retrainRows: 'all' })))(3);
    expect(all.study === 'digits' && all.retrainSplits?.train.n).toBe(140);
    const same = await (await prepareData(digits({ retrainRows: 30 })))(3);
    expect(same.study === 'digits' && same.retrainSplits).toBeUndefined();
    expect(same.info.retrainTrain).toBeUndefined();
    // the default: the retraining uses the search's images
    const dflt = await (await prepareData(digits({})))(3);
    expect([dflt.study === 'digits' && dflt.retrainSplits, dflt.info.retrainTrain]).toEqual([undefined, undefined]);
    // no retraining (--retrain-epochs 0): nothing to retrain on
    const none = await (await prepareData(digits({ retrainRows: 'all', retrainEpochs: 0 })))(3);
    expect([none.study === 'digits' && none.retrainSplits, none.info.retrainTrain]).toEqual([undefined, undefined]);
  });

  it('more than the split holds is an InvalidOptionError naming the option and the count', async () => {
    const dataFor = await prepareData(digits({ retrainRows: 200 }));
    await expect(dataFor(3)).rejects.toThrow(
      new InvalidOptionError('option "retrainRows": the data has 140 training images (got 200)', 'retrainRows'));
  });

  it('without --data: the package\'s 7,200 training images per seed, or a count of generated ones', async () => {
    const dataFor = await prepareData(resolveOptions({ study: 'digits', rows: 30, retrainRows: 50 }));
    const d = await dataFor(2);
    if (d.study !== 'digits') throw new Error('expected digits');
    expect([d.splits.train.n, d.retrainSplits?.train.n]).toEqual([30, 50]);
    if (mnistPackageDir() === null) return;
    const all = await (await prepareData(resolveOptions({ study: 'digits', retrainRows: 'all' })))(2);
    expect(all.study === 'digits' && [all.splits.train.n, all.retrainSplits?.train.n, all.splits.val.n]).toEqual([500, 7200, 800]);
    await expect((await prepareData(resolveOptions({ study: 'digits', retrainRows: 9000 })))(2)).rejects.toThrow(
      'option "retrainRows": the data has 7200 training images (got 9000)');
  });
});

describe('the command line', () => {
  it('--retrain-rows beyond the data exits 2 naming the flag', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s), isTTY: false } };
    const code = await runCli(['node', 'webgpu-bayesopt', 'tune', '--study', 'digits', '--data', jsonDir, '--rows', '30',
      '--retrain-rows', '200', '--backend', 'wasm', '--engine', 'cpu', '--quiet', '--no-report'], io);
    expect(code).toBe(2);
    expect(err).toBe('error: option --retrain-rows: the data has 140 training images (got 200)\n');
  }, 120_000);
});

describe('tune on a tiny budget with --retrain-rows all', () => {
  it('retrains on every training image plus validation, and no tensor is left behind between trials', async () => {
    const tensorsAtStart: number[] = [];
    const realTrain = digitsStudy.train;
    const realRetrain = digitsStudy.retrainAndTest;
    const seen: Splits<ImageSplit>[] = [];
    const t = vi.spyOn(digitsStudy, 'train').mockImplementation((p, data, opts) => {
      tensorsAtStart.push(tf.memory().numTensors);
      return realTrain(p, data, opts);
    });
    const r = vi.spyOn(digitsStudy, 'retrainAndTest').mockImplementation((p, data, opts) => {
      tensorsAtStart.push(tf.memory().numTensors);
      seen.push(data);
      return realRetrain(p, data, opts);
    });
    const rec = await runTune({
      study: 'digits', strategy: 'random', data: jsonDir, rows: 30, retrainRows: 'all', retrainSchedule: 'linear', retrainShift: 1, retrainBatchSize: 8, budget: 3, init: 1, imageSize: 8,
      retrainEpochs: 1, retrainRepeats: 2, backend: 'wasm', engine: 'cpu', seed: 3, processes: 1, // in this process, where the spies see the trainings
    });
    // warm-up + 3 evaluations on the search's 30 images
    expect(t.mock.calls.map((c) => c[1].train.n)).toEqual([30, 30, 30, 30]);
    // two retrainings (weight seeds 3 and 4) on all 140 training images, the 20 validation and the 40 test images
    expect(r.mock.calls.map((c) => c[2]?.seed)).toEqual([3, 4]);
    // the retrainings decay the rate (--retrain-schedule linear); the evaluations keep it constant (no schedule passed)
    expect(r.mock.calls.map((c) => (c[2] as { lrSchedule?: string } | undefined)?.lrSchedule)).toEqual(['linear', 'linear']);
    expect(t.mock.calls.map((c) => (c[2] as { lrSchedule?: string } | undefined)?.lrSchedule)).toEqual(new Array(4).fill(undefined));
    expect(rec.options.retrainSchedule).toBe('linear');
    // --retrain-shift and --retrain-batch-size reach the retrainings only
    const shiftAndBatch = (c: unknown[]) => { const o = c[2] as { shift?: number; batchSize?: number }; return [o.shift, o.batchSize]; };
    expect(r.mock.calls.map(shiftAndBatch)).toEqual([[1, 8], [1, 8]]);
    expect(t.mock.calls.map(shiftAndBatch)).toEqual(new Array(4).fill([undefined, 8]));
    expect(seen.map((s) => [s.train.n, s.val.n, s.test.n])).toEqual([[140, 20, 40], [140, 20, 40]]);
    const s = rec.runs[0].strategies[0];
    expect(s.retrain).toMatchObject({ trainRows: 160, epochs: 1 });
    expect(s.retrain?.testMetrics).toHaveLength(2);
    expect(rec.options.retrainRows).toBe('all');
    expect(rec.runs[0].data).toMatchObject({ train: 30, retrainTrain: 140, val: 20, test: 40 });
    expect(formatRecord(rec)).toContain('retrained 1 epoch on train + val (140 + 20 images) at batch 8, linear rate, images shifted up to 1 px from 2 weight seeds');
    expect(renderReport(rec)).toContain('retrained for 1 epoch on train + validation (140 + 20 images), 2 times');
    // every training and retraining starts with the same number of live tensors: nothing leaks across them
    expect(tensorsAtStart).toHaveLength(6);
    expect(new Set(tensorsAtStart).size).toBe(1);
  }, 600_000);
});
