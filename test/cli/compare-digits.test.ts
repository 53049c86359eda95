/**
 * End to end on a tiny budget: `compare --study digits` on the real MNIST
 * digits of the optional `mnist` package when it is installed (else on the
 * generated fallback), and `--data` pointing at a per-class JSON folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare, runTune } from '../../src/cli/compare';
import { digitsSource, DIGITS_TEST_FRACTION, DIGITS_VAL_FRACTION } from '../../src/cli/data';
import { formatRecord } from '../../src/cli/table';
import type { CompareRecord } from '../../src/cli/types';
import { classCounts, generateDigits, loadMnistJson, mnistPackageDir } from '../../src/data';

const dir = mkdtempSync(join(tmpdir(), 'compare-digits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkgDir = mnistPackageDir();

describe('compare --study digits (tiny budget)', () => {
  let rec: CompareRecord;
  let notes: string[];
  beforeAll(async () => {
    notes = [];
    rec = await runCompare({
      study: 'digits', rows: 50, retrainRows: 100, budget: 2, init: 1, retrainEpochs: 1, retrainRepeats: 1,
      backend: 'wasm', engine: 'cpu', seed: 2, progress: 'lines', stream: { write: (s: string) => notes.push(s) },
    });
  }, 1_200_000); // a minute or two on 2 idle cores: 3 x (2 evaluations on 50 + 800 images, a retraining on 900 + 2,000)

  it('uses the real digits when the mnist package is installed, at 28 x 28, and says so in one line', async () => {
    const run = rec.runs[0];
    const dataLines = notes.join('').split('\n').filter((l) => l.includes('data: '));
    expect(dataLines).toHaveLength(1);
    expect(rec.options.imageSize).toBeNull();
    const c = run.data.classCounts;
    if (c === undefined) throw new Error('no class counts');
    expect([c.train, c.val, c.test].map((x) => x.reduce((a, b) => a + b, 0))).toEqual([run.data.train, run.data.val, run.data.test]);
    if (pkgDir === null) {
      expect(dataLines[0]).toContain('generated digits (the optional mnist package is not installed');
      expect(run.data.source).toBe('generated digits (seed 2; the optional mnist package is not installed)');
      return;
    }
    expect(dataLines[0]).toContain('data: real MNIST digits from the mnist package (10000 images, 28 x 28)');
    expect(run.data.source).toBe('real MNIST digits from the mnist package (10000 images, 28 x 28)');
    // stratified: every class gives round(20%) of its images to the held-out test set, 10% of the rest to validation
    const perClass = classCounts((await loadMnistJson(pkgDir)).labels, 10);
    const test = perClass.map((n) => Math.round(n * DIGITS_TEST_FRACTION));
    expect(c.test).toEqual(test);
    expect(c.val).toEqual(perClass.map((n, k) => Math.round((n - test[k]) * DIGITS_VAL_FRACTION)));
    expect([run.data.train, run.data.val, run.data.test]).toEqual([50, 800, 2000]);
    // the first 50 training images interleave the classes
    expect(Math.max(...c.train)).toBeLessThanOrEqual(7);
    const text = formatRecord(rec);
    expect(text).toContain('data: real MNIST digits from the mnist package (10000 images, 28 x 28), 50 train / 800 val / 2000 test');
    expect(text).toContain(`per class (0-9): train ${c.train.join(' ')}; val ${c.val.join(' ')}; test ${c.test.join(' ')}`);
    // the command line's retraining defaults: batch 32, a warm-up then linear decay, 1-px shifts
    expect(text).toContain('recommended configuration retrained 1 epoch on train + val (100 + 800 images) at batch 32, warmup-linear rate, images shifted up to 1 px, scored on test');
    expect(rec.options.processes).toBe(Math.min(2, availableParallelism())); // the digits default: the searches and retrainings ran in worker processes
  });

  it('runs grid, random and Bayesian search and retrains each recommended configuration on the test digits', () => {
    const run = rec.runs[0];
    expect(run.strategies.map((s) => s.strategy)).toEqual(['grid', 'random', 'bayes']);
    for (const s of run.strategies) {
      expect(s.failed).toBe(0);
      for (const t of s.trials) expect(t.value).toSatisfy((v: number) => v >= 0 && v <= 1);
      expect(s.retrain?.testMetrics).toHaveLength(1);
      // searched on 50 training images, retrained on the first 100 plus the validation images
      expect(s.retrain?.trainRows).toBe(100 + run.data.val);
      // accuracy over the test images: a whole number of them right (up to float32 rounding)
      const correct = (s.retrain?.testMetric as number) * run.data.test;
      expect(Math.abs(correct - Math.round(correct))).toBeLessThan(0.01);
    }
    // one value told before it: no signal for a model yet, a random point (test/optimizer/flat-values.test.ts)
    expect(run.strategies[2].trials[1]).toMatchObject({ source: 'random' });
    expect([run.data.train, run.data.retrainTrain]).toEqual([50, 100]);
  });
});

describe('--data with a folder of per-class JSON files', () => {
  it('reads 0.json ... 9.json and splits them stratified per seed', async () => {
    const jsonDir = join(dir, 'digits');
    mkdirSync(jsonDir);
    const gen = generateDigits(200, { seed: 9 });
    for (let d = 0; d < 10; d++) {
      const data: number[] = [];
      for (let i = 0; i < gen.n; i++) if (gen.labels[i] === d) data.push(...gen.x.subarray(i * 784, (i + 1) * 784));
      writeFileSync(join(jsonDir, `${d}.json`), JSON.stringify({ data }));
    }
    expect(digitsSource(jsonDir)).toEqual({ kind: 'json', dir: jsonDir, fromPackage: false });
    expect(digitsSource(join(dir, 'idx'))).toEqual({ kind: 'idx', dir: join(dir, 'idx') });
    const r = await runTune({
      study: 'digits', strategy: 'random', data: jsonDir, rows: 100, budget: 2, init: 1, imageSize: 8,
      retrainEpochs: 0, backend: 'wasm', engine: 'cpu', seed: 4, pruner: 'asha',
    });
    // the row with the pruner reports every quarter epoch, and its record says so; the plain row once an epoch
    const [plain, pruned] = r.runs[0].strategies;
    expect([plain.strategy, plain.reportsPerEpoch, pruned.strategy, pruned.reportsPerEpoch]).toEqual(['random', undefined, 'random+asha', 4]);
    for (const t of plain.trials) expect(t.curve).toHaveLength(1);
    for (const t of pruned.trials) expect(t.curve).toHaveLength(Math.round(4 * (t.epochsRun as number)));
    expect(formatRecord(r)).toContain('(validation metric reported every quarter epoch; grace 1 report, 0.25 epoch)');
    // 20 per class: 4 to test, 2 of the other 16 to validation, 14 to training (140, cut to 100)
    expect(r.runs[0].data).toEqual({
      // imageSize 8: the line says what the network sees
      source: `MNIST digits as per-class JSON in ${jsonDir} (200 images, 28 x 28, resized to 8 x 8)`, train: 100, val: 20, test: 40,
      classCounts: { train: r.runs[0].data.classCounts?.train, val: new Array(10).fill(2), test: new Array(10).fill(4) },
    });
    expect(r.runs[0].data.classCounts?.train.every((n) => n === 10)).toBe(true);
  }, 600_000);
});
