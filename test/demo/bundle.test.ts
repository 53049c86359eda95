/**
 * The library bundle (lib/webgpu-bayesopt.js, built as dist/index.js is) runs
 * in a browser page, and its suggestions on the browser's WebGPU match the
 * float64 CPU reference within the GPU parity tolerances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { acquisitionScore, type AcquisitionSpec } from '../../src/acquisition/functions';
import type { PosteriorFactors } from '../../src/gp/types';
import { F32_EPS, maxScaledError, referencePosterior } from '../gpu/helpers';
import { buildAndServe, chromiumAvailable, launchChromium, pageHasWebGpu, watchErrors, type ServedDemo } from './browser';

/** As in test/gpu/posterior-parity.test.ts: |mu_gpu - mu_ref| <= TOL_MEAN * s2 (||alpha||_1 + 1). */
const TOL_MEAN = 32 * F32_EPS;
/** As in test/gpu/posterior-parity.test.ts: |var_gpu - var_ref| <= TOL_VAR * (s2 + 2 sum_i |v_i| s2 R_i). */
const TOL_VAR = 32 * F32_EPS;
/**
 * As in test/gpu/engine.test.ts: the GPU's winner, rescored in float64, is no
 * worse than the CPU's winner minus TOL_PROPOSE (1 + |score|); both search the
 * same candidates, the GPU ranks them in f32.
 */
const TOL_PROPOSE = 1e-3;
const CANDIDATES = 8192;
const GRID = 64;

interface PageResult {
  engineKind: string;
  description: string;
  validation: string | null;
  trialEngines: { gpu: string | undefined; cpu: string | undefined };
  suggestionScores: { gpu: number; cpu: number };
  factors: Record<string, unknown>;
  points: number[];
  mean: number[];
  variance: number[];
  score: number[];
  best: number;
  proposals: { kind: string; g: { score: number; scored: number; engine: string }; c: { score: number; scored: number } }[];
}

type Lib = typeof import('../../src/index');

/**
 * Runs in the page, with the bundle imported as `window.bayesLib`: two
 * optimizers (WebGPU, CPU) on the same data and seed, then the engines directly.
 */
async function inPage(args: { candidates: number; grid: number }): Promise<PageResult> {
  const lib = (window as unknown as { bayesLib: Lib }).bayesLib;
  const seed = 11;
  const pbounds = { x1: [-5, 10] as [number, number], x2: [0, 15] as [number, number] };
  const rng = new lib.Rng(3);
  const pts = Array.from({ length: 12 }, () => ({ x1: rng.uniform(-5, 10), x2: rng.uniform(0, 15) }));
  const target = (p: { x1: number; x2: number }) => -lib.branin.fn([p.x1, p.x2]);
  const make = (engine: 'webgpu' | 'cpu') =>
    new lib.BayesianOptimization({ pbounds, randomState: seed, engine, candidates: args.candidates, log: () => {} });
  const gpuOpt = make('webgpu');
  const cpuOpt = make('cpu');
  for (const p of pts) {
    await gpuOpt.register(p, target(p));
    await cpuOpt.register(p, target(p));
  }
  const engine = await gpuOpt.getEngine();
  const device = (engine as unknown as { device: GPUDevice }).device;
  device.pushErrorScope('validation');

  const sg = await gpuOpt.suggest();
  const sc = await cpuOpt.suggest();

  // The optimizers' GP rebuilt: same kernel, same forked random stream, same data.
  const space = gpuOpt.space;
  const X = new Float64Array(pts.length * 2);
  const y = new Float64Array(pts.length);
  pts.forEach((p, i) => {
    X.set(space.encode(p), 2 * i);
    y[i] = target(p);
  });
  const gp = new lib.GaussianProcess({ kernel: 'matern52', rng: new lib.Rng(seed).fork() });
  gp.fit(X, y, 2);
  const factors = gp.factors();
  const best = Math.max(...gp.trainingMean({ standardized: true }));
  const ei = gpuOpt.acquisition;
  const scoreOf = (p: import('../../src/space/types').Params) => lib.scorePoints(factors, space.encode(p), 1, ei, best).score[0];

  const order = [...y.keys()].sort((a, b) => y[b] - y[a]).slice(0, 5);
  const incumbents = new Float64Array(order.length * 2);
  order.forEach((i, r) => incumbents.set(X.subarray(2 * i, 2 * i + 2), 2 * r));
  const cpu = lib.createCpuEngine();
  const proposals: PageResult['proposals'] = [];
  for (const kind of ['ei', 'logei', 'pi', 'ucb'] as const) {
    const req = {
      factors, acquisition: { kind, xi: 0.01, kappa: 2.576 }, best, candidates: args.candidates,
      incumbents, nIncumbents: order.length, layout: space.layout, seed: 1234,
    };
    const g = await engine.propose(req);
    const c = await cpu.propose(req);
    proposals.push({ kind, g: { score: g.score, scored: g.scored, engine: g.engine }, c: { score: c.score, scored: c.scored } });
  }
  const m = args.grid * args.grid;
  const grid = new Float64Array(m * 2);
  for (let i = 0; i < m; i++) {
    grid[2 * i] = ((i % args.grid) + 0.5) / args.grid;
    grid[2 * i + 1] = (Math.floor(i / args.grid) + 0.5) / args.grid;
  }
  const ev = await engine.evaluate(factors, grid, m, ei, best);
  const err = await device.popErrorScope();
  const trialEngine = (o: typeof gpuOpt) => o.trials[o.trials.length - 1].engine;
  const result: PageResult = {
    engineKind: engine.kind,
    description: engine.description,
    validation: err ? err.message : null,
    trialEngines: { gpu: trialEngine(gpuOpt), cpu: trialEngine(cpuOpt) },
    suggestionScores: { gpu: scoreOf(sg), cpu: scoreOf(sc) },
    factors: Object.fromEntries(Object.entries(factors).map(([k, v]) => [k, v instanceof Float64Array ? [...v] : v])),
    points: [...grid],
    mean: [...ev.mean],
    variance: [...ev.variance],
    score: [...ev.score],
    best,
    proposals,
  };
  gpuOpt.dispose();
  cpuOpt.dispose();
  cpu.dispose();
  return result;
}

