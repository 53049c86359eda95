/**
 * End to end on a tiny budget: real taxi rows, real tfjs training (wasm
 * backend), the CPU engine, the JSON record and the HTML report.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare, runTune } from '../../src/cli/compare';
import type { CompareRecord } from '../../src/cli/types';
import { generateDigits, saveMnistIdx } from '../../src/data';
import { InvalidOptionError } from '../../src/errors';
import { gridPoints } from '../../src/space/grid';
import { Space } from '../../src/space';
import { taxiStudy } from '../../src/studies';

const dir = mkdtempSync(join(tmpdir(), 'compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = { rows: 300, budget: 3, epochs: 1, retrainEpochs: 1, backend: 'wasm', engine: 'cpu', seed: 5 } as const;

describe('runCompare (tiny budget)', () => {
  let rec: CompareRecord;
  const json = join(dir, 'out', 'record.json');
  const report = join(dir, 'out', 'report.html');
  beforeAll(async () => {
    rec = await runCompare({ ...TINY, json, report });
  });

  it('runs grid, random and Bayesian search on the same splits with the same budget', () => {
    expect(rec.command).toBe('compare');
    expect(rec.metric).toBe('rmse');
    expect(rec.direction).toBe('minimize');
    expect(rec.runs).toHaveLength(1);
    const run = rec.runs[0];
    expect(run.seed).toBe(5);
    expect(run.data.rowsRead).toBe(300);
    expect(run.data.train + run.data.val + run.data.test).toBeLessThanOrEqual(300);
    const [grid, random, bayes] = run.strategies;
    expect(run.strategies.map((s) => s.strategy)).toEqual(['grid', 'random', 'bayes']);
    // a balanced grid within 3 points over two floats is 2 x 1
    const layout = Space.fromOptions({ space: taxiStudy.space }).layout;
    expect(grid.evaluations).toBe(gridPoints(layout, 3).length);
    expect(grid.evaluations).toBe(2);
    expect(grid.trials.map((t) => t.params)).toEqual(gridPoints(layout, 3));
    expect([random.evaluations, bayes.evaluations]).toEqual([3, 3]);
    expect(rec.options.init).toBe(2);
  });

  it('gives random and Bayesian search the same initial points, with identical (seeded) results', () => {
    const [, random, bayes] = rec.runs[0].strategies;
    for (let i = 0; i < 2; i++) {
      expect(bayes.trials[i].params).toEqual(random.trials[i].params);
      expect(bayes.trials[i].value).toBe(random.trials[i].value);
      expect(bayes.trials[i].source).toBe('init');
    }
    expect(bayes.trials[2]).toMatchObject({ source: 'suggest', engine: 'cpu' });
    expect(bayes.trials[2].suggestMs).toBeGreaterThan(0);
    expect(random.trials[2].source).toBe('random');
  });

  it('records best-so-far, time to reach random\'s best, and the retrained test metric', () => {
    const run = rec.runs[0];
    const random = run.strategies[1];
    expect(run.randomBest).toBe(Math.min(...random.trials.map((t) => t.value as number)));
    for (const s of run.strategies) {
      let prevEnd = 0;
      for (const t of s.trials) {
        expect(t.status).toBe('complete');
        expect(t.bestSoFar).toBe(Math.min(...s.trials.slice(0, t.index).map((u) => u.value as number)));
        expect(t.endMs).toBeGreaterThanOrEqual(prevEnd);
        expect(t.durationMs).toBeGreaterThan(0);
        prevEnd = t.endMs;
      }
      expect(s.wallMs).toBeGreaterThanOrEqual(prevEnd);
      expect(s.best?.value).toBe(s.trials[s.trials.length - 1].bestSoFar);
      const reached = s.trials.find((t) => (t.bestSoFar as number) <= (run.randomBest as number));
      // one epoch per evaluation here: the epochs to reach it equal the evaluations
      expect(s.reachRandomBest).toEqual(reached ? { evaluations: reached.index, ms: reached.endMs, epochs: reached.index } : null);
      expect(s.retrain?.epochs).toBe(1);
      // the taxi default: three retrainings from weight seeds 5, 6, 7, reported as their mean
      const tests = s.retrain?.testMetrics ?? [];
      expect(tests).toHaveLength(3);
      expect(new Set(tests).size).toBe(3);
      const mean = tests.reduce((a, b) => a + b, 0) / 3;
      expect(s.retrain?.testMetric).toBeCloseTo(mean, 12);
      expect(s.retrain?.testSe).toBeCloseTo(Math.sqrt(tests.reduce((a, b) => a + (b - mean) ** 2, 0) / 2 / 3), 12);
      expect(s.retrain?.testMetric).toBeGreaterThan(0);
    }
    expect(random.reachRandomBest?.evaluations).toBe(random.best?.index);
  });

  it('describes the environment and sums up the run', () => {
    expect(rec.environment).toMatchObject({ tfjsBackend: 'wasm', engine: 'cpu', sharedDevice: false });
    expect(rec.summary.map((s) => s.seeds)).toEqual([1, 1, 1]);
    expect(rec.goal?.seeds).toBe(1);
  });

  it('writes the full record as JSON and a self-contained report', () => {
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(rec)));
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('id="report-data"');
    expect(html).toContain(`"randomBest":${rec.runs[0].randomBest}`);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  });

  it('is reproducible: tune --strategy random with the same seed repeats compare\'s random search', async () => {
    const again = await runTune({ ...TINY, strategy: 'random', retrainEpochs: 0 });
    expect(again.command).toBe('tune');
    const s = again.runs[0].strategies;
    expect(s.map((x) => x.strategy)).toEqual(['random']);
    expect(s[0].trials.map((t) => [t.params, t.value])).toEqual(rec.runs[0].strategies[1].trials.map((t) => [t.params, t.value]));
    expect(s[0].retrain).toBeNull();
    expect(again.goal).toBeNull();
  });
});

describe('runTune', () => {
  it('tunes the digits CNN (maximizing validation accuracy)', async () => {
    const r = await runTune({
      study: 'digits', strategy: 'bayes', rows: 120, budget: 2, init: 1, epochs: 1, imageSize: 8, retrainEpochs: 0,
      backend: 'wasm', engine: 'cpu', seed: 3,
    });
    expect(r).toMatchObject({ study: 'digits', metric: 'accuracy', direction: 'maximize' });
    const s = r.runs[0].strategies[0];
    // one value told: no signal for a model yet, a random point (test/optimizer/flat-values.test.ts)
    expect(s.trials.map((t) => t.source)).toEqual(['init', 'random']);
    for (const t of s.trials) expect(t.value).toSatisfy((v: number) => v >= 0 && v <= 1);
    expect(s.reachRandomBest).toBeNull();
  });

  it('reads MNIST IDX files with --data, keeping at most --rows training images', async () => {
    const idxDir = join(dir, 'mnist');
    mkdirSync(idxDir);
    await saveMnistIdx(idxDir, generateDigits(150, { seed: 1 }), generateDigits(40, { seed: 2 }));
    const r = await runTune({
      study: 'digits', strategy: 'random', data: idxDir, rows: 100, budget: 1, init: 1, epochs: 1, imageSize: 8,
      retrainRows: 'all', retrainEpochs: 1, backend: 'wasm', engine: 'cpu', seed: 4,
    });
    // 150 training images split 90/10: 135 train (cut to 100 for the search; all 135 for the retraining),
    // 15 validation; the t10k file is the test set
    const { classCounts, ...info } = r.runs[0].data;
    expect(info).toEqual({ source: idxDir, train: 100, retrainTrain: 135, val: 15, test: 40 });
    expect(r.runs[0].strategies[0].retrain?.trainRows).toBe(135 + 15);
    // generateDigits balances classes: 40 test images are 4 per class
    expect(classCounts?.test).toEqual(new Array(10).fill(4));
    expect([classCounts?.train, classCounts?.val].map((c) => c?.reduce((a, b) => a + b, 0))).toEqual([100, 15]);
    expect(r.runs[0].strategies[0].retrain?.testMetric).toSatisfy((v: number) => v >= 0 && v <= 1);
  });

  it('trains two configurations at once with concurrency 2, each a distinct point', async () => {
    const notes: string[] = [];
    const r = await runTune({
      ...TINY, strategy: 'bayes', budget: 4, init: 2, retrainEpochs: 0, concurrency: 2, progress: 'lines', stream: { write: (l: string) => notes.push(l) },
    });
    expect(r.options.concurrency).toBe(2);
    // one line per evaluation, each numbered once (two in flight shared a number before)
    expect(notes.join('').match(/bayes \d\/4 val/g)?.sort()).toEqual(['bayes 1/4 val', 'bayes 2/4 val', 'bayes 3/4 val', 'bayes 4/4 val']);
    const s = r.runs[0].strategies[0];
    expect(s.evaluations).toBe(4);
    expect(s.trials.map((t) => t.source).sort()).toEqual(['init', 'init', 'suggest', 'suggest']);
    expect(new Set(s.trials.map((t) => JSON.stringify(t.params))).size).toBe(4);
    for (const t of s.trials) expect(t.value).toSatisfy((v: number) => Number.isFinite(v) && v > 0);
  });

  it('rejects an unknown strategy before doing any work', async () => {
    await expect(runTune({ strategy: 'hyperband' as 'bayes' }))
      .rejects.toThrow(new InvalidOptionError('option "strategy": must be one of grid, random, bayes (got "hyperband")', 'strategy'));
  });
});
