/**
 * The study report: its numbers (permutation importance, contour), reading a
 * real journal through the storage module, the page loading nothing from
 * outside, and the page in headless Chromium (charts drawn, no errors, the
 * table sorts; a screenshot for the README).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import type { Trial } from '../../src/optimizer/types';
import { analyzeStudy, ANALYSIS_MAX_TRIALS } from '../../src/report/analysis';
import { readStudy, renderStudyReport, writeStudyReport, type StudyData } from '../../src/report/study';
import type { SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { chromiumAvailable, launchChromium, screenshot, watchErrors } from '../demo/browser';

const dir = mkdtempSync(join(tmpdir(), 'study-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPACE = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  units: { type: 'int', low: 8, high: 128 },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
  noise: { type: 'float', low: 0, high: 1 },
} satisfies SpaceSpec;

/** Validation loss that depends mostly on lr, a little on act and units, not at all on `noise`. */
function loss(p: Record<string, unknown>): number {
  return 3 * (Math.log10(p.lr as number) + 2) ** 2 + 0.3 * ((p.units as number) - 64) ** 2 / 64 ** 2 + (p.act === 'tanh' ? 0.4 : 0);
}

describe('analyzeStudy', () => {
  const rng = new Rng(3);
  const trials: Trial[] = Array.from({ length: 30 }, (_, id) => {
    const params = {
      lr: Math.exp(Math.log(1e-4) + rng.random() * Math.log(1e3)), units: 8 + rng.int(121),
      act: ['relu', 'tanh', 'gelu'][rng.int(3)], noise: rng.random(),
    };
    return { id, params, target: -loss(params), status: 'complete', source: 'random' };
  });

  it('ranks the parameter that drives the objective first and the irrelevant one last', () => {
    const a = analyzeStudy(SPACE, trials);
    expect(a.importance.map((i) => i.name)[0]).toBe('lr');
    expect(a.importance[0].importance).toBeGreaterThan(0.6);
    expect(a.importance[a.importance.length - 1].name).toBe('noise');
    expect(a.importance[a.importance.length - 1].importance).toBeLessThan(0.05);
    expect(a.importance.reduce((s, i) => s + i.importance, 0)).toBeCloseTo(1, 12);
  });

  it('draws the contour over the two most important parameters from the GP mean', () => {
    const a = analyzeStudy(SPACE, trials, { gridSize: 20 });
    const c = a.contour!;
    expect(c.params[0]).toBe('lr');
    expect(c.xs).toHaveLength(20);
    expect(c.xs[0]).toBe(1e-4);
    expect(c.xs[19]).toBe(1e-1);
    expect(c.z).toHaveLength(c.xs.length * c.ys.length);
    // along lr the mean peaks near lr = 1e-2 (the objective's optimum), not at the ends
    const row = c.xs.map((_, i) => c.z[i]);
    const argmax = row.indexOf(Math.max(...row));
    expect(c.xs[argmax] as number).toBeGreaterThan(2e-3);
    expect(c.xs[argmax] as number).toBeLessThan(5e-2);
  });

  it('needs three completed trials', () => {
    expect(analyzeStudy(SPACE, trials.slice(0, 2))).toEqual({ importance: [], contour: null });
  });

  it('says no parameter can be analysed when every one is left out, not that trials are missing', () => {
    // ranges this library's spaces cannot hold (an Optuna study may have them)
    const space = { f: { type: 'float', low: -1e308, high: 1e308 }, n: { type: 'int', low: 0, high: 2 ** 60 } } satisfies SpaceSpec;
    const six = Array.from({ length: 6 }, (_, id) => ({ id, params: { f: id / 10, n: id }, target: id, status: 'complete', source: 'random' })) as StudyData['trials'];
    expect(analyzeStudy(space, six).left?.map((l) => l.name)).toEqual(['f', 'n']);
    const html = renderStudyReport({ space, direction: 'maximize', trials: six });
    expect(html.includes('<p>No parameter can be analysed.</p>')).toBe(true);
    expect(html.includes('Needs at least 3 completed trials.')).toBe(false);
    expect(renderStudyReport({ space, direction: 'maximize', trials: six.slice(0, 2) }).includes('Needs at least 3 completed trials.')).toBe(false);
  });

  it('is the same at any scale of the targets: importances equal, the contour in the objective\'s units', () => {
    const base = analyzeStudy(SPACE, trials, { gridSize: 8 });
    for (const k of [1e200, 1e-300, -1e300]) {
      const scaled = trials.map((t) => ({ ...t, target: (t.target as number) * k }));
      const a = analyzeStudy(SPACE, scaled, { gridSize: 8 });
      // (a negated objective keeps its importances; the GP refits, so agreement is to its fit's precision)
      expect(a.importance.map((i) => i.name)).toEqual(base.importance.map((i) => i.name));
      a.importance.forEach((imp, i) => expect(imp.importance).toBeCloseTo(base.importance[i].importance, 2));
      const want = base.contour!.z.map((z) => z * k);
      const range = Math.max(...want.map(Math.abs));
      a.contour!.z.forEach((z, i) => expect(Math.abs(z - want[i]) / range).toBeLessThan(1e-2));
    }
  });

  it('targets near +-1.7e308 and a spread of a few ulps: finite importances, and none for the ulps', () => {
    const edge = trials.map((t, i) => ({ ...t, target: i % 2 ? 1.7e308 * (t.target as number) / 30 : -1.7e308 * (t.target as number) / 30 }));
    const a = analyzeStudy(SPACE, edge);
    expect(a.importance.every((i) => Number.isFinite(i.importance))).toBe(true);
    expect(a.importance.reduce((sum, i) => sum + i.importance, 0)).toBeCloseTo(1, 9);
    const ulps = trials.map((t, i) => ({ ...t, target: 1 + (i % 3) * Number.EPSILON }));
    expect(analyzeStudy(SPACE, ulps).importance.every((i) => i.importance === 0)).toBe(true);
  });

  it('past ANALYSIS_MAX_TRIALS it reads the best of them and a sample of the rest, and still ranks lr first', () => {
    const r = new Rng(5);
    const many: Trial[] = Array.from({ length: 3 * ANALYSIS_MAX_TRIALS }, (_, id) => {
      const params = {
        lr: Math.exp(Math.log(1e-4) + r.random() * Math.log(1e3)), units: 8 + r.int(121),
        act: ['relu', 'tanh', 'gelu'][r.int(3)], noise: r.random(),
      };
      return { id, params, target: -loss(params), status: 'complete', source: 'random' };
    });
    const a = analyzeStudy(SPACE, many, { gridSize: 8 });
    expect(a.importance[0].name).toBe('lr');
    expect(a.importance.at(-1)!.name).toBe('noise');
  });
});

