/**
 * What the study page's canvas charts draw, read back from the attributes
 * they record (`data-labels`, `data-dots`) in headless Chromium: trials in
 * their nearest contour cell, every level of a short categorical axis
 * labelled, no objective axis without a completed trial, a conditional
 * parameter's absence drawn as a gap. And the contour's grid itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeStudy } from '../../src/report/analysis';
import { writeStudyReport, type ReportTrial, type StudyData } from '../../src/report/study';
import type { SpaceSpec } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { chromiumAvailable, launchChromium, watchErrors } from '../demo/browser';

const dir = mkdtempSync(join(tmpdir(), 'study-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPACE = {
  x: { type: 'float', low: 0, high: 1 },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
  z: { type: 'float', low: 0, high: 1 },
} satisfies SpaceSpec;

/** 30 trials whose value depends on x and act (the contour's axes), z irrelevant; trial 0 at x = 0.01. */
function trials(): ReportTrial[] {
  const rng = new Rng(5);
  return Array.from({ length: 30 }, (_, id) => {
    const params = { x: id === 0 ? 0.01 : rng.random(), act: ['relu', 'tanh', 'gelu'][id % 3], z: rng.random() };
    return { id, params, target: -((params.x - 0.3) ** 2) - (params.act === 'tanh' ? 0.5 : 0), status: 'complete', source: 'random' } as ReportTrial;
  });
}

/** The recorded attributes of the page written from `study`, after every canvas chart has drawn. */
async function drawn(study: StudyData, name: string): Promise<{ attrs: Record<string, Record<string, unknown>>; errors: string[] }> {
  const path = join(dir, `${name}.html`);
  await writeStudyReport(path, study);
  const browser = await launchChromium({ webgpu: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1240, height: 1450 } });
    const errors = watchErrors(page);
    await page.goto(pathToFileURL(path).href);
    await page.waitForFunction(() => document.getElementById('parallel')?.getAttribute('data-drawn') === 'true');
    const attrs = await page.evaluate(() => Object.fromEntries(['parallel', 'contour'].map((id) => {
      const c = document.getElementById(id);
      const read = (k: string) => (c?.getAttribute(`data-${k}`) ? JSON.parse(c.getAttribute(`data-${k}`)!) : undefined);
      return [id, { labels: read('labels'), dots: read('dots'), segments: read('segments') }];
    })));
    return { attrs, errors };
  } finally {
    await browser.close();
  }
}

describe('the contour grid', () => {
  it('gives an integer on a log scale each of its levels once (40 points rounded to 35 levels painted 5 twice)', () => {
    const space = { u: { type: 'int', low: 1, high: 1024, log: true }, x: { type: 'float', low: 0, high: 1 } } satisfies SpaceSpec;
    const rng = new Rng(2);
    const ts = Array.from({ length: 20 }, (_, id) => {
      const params = { u: Math.round(Math.exp(rng.random() * Math.log(1024))), x: rng.random() };
      return { id, params, target: Math.log(params.u) + params.x, status: 'complete' as const, source: 'random' as const };
    });
    const c = analyzeStudy(space, ts, { gridSize: 40 }).contour!;
    const us = (c.params[0] === 'u' ? c.xs : c.ys) as number[];
    expect(new Set(us).size).toBe(us.length);
    expect(us).toEqual([...us].sort((a, b) => a - b));
    expect([us[0], us.at(-1)]).toEqual([1, 1024]);
    expect(c.z).toHaveLength(c.xs.length * c.ys.length);
  });
});

describe.skipIf(!chromiumAvailable())('the study page in Chromium', () => {
  it('puts each trial in its nearest contour cell and labels every choice of a categorical axis', async () => {
    const study: StudyData = { space: SPACE, direction: 'maximize', trials: trials() };
    const { attrs, errors } = await drawn(study, 'cells');
    const a = analyzeStudy(SPACE, study.trials);
    const c = a.contour!;
    expect([...c.params].sort()).toEqual(['act', 'x']);
    const xAxis = c.params[0] === 'x' ? 0 : 1;
    const xs = (xAxis === 0 ? c.xs : c.ys) as number[];
    const dots = attrs.contour.dots as [number, number][];
    expect(dots).toHaveLength(30);
    // trial 0 at x = 0.01 lies in the cell of 0, not of 0.0256 (a log term in the distance moved it)
    expect(xs[dots[0][xAxis]]).toBe(0);
    study.trials.forEach((t, k) => {
      const x = t.params.x as number;
      const nearest = xs.reduce((b, w, i) => (Math.abs(w - x) < Math.abs(xs[b] - x) ? i : b), 0);
      expect(dots[k][xAxis], `trial ${t.id}`).toBe(nearest);
    });
    const labels = attrs.contour.labels as string[][];
    expect(labels[1 - xAxis]).toEqual(['relu', 'tanh', 'gelu']);
    expect(labels[xAxis]).toEqual(['0', '1']);
    expect(attrs.parallel.segments).toBe(30 * 3); // x-act, act-z, z-objective per trial
    expect(errors).toEqual([]);
  }, 60_000);

  it('leaves a gap in a trial\'s line where it lacks a parameter (a conditional space), not a value between', async () => {
    const ts = trials().map((t) => (t.id % 3 === 0 ? { ...t, params: { x: t.params.x, act: t.params.act } } : t));
    const { attrs, errors } = await drawn({ space: SPACE, direction: 'maximize', trials: ts }, 'conditional');
    // the 10 trials without z keep only their x-act segment
    expect(attrs.parallel.segments).toBe(20 * 3 + 10 * 1);
    expect(errors).toEqual([]);
  }, 60_000);

  it('draws no objective axis when no trial completed, and never labels one Infinity', async () => {
    const failed = trials().map((t) => ({ ...t, target: null, status: 'failed', error: 'diverged' }) as ReportTrial);
    const { attrs, errors } = await drawn({ space: SPACE, direction: 'minimize', trials: failed, objective: 'loss' }, 'none-complete');
    const labels = attrs.parallel.labels as string[][];
    expect(labels.map((l) => l[0])).toEqual(['x', 'act', 'z']);
    expect(JSON.stringify(labels)).not.toMatch(/Infinity/);
    expect(errors).toEqual([]);
  }, 60_000);
});
