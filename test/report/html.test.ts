import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartJsSource, displayPath, escapeHtml, renderReport, scriptJson, writeReport } from '../../src/report/html';
import { InvalidOptionError } from '../../src/errors';
import { fixtureRecord } from '../cli/record-fixture';
import { thrown } from '../optimizer/caught';

const dir = mkdtempSync(join(tmpdir(), 'report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The embedded chart data, parsed back out of the page. */
function embedded(html: string): { runs: { seed: number; randomBest: number; strategies: { strategy: string; byEval: { x: number; y: number }[]; byTime: { x: number; y: number }[] }[] }[] } {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse((m as RegExpExecArray)[1]);
}

describe('renderReport', () => {
  const html = renderReport(fixtureRecord());

  it('inlines Chart.js and loads nothing from outside the file', () => {
    // whole, but for its source map comment (a file the page does not ship)
    expect(html).toContain(chartJsSource().replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n'));
    expect(html).not.toContain('sourceMappingURL');
    expect(chartJsSource()).toMatch(/^\/\*!\n \* Chart\.js v4\./);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    // only the license banners carry URLs at all
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['https://www.chartjs.org', 'https://github.com/kurkle/color#readme']));
  });

  it('embeds the best-so-far curves of every strategy, per evaluation and per second', () => {
    const data = embedded(html);
    expect(data.runs.map((r) => r.seed)).toEqual([1, 2]);
    const random2 = data.runs[1].strategies.find((s) => s.strategy === 'random');
    // values 4.9, failed, 4.4, 4.6 -> best so far 4.9, 4.9, 4.4, 4.4 at 1..4 s
    expect(random2?.byEval).toEqual([{ x: 1, y: 4.9 }, { x: 2, y: 4.9 }, { x: 3, y: 4.4 }, { x: 4, y: 4.4 }]);
    expect(random2?.byTime.map((p) => p.x)).toEqual([1, 2, 3, 4]);
    expect(data.runs[0].randomBest).toBe(4.5);
  });

  it('has the results tables, the summary, the goal and the winning configurations as HTML', () => {
    expect(html).toContain('<title>Grid, random and Bayesian search on the taxi study</title>');
    expect(html).toMatch(/<th scope="row">.*?bayes<\/th><td>4<\/td><td>4\.0<\/td><td>4\.300<\/td><td>4<\/td><td>3<\/td><td>3\.0<\/td><td>4\.400<\/td>/);
    expect(html).toContain('Over 2 seeds (1, 2)');
    expect(html).not.toMatch(/goal (not )?met/);
    expect(html).toContain('<code>learning_rate=0.004, l2=1.00e-4</code>');
    expect(html).toContain('<select id="seed">');
  });

  it('summary columns as the printed summary\'s: reach figures (with seconds) only with random search on every seed, a test metric only with a retraining', () => {
    // bayes: 4 evaluations, 4.0 s, best 4.400 (mean of 4.3 and 4.5), reached 1/2 (seed 1: 3 evaluations, 3.0 s), test 4.550
    expect(html).toMatch(/bayes<\/th><td>4\.0<\/td><td>4\.0<\/td><td>4\.400<\/td><td>1\/2<\/td><td>3\.0<\/td><td>3\.0<\/td><td>4\.550<\/td><\/tr>/);
    expect(html).toContain('<th scope="col">mean s to reach it</th>');
    const r = fixtureRecord();
    for (const run of r.runs) {
      run.randomBest = null;
      run.strategies = run.strategies.filter((s) => s.strategy !== 'random');
    }
    r.options.retrainEpochs = 0;
    const tune = renderReport(r);
    expect(tune).not.toContain("reached random's best");
    expect(tune).not.toContain('mean test');
    expect(tune).toMatch(/bayes<\/th><td>4\.0<\/td><td>4\.0<\/td><td>4\.400<\/td><\/tr>/);
  });

  it('shows the standard error of repeated retrainings and which configuration was retrained', () => {
    const r = fixtureRecord();
    r.options.retrainRepeats = 3;
    const b = r.runs[0].strategies[2];
    b.retrain = { testMetric: 4.4, testMetrics: [4.38, 4.4, 4.42], testSe: 0.012, epochs: 5, trainMs: 1 };
    b.recommended = { index: 3, value: 4.4, params: b.trials[2].params, predicted: 4.41 };
    const out = renderReport(r);
    // (boolean checks: a failing toContain would print the whole page with Chart.js inlined)
    expect(out.includes('test RMSE (mean ± standard error of 3 retrainings, 5 epochs)')).toBe(true);
    expect(out.includes('<td>4.400 &plusmn; 0.012</td>')).toBe(true);
    expect(out.includes("(model&#39;s pick; best observed was evaluation 4)")).toBe(true);
    expect(out.includes('3 times from different weight seeds')).toBe(true);
  });

  it('says a time budget, the pruner, and that nothing was retrained, as the table does', () => {
    const r = fixtureRecord();
    Object.assign(r.options, { timeBudget: 120, pruner: 'asha', grace: 4, epochs: 12, lrSchedule: 'linear', retrainEpochs: 0 });
    const out = renderReport(r);
    // it said "Budget: 4 evaluations per strategy" of a run given 120 s, and nothing of the pruner
    expect(out.includes('Budget: 120 s of wall time (at most 4 evaluations) per strategy, 2 shared random initial points, 12 epochs per evaluation')).toBe(true);
    expect(out.includes('the learning rate decayed (linear)')).toBe(true);
    expect(out.includes('Pruner: asha on the rows random+asha and bayes+asha, judging from report 4 on.')).toBe(true);
    expect(out.includes('<th scope="col">recommended configuration (not retrained)</th>')).toBe(true);
  });

  it('escapes text and keeps embedded JSON from closing its script element', () => {
    const r = fixtureRecord();
    r.runs[0].data.source = '</script><script>alert(1)</script>';
    const out = renderReport(r);
    expect(out).not.toContain('<script>alert(1)');
    expect(out).toContain(escapeHtml('</script><script>alert(1)</script>'));
    expect(scriptJson({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
    expect(JSON.parse(scriptJson({ s: '</script>\u2028' }))).toEqual({ s: '</script>\u2028' });
  });

  it('escapes every field of the record it draws, numbers included (a --json file says what it says)', () => {
    const r = fixtureRecord();
    const tag = (k: string) => `<i data-f="${k}">`;
    const o = r.options as unknown as Record<string, unknown>;
    Object.assign(o, { pruner: tag('pruner'), lrSchedule: tag('lrSchedule'), budget: tag('budget'), batchSize: tag('batchSize') });
    r.environment.summary = tag('env');
    r.createdAt = tag('createdAt');
    r.runs.forEach((run, i) => {
      (run as unknown as Record<string, unknown>).seed = tag(`seed${i}`);
      const s = run.strategies[0] as unknown as Record<string, unknown>;
      Object.assign(s, { strategy: `random${tag(`strategy${i}`)}`, evaluations: tag(`evaluations${i}`), failed: tag(`failed${i}`) });
    });
    const out = renderReport(r);
    // the page's own markup outside the inlined scripts
    const page = out.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<script type="application\/json"[\s\S]*?<\/script>/g, '');
    const raw = page.match(/<i data-f="[^"]*">/g) ?? [];
    expect(raw).toEqual([]);
    const shown = new Set([...page.matchAll(/&lt;i data-f=&quot;([^&]*)&quot;&gt;/g)].map((m) => m[1]));
    for (const k of ['pruner', 'lrSchedule', 'budget', 'batchSize', 'env', 'createdAt', 'seed0', 'seed1', 'strategy0', 'strategy1', 'evaluations0', 'failed1']) {
      expect(shown.has(k), k).toBe(true);
    }
  });
});

describe('writeReport', () => {
  it('writes the page to a file, creating folders', async () => {
    const path = join(dir, 'sub', 'report.html');
    await writeReport(path, fixtureRecord());
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('<!doctype html>')).toBe(true);
    expect(embedded(text).runs).toHaveLength(2);
  });
});

describe('report details', () => {
  it('shows data paths relative to the working directory, or by file name, never absolute', () => {
    expect(displayPath(join(process.cwd(), 'data', 'x.csv'))).toBe(join('data', 'x.csv'));
    expect(displayPath('/somewhere/else/node_modules/webgpu-bayesopt/data/nyc-taxi-sample.csv')).toBe('nyc-taxi-sample.csv');
    expect(displayPath('generated taxi trips (seed 1)')).toBe('generated taxi trips (seed 1)');
    const r = fixtureRecord();
    r.runs[0].data.source = '/abs/path/to/train.csv';
    const html = renderReport(r);
    expect(html).toContain('Data: train.csv (');
    expect(html).not.toContain('/abs/path');
  });

  it('puts whole-number ticks on the evaluation axis', () => {
    expect(renderReport(fixtureRecord())).toContain("ticks: spec[0] === 'by-eval' ? { precision: 0 } : {}");
  });
});

describe('escapeHtml and scriptJson arguments', () => {
  it('text that is not a string, and a value JSON cannot write, are InvalidOptionErrors naming them (TypeErrors before)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [call, option, message] of [
      [() => escapeHtml(undefined as never), 'text', 'escapeHtml: text: expected a string, got undefined'],
      [() => escapeHtml(5 as never), 'text', 'escapeHtml: text: expected a string, got 5'],
      [() => scriptJson(undefined), 'value', 'scriptJson: value: JSON cannot write undefined'],
      [() => scriptJson(() => 1), 'value', 'scriptJson: value: JSON cannot write a function'],
      [() => scriptJson(1n), 'value', 'scriptJson: value: JSON cannot write it (Do not know how to serialize a BigInt)'],
      [() => scriptJson(cyclic), 'value', /^scriptJson: value: JSON cannot write it \(Converting circular structure to JSON/],
    ] as const) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e.option).toBe(option);
      if (typeof message === 'string') expect(e.message).toBe(message);
      else expect(e.message).toMatch(message);
    }
    expect(scriptJson(null)).toBe('null');
  });
});