describe('study report from a journal', () => {
  let study: StudyData;
  const journal = join(dir, 'study.jsonl');
  const out = join(dir, 'report.html');

  beforeAll(async () => {
    const opt = new RandomSearch({
      space: SPACE, direction: 'minimize', randomState: 5, journal,
      f: (p, { trialId }) => {
        if (trialId === 4) throw new Error('diverged');
        return loss(p);
      },
    });
    await opt.maximize({ initPoints: 24, nIter: 0 });
    opt.dispose();
    study = await readStudy(journal);
    await writeStudyReport(out, { ...study, title: 'Random search, test study', objective: 'val loss' });
  });

  it('a path it cannot write is a StorageError naming it, not the file system\'s own error', async () => {
    await expect(writeStudyReport(dir, study)).rejects.toEqual(new StorageError(`report: cannot write ${JSON.stringify(dir)} (EISDIR: it is a folder)`));
    const under = join(dir, 'edge.html', 'r.html'); // a part of the path is a file
    await writeStudyReport(join(dir, 'edge.html'), study);
    await expect(writeStudyReport(under, study)).rejects.toBeInstanceOf(StorageError);
  });

  it('reads the trials, the space and the direction through the storage module', () => {
    expect(study.direction).toBe('minimize');
    expect(study.space).toMatchObject(SPACE);
    expect(study.trials).toHaveLength(24);
    expect(study.trials[4]).toMatchObject({ id: 4, status: 'failed', target: null, error: 'objective threw: diverged' });
    expect(study.trials.filter((t) => t.status === 'complete')).toHaveLength(23);
    expect(study.source).toBe('study.jsonl');
  });

  it('loads nothing from outside the file and shows every trial', () => {
    const html = renderStudyReport(study);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html.match(/<tr[ >]/g)).toHaveLength(25); // header + 24 trials
    expect(html).not.toContain(dir); // no absolute paths
  });

  it("shows a failed trial's reason in the table, escaped, as tune's table and --csv do (not only on hover)", () => {
    const html = renderStudyReport(study);
    expect(html).toContain('<td data-v="failed" class="failed" title="objective threw: diverged">failed: objective threw: diverged</td>');
    const long = `objective threw: <b>"x" & 'y'</b> ${'z'.repeat(100)}`;
    const odd = renderStudyReport({ ...study, trials: study.trials.map((t) => (t.id === 4 ? { ...t, error: long } : t)) });
    // cut at 80 characters: 34 of the message, 45 z's and the ellipsis
    const cell = /<td data-v="failed"[^>]*>(.*?)<\/td>/.exec(odd)![1];
    expect(cell).toBe(`failed: objective threw: &lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt; ${'z'.repeat(45)}…`);
    expect(odd).toContain(`title="objective threw: &lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt; ${'z'.repeat(100)}"`);
    // a failed trial without a reason, and the other statuses, show the status alone
    const bare = renderStudyReport({ ...study, trials: study.trials.map((t) => (t.id === 4 ? { ...t, error: undefined } : t)) });
    expect(bare).toContain('<td data-v="failed" class="failed" title="">failed</td>');
    expect(html).toContain('<td data-v="complete">complete</td>');
  });

  it('cuts long parameter values and names in the table (the whole on hover) and isolates the best line\'s point', () => {
    const choice = `\u202E${'c'.repeat(500)}`;
    const name = 'n'.repeat(300);
    const space = { ...SPACE, act: { type: 'categorical' as const, choices: [choice, 'relu'] }, [name]: { type: 'float' as const, low: 0, high: 1 } };
    const trials = study.trials.map((t) => ({ ...t, params: { ...t.params, act: t.id === 0 ? choice : 'relu', [name]: 0.5 } }));
    const html = renderStudyReport({ ...study, space, trials });
    const cells = [...html.matchAll(/<td data-v="[^"]*"(?: title="([^"]*)")?>([^<]*)<\/td>/g)];
    expect(Math.max(...cells.map((c) => [...c[2]].length))).toBeLessThanOrEqual(80);
    const cut = cells.find((c) => c[1] === choice)!;
    expect(cut[2]).toBe(`${choice.slice(0, 79)}…`);
    expect(html).toContain(`<th scope="col" aria-sort="none" title="${name}">${'n'.repeat(79)}…</th>`);
    const best = /Best: trial \d+, .*? at <code><bdi>([^<]*)<\/bdi><\/code>\./.exec(html)!;
    expect([...best[1]].length).toBeLessThanOrEqual(320);
    expect(html).not.toContain('sourceMappingURL');
  });

  it('says why the importance chart is empty when the completed trials all have one value', async () => {
    const flat = renderStudyReport({ ...study, trials: study.trials.map((t) => (t.status === 'complete' ? { ...t, target: 1.5 } : t)) });
    expect(flat).toContain('Every importance is 0: the completed trials\' values do not vary');
    expect(renderStudyReport(study)).not.toContain('Every importance is 0');
  });

  it('escapes every text field of hand-built trials in the table (source and error were printed as given), and refuses a status or duration of another kind', () => {
    const X = '<img src=x onerror=alert(1)>';
    const hostile = renderStudyReport({
      ...study,
      trials: study.trials.map((t, i) => (i === 0 ? { ...t, source: X as never } : i === 1 ? { ...t, status: 'failed', error: '"><svg onload=alert(2)>' } : t)),
    });
    expect(hostile).not.toContain('<img src=x');
    expect(hostile).not.toContain('<svg onload');
    expect(hostile).toContain('<td data-v="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</td>');
    // a status or a duration the report cannot read is refused, naming the field (it was written as given)
    const refused = (t: object) => {
      try {
        renderStudyReport({ ...study, trials: [{ ...study.trials[0], ...t }] });
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return 'rendered';
    };
    expect(refused({ status: X })).toBe(`InvalidOptionError: study.trials[0].status: expected one of "complete", "failed", "pruned", "pending", "waiting", got ${JSON.stringify(X)}`);
    expect(refused({ durationMs: '"><svg onload=alert(2)>' })).toBe('InvalidOptionError: study.trials[0].durationMs: expected a finite number or nothing, got "\\"><svg onload=alert(2)>"');
    expect(refused({ startedAt: 'yesterday' })).toBe('InvalidOptionError: study.trials[0].startedAt: expected a finite number or nothing, got "yesterday"');
    expect(refused({ error: 42 })).toBe('InvalidOptionError: study.trials[0].error: expected a string or nothing, got 42');
  });

  it.skipIf(!chromiumAvailable())('draws its charts in headless Chromium without errors, and the table sorts', async () => {
    const browser = await launchChromium({ webgpu: false });
    try {
      const page = await browser.newPage({ viewport: { width: 1240, height: 1450 } });
      const errors = watchErrors(page);
      // Offline: any request leaving the file fails the test.
      const requests: string[] = [];
      page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
      await page.goto(pathToFileURL(out).href);
      await page.waitForFunction(() => document.querySelectorAll('canvas[data-drawn]').length >= 8);
      const charts = await page.evaluate(() => Array.from(document.querySelectorAll('canvas')).map((c) => {
        const g = c.getContext('2d')!;
        const px = g.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
        return { id: c.id, drawn: c.getAttribute('data-drawn') === 'true', ink: ink / (c.width * c.height) };
      }));
      // history, importance, parallel coordinates, contour and one slice per parameter
      expect(charts.map((c) => c.id).sort()).toEqual(['contour', 'history', 'importance', 'parallel', 'slice-0', 'slice-1', 'slice-2', 'slice-3']);
      for (const c of charts) {
        expect(c.drawn, c.id).toBe(true);
        expect(c.ink, c.id).toBeGreaterThan(0.005);
      }
      // the contour fills its plot area
      expect(charts.find((c) => c.id === 'contour')!.ink).toBeGreaterThan(0.5);
      await screenshot(page, 'study-report', { fullPage: false, docs: true });
      // sort by the objective, twice (ascending, then descending)
      const valueHeader = page.locator('#trials thead th', { hasText: 'val loss' });
      await valueHeader.click();
      const firstAsc = await page.locator('#trials tbody tr').first().locator('td').nth(2).getAttribute('data-v');
      await valueHeader.click();
      const firstDesc = await page.locator('#trials tbody tr').first().locator('td').nth(2).getAttribute('data-v');
      const values = study.trials.filter((t) => t.status === 'complete').map((t) => t.target as number);
      expect(Number(firstAsc)).toBe(Math.min(...values));
      expect(Number(firstDesc)).toBe(Math.max(...values));
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it.skipIf(!chromiumAvailable())('targets near +-1.7e308 draw every chart (ranges taken in halves, no overflow)', async () => {
    const edge: StudyData = { ...study, trials: study.trials.map((t, i) => (t.status === 'complete' ? { ...t, target: (i % 2 ? 1.7e308 : -1.7e308) / (1 + i) } : t)) };
    const path = join(dir, 'edge.html');
    await writeStudyReport(path, edge);
    const browser = await launchChromium({ webgpu: false });
    try {
      const page = await browser.newPage({ viewport: { width: 1240, height: 1450 } });
      const errors = watchErrors(page);
      await page.goto(pathToFileURL(path).href);
      await page.waitForFunction(() => document.querySelectorAll('canvas[data-drawn]').length >= 8);
      const drawn = await page.evaluate(() => Array.from(document.querySelectorAll('canvas')).map((c) => [c.id, c.getAttribute('data-drawn')]));
      expect(drawn.filter(([, d]) => d !== 'true')).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('names in the report\'s running text', () => {
  it('are isolated and cut to 80 characters, the whole on hover: the study and file (a right-to-left override reversed the summary line) and the contour\'s parameters (a 5,000-character name made the page 77,000 px wide)', () => {
    const long = 'n'.repeat(5000);
    const space = { [long]: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } } satisfies SpaceSpec;
    const rng = new Rng(5);
    const trials: Trial[] = Array.from({ length: 12 }, (_, id) => {
      const params = { [long]: rng.random(), y: rng.random() };
      return { id, params, target: params[long] - params.y, status: 'complete', source: 'random' };
    });
    const html = renderStudyReport({ space, direction: 'maximize', trials, source: 'study.log, study prod\u202e', title: `Study ${long}` });
    expect(html).toContain('Source: <bdi>study.log, study prod\u202e</bdi>.');
    // the title (the CLI's "Study <source>") cut to 200 characters, isolated, the whole on hover
    expect(/<h1>(.*?)<\/h1>/.exec(html)![1]).toBe(`<bdi title="Study ${long}">Study ${'n'.repeat(193)}…</bdi>`);
    expect(/<title>(.*?)<\/title>/.exec(html)![1].length).toBe(200);
    const contour = /<h2>Contour: (.*?)<\/h2>/.exec(html)![1];
    expect(contour).toContain(`<bdi title="${long}">${'n'.repeat(79)}…</bdi>`);
    expect(contour.replace(/<bdi title="[^"]*">/g, '').length).toBeLessThan(200);
  });
});