function toFactors(o: Record<string, unknown>): PosteriorFactors {
  const f = { ...o } as Record<string, unknown>;
  for (const k of ['X', 'lengthscales', 'alpha', 'L', 'Linv']) f[k] = Float64Array.from(o[k] as number[]);
  return f as unknown as PosteriorFactors;
}

describe.skipIf(!chromiumAvailable())('library bundle in headless Chromium', () => {
  let demo: ServedDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let webgpu = false;

  beforeAll(async () => {
    demo = await buildAndServe();
    browser = await launchChromium({ webgpu: true });
    page = await browser.newPage();
    errors = watchErrors(page);
    await page.goto(`${demo.url}minimal.html`);
    webgpu = await pageHasWebGpu(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('runs the minimal example page (maximize with engine "auto") on WebGPU', async (ctx) => {
    if (!webgpu) ctx.skip();
    await page.waitForFunction(() => document.body.dataset.done === 'true', null, { timeout: 120_000 });
    const out = await page.evaluate(() => ({
      engine: document.body.dataset.engine, best: Number(document.body.dataset.best), text: document.getElementById('out')!.textContent,
    }));
    expect(out.engine, out.text ?? '').toBe('webgpu');
    // on a software adapter (SwiftShader) 'auto' says it measures each problem shape on both engines
    expect(out.text).toMatch(/engine: (WebGPU on |auto on .*a software adapter)/);
    // and where the suggestions actually ran: a seeded 'auto' on the CPU engine (repeatable)
    expect(out.text).toMatch(/; the suggestions ran on: cpu\n/);
    // No point can beat the global minimum.
    expect(out.best).toBeGreaterThanOrEqual(0.397887);
    expect(errors).toEqual([]);
  }, 150_000);

  it('suggests on WebGPU what the CPU reference suggests, within the parity tolerances', async (ctx) => {
    if (!webgpu) ctx.skip();
    // A string, so the test runner's module transform leaves this import() alone.
    await page.evaluate(`import('${demo.url}lib/webgpu-bayesopt.js').then((m) => { window.bayesLib = m; })`);
    const r = await page.evaluate(inPage, { candidates: CANDIDATES, grid: GRID });
    expect(r.engineKind).toBe('webgpu');
    expect(r.description).not.toBe('');
    expect(r.validation).toBeNull();
    expect(r.trialEngines).toEqual({ gpu: 'webgpu', cpu: 'cpu' });

    // The optimizers' suggestions, scored under their (shared, float64) posterior.
    const { gpu, cpu } = r.suggestionScores;
    expect(gpu).toBeGreaterThanOrEqual(cpu - TOL_PROPOSE * (1 + Math.abs(cpu)));

    // The engines' winners for every acquisition.
    expect(r.proposals.map((p) => p.kind)).toEqual(['ei', 'logei', 'pi', 'ucb']);
    for (const p of r.proposals) {
      expect(p.g.engine, p.kind).toBe('webgpu');
      expect(p.g.scored, p.kind).toBe(p.c.scored);
      expect(p.g.score, p.kind).toBeGreaterThanOrEqual(p.c.score - TOL_PROPOSE * (1 + Math.abs(p.c.score)));
    }

    // Posterior on a grid against a float64 reference computed here in Node.
    const f = toFactors(r.factors);
    const m = GRID * GRID;
    const ref = referencePosterior(f, r.points, m);
    const meanErr = maxScaledError(r.mean, ref.mean, ref.meanScale);
    const varErr = maxScaledError(r.variance, ref.variance, ref.varScale);
    console.log(`[bundle] ${r.description}: scaled mean error ${(meanErr / F32_EPS).toFixed(2)} eps, variance ${(varErr / F32_EPS).toFixed(2)} eps; `
      + `winner scores GPU - CPU: ${r.proposals.map((p) => `${p.kind} ${(p.g.score - p.c.score).toExponential(1)}`).join(', ')}`);
    expect(meanErr).toBeLessThanOrEqual(TOL_MEAN);
    expect(varErr).toBeLessThanOrEqual(TOL_VAR);
    // The grid's best point by the GPU's scores is (up to TOL_PROPOSE) the best by float64 scores.
    const ei: AcquisitionSpec = { kind: 'ei', xi: 0.01, kappa: 2.576 };
    const refScore = Array.from({ length: m }, (_, i) => acquisitionScore(ei, ref.mean[i], Math.sqrt(ref.variance[i]), r.best));
    const gpuArgmax = r.score.indexOf(Math.max(...r.score));
    const refMax = Math.max(...refScore);
    expect(refScore[gpuArgmax]).toBeGreaterThanOrEqual(refMax - TOL_PROPOSE * (1 + Math.abs(refMax)));
    expect(errors).toEqual([]);
  }, 150_000);
});
