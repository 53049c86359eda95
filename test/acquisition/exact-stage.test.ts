import { describe, expect, it } from 'vitest';
import { boundingPass, type BoundingTask } from '../../src/acquisition/bounding-kernel';
import { BoundingPool } from '../../src/acquisition/bounding-pool';
import { roundOneCandidates } from '../../src/acquisition/candidates';
import { scorePoints } from '../../src/acquisition/cpu-engine';
import {
  exactLanes, jsExactStage, LANES, wasmExactStage, type ExactConfig, type ExactRequest, type ExactResult,
} from '../../src/acquisition/exact-stage';
import { screenedScores, screenedScoresParallel } from '../../src/acquisition/screening';
import { buildAnchor } from '../../src/acquisition/screening-anchors';
import { RelevantSubset, SLACK } from '../../src/acquisition/screening-bounds';
import { ColumnBlock, forwardRowsBlock } from '../../src/gp/forward-block';
import { cholesky } from '../../src/gp/linalg';
import { kernelRow, scaleInputs } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';
import { fittedGp } from './fixtures/fitted-gp';
import { bits, wasm } from './fixtures/wasm-bits';
import { seededGram } from '../gp/fixtures/gram';


/** The factor of k(X, X) + noise I for seeded X with `dups` duplicated rows (Matérn 5/2, lengthscale `ls`). */
function factorOf(seed: number, n: number, d: number, dups: number, noise: number, ls: number): Float64Array {
  return cholesky(seededGram(seed, n, d, ls, noise, dups, 'matern52'), n).L;
}

describe('forward substitution in WebAssembly SIMD', () => {
  const cases = [
    { name: 'seeded factor, n = 97', seed: 1, n: 97, dups: 0, noise: 1e-2, ls: 0.3 },
    { name: 'duplicates, noise at the floor 1e-6, long lengthscale (cond ~ 1e9)', seed: 2, n: 130, dups: 30, noise: 1e-6, ls: 2 },
    { name: 'n = 3 (only the tail loop)', seed: 3, n: 3, dups: 0, noise: 1e-3, ls: 0.5 },
  ];
  for (const c of cases) {
    it(`${c.name}: the floats of forwardRowsBlock, bit for bit, in pieces and for fewer quads`, () => {
      const ex = wasm();
      const { n } = c;
      const L = factorOf(c.seed, n, 4, c.dups, c.noise, c.ls);
      const rng = new Rng(c.seed + 100);
      for (const quads of [4, 3, 1]) {
        const blk = new ColumnBlock(n, 4);
        for (let i = 0; i < blk.K.length; i++) blk.K[i] = rng.normal();
        const base = (ex.heapBase() + 15) & ~15;
        const oL = base;
        const oK = oL + 8 * n * n;
        const oV = oK + 8 * blk.K.length;
        const oQ = oV + 8 * blk.K.length;
        const end = oQ + 8 * 16;
        if (ex.memory.buffer.byteLength < end) ex.memory.grow(Math.ceil((end - ex.memory.buffer.byteLength) / 65536));
        new Float64Array(ex.memory.buffer, oL, n * n).set(L);
        new Float64Array(ex.memory.buffer, oK, blk.K.length).set(blk.K);
        new Float64Array(ex.memory.buffer, oV, blk.K.length).fill(0);
        new Float64Array(ex.memory.buffer, oQ, 16).fill(0);
        const cuts = [0, Math.min(n, 5), Math.min(n, 37), n];
        for (let i = 0; i + 1 < cuts.length; i++) {
          ex.forwardBlock(oL, n, oK, oV, oQ, cuts[i], cuts[i + 1], quads);
          forwardRowsBlock(L, n, blk, cuts[i], cuts[i + 1], quads);
        }
        expect(bits(new Float64Array(ex.memory.buffer, oV, blk.V.length))).toEqual(bits(blk.V));
        expect(bits(new Float64Array(ex.memory.buffer, oQ, 16))).toEqual(bits(blk.q));
        expect(blk.q.slice(0, 4 * quads).every((q) => q > 0 && Number.isFinite(q))).toBe(true);
      }
    });
  }
});

/** A fitted GP's exact-stage configuration and the bounding pass's head rows for `m` candidates. */
function stage(seed: number, n: number, d: number, m: number, extra: { dups?: number; noise?: number; ls?: number } = {}) {
  const { f, best, X } = fittedGp({ seed, n, d, ...extra });
  const sc = scaleInputs(f);
  const S = new RelevantSubset(sc, f.L, f.noiseVariance, X, 4, 64); // |S| < n: drops on S and on L
  const head = Math.min(32, S.size);
  const points = roundOneCandidates(seed, m, d, X.slice(0, 2 * d), 2);
  const task: BoundingTask = {
    kernel: sc.kernel, n, d, s2: f.signalVariance, noise: f.noiseVariance, Z: sc.Z, inv: sc.inv, alpha: f.alpha,
    points, count: m, sIdx: S.idx, sL: S.L, sSize: S.size, sSlack: S.slack, head, backend: 'js',
  };
  const pass = boundingPass({ ...task, keepHead: true });
  const cfg: ExactConfig = {
    kernel: sc.kernel, n, d, s2: f.signalVariance, Z: sc.Z, inv: sc.inv, L: f.L, alpha: f.alpha,
    s: S.size, sL: S.L, sIdx: S.idx, sSlack: S.slack, head, step: 32, slack: SLACK,
  };
  // thresholds around each candidate's exact sigma (kept, dropped on the way through L or
  // already on S), spread over [0, sqrt(s2)], and the extremes
  const sigma = new Float64Array(m).fill(-Infinity);
  const request = (idx: number[], prune = true): ExactRequest => ({
    cnt: idx.length,
    points: Float64Array.from(idx.flatMap((p) => Array.from(points.subarray(p * d, p * d + d)))),
    sigma: Float64Array.from(idx, (p) => sigma[p]),
    prune,
  });
  const js = jsExactStage(cfg, sc, LANES);
  const full = scorePoints(f, points, m, { kind: 'ucb', xi: 0, kappa: 1 }, best);
  const rng = new Rng(seed + 7);
  for (let b = 0; b < m; b += LANES) {
    const idx = Array.from({ length: Math.min(LANES, m - b) }, (_, k) => b + k);
    const r = js(request(idx, false));
    // the exact means, those of exhaustive scoring (the bounding pass gives upper bounds)
    expect(bits(r.mean)).toEqual(bits(Float64Array.from(idx, (p) => full.mean[p])));
    idx.forEach((p, k) => {
      const exactSigma = Math.sqrt(Math.max(f.signalVariance - r.q[k], 0));
      const u = rng.uniform(0, 1);
      sigma[p] = p % 11 === 0 ? -Infinity : p % 13 === 0 ? Infinity : p % 3 === 0 ? Math.sqrt(f.signalVariance) * u
        : exactSigma * (p % 3 === 1 ? 0.9 : 1 + 0.3 * u);
    });
  }
  return { f, best, X, sc, cfg, points, request, pass, S, head };
}

const per = (r: ExactResult, c: number) => [bits(r.mean.subarray(c, c + 1))[0], bits(r.q.subarray(c, c + 1))[0], r.sDone[c], r.done[c]];

describe('exact-stage blocks', () => {
  const cases = [
    { name: 'n = 150, d = 4, fitted', seed: 21, n: 150, d: 4 },
    { name: 'duplicates, noise at the floor 1e-6, lengthscale 2', seed: 22, n: 120, d: 3, dups: 30, noise: 1e-6, ls: 2 },
  ];
  for (const c of cases) {
    it(`${c.name}: the module's blocks equal the JavaScript ones, and a candidate's result does not depend on its block`, () => {
      const m = 48;
      const { cfg, sc, request } = stage(c.seed, c.n, c.d, m, c);
      const ws = wasmExactStage(wasm(), cfg, exactLanes, LANES);
      const js = jsExactStage(cfg, sc, LANES);
      const all = Array.from({ length: m }, (_, p) => p);
      const outcomes = new Set<string>();
      for (const prune of [true, false]) {
        for (let b = 0; b < m; b += LANES) {
          const idx = all.slice(b, b + LANES);
          const a = ws(request(idx, prune));
          const j = js(request(idx, prune));
          expect([bits(a.mean), bits(a.q), Array.from(a.sDone), Array.from(a.done)]).toEqual([bits(j.mean), bits(j.q), Array.from(j.sDone), Array.from(j.done)]);
          // alone, in reverse, and in an odd-sized block: the same per candidate
          const rev = ws(request([...idx].reverse(), prune));
          const odd = ws(request(idx.slice(0, 7), prune));
          for (let k = 0; k < idx.length; k++) {
            const alone = ws(request([idx[k]], prune));
            expect(per(alone, 0)).toEqual(per(a, k));
            expect(per(rev, idx.length - 1 - k)).toEqual(per(a, k));
            if (k < 7) expect(per(odd, k)).toEqual(per(a, k));
            outcomes.add(a.done[k] === cfg.n ? 'kept' : a.done[k] === 0 ? 'dropped on S' : 'dropped on L');
          }
          if (!prune) expect(Array.from(a.done)).toEqual(idx.map(() => cfg.n));
        }
      }
      // the thresholds exercise every path
      expect([...outcomes].sort()).toEqual(['dropped on L', 'dropped on S', 'kept'].filter((o) => cfg.s > cfg.head || o !== 'dropped on S'));
    });
  }

  it("the head rows the blocks solve again are the bounding pass's, bit for bit (rows and sum of squares)", () => {
    for (const [seed, n, d, extra] of [[21, 150, 4, {}], [22, 120, 3, { dups: 30, noise: 1e-6, ls: 2 }]] as const) {
      const m = 24;
      const { sc, points, pass, S, head } = stage(seed, n, d, m, extra);
      expect(head).toBeGreaterThan(8);
      const s = S.size;
      const blk = new ColumnBlock(s, (m + 3) >> 2);
      const kx = new Float64Array(n);
      for (let c = 0; c < m; c++) {
        kernelRow(sc, points, c, kx);
        blk.setColumn(c, Float64Array.from(S.idx.subarray(0, s), (i) => kx[i]));
      }
      forwardRowsBlock(S.L, s, blk, 0, head);
      const w = new Float64Array(head);
      for (let c = 0; c < m; c++) {
        blk.solved(c, head, w);
        expect(bits(w)).toEqual(bits(pass.wHead.subarray(c * head, c * head + head)));
        expect(bits(blk.q.subarray(c, c + 1))).toEqual(bits(pass.qHead.subarray(c, c + 1)));
      }
    }
  });

  it('column solves for the anchored bounds: the module and the JavaScript solver give buildAnchor the floats of forwardRowsBlock', () => {
    // d = 20: 21 columns, more than one 16-column pass through the module's block; and duplicates at the noise floor
    for (const [seed, n, d, extra] of [[41, 90, 20, {}], [42, 120, 3, { dups: 30, noise: 1e-6, ls: 2 }]] as const) {
      const { cfg, sc, f, X } = stage(seed, n, d, 8, extra);
      const centres = X.slice(0, 3 * d);
      const ws = wasmExactStage(wasm(), cfg, exactLanes, LANES);
      const js = jsExactStage(cfg, sc, LANES);
      for (let c = 0; c < 3; c++) {
        const ref = buildAnchor(sc, f.L, centres, c);
        for (const solver of [ws, js]) {
          const a = buildAnchor(sc, f.L, centres, c, (blk) => solver.columns!(blk, blk.quads));
          expect(bits(a.gram)).toEqual(bits(ref.gram));
        }
      }
      // the module's block solves still give the JavaScript results after a column solve reused its memory
      const idx = [0, 1, 2, 3, 4];
      const { request } = stage(seed, n, d, 8, extra);
      expect(bits(ws(request(idx, false)).q)).toEqual(bits(js(request(idx, false)).q));
    }
  });

  it('a worker thread solves blocks to the same floats as this thread', async () => {
    const m = 40;
    const { cfg, request } = stage(31, 160, 4, m);
    const local = wasmExactStage(wasm(), cfg, exactLanes, LANES);
    const pool = (await BoundingPool.create(1))!;
    try {
      const remote = pool.exactSolver(cfg)!;
      expect(remote).not.toBeNull();
      for (let b = 0; b < m; b += LANES) {
        const idx = Array.from({ length: Math.min(LANES, m - b) }, (_, k) => b + k);
        const a = await remote(request(idx));
        const l = local(request(idx));
        expect([bits(a.mean), bits(a.q), Array.from(a.sDone), Array.from(a.done)]).toEqual([bits(l.mean), bits(l.q), Array.from(l.sDone), Array.from(l.done)]);
      }
    } finally {
      pool.dispose();
    }
  });

  it("screened scoring with blocks in a worker equals it on one thread, bit for bit; the worker took blocks, the next one always queued", async () => {
    const { f, best, X } = fittedGp({ seed: 41, n: 260, d: 5 });
    const m = 8000;
    const pts = roundOneCandidates(41, m, 5, X.slice(0, 3 * 5), 3);
    const acq = { kind: 'logei' as const, xi: 0.01, kappa: 2.576 };
    const pool = (await BoundingPool.create(1))!;
    let posted = 0;
    let outstanding = 0;
    let most = 0;
    const solver = pool.exactSolver.bind(pool);
    pool.exactSolver = (cfg) => {
      const s = solver(cfg);
      return s && Object.assign((req: ExactRequest) => {
        posted++;
        most = Math.max(most, ++outstanding);
        return s(req).finally(() => { outstanding--; });
      }, { release: s.release });
    };
    try {
      const par = await screenedScoresParallel(pool, f, pts, m, acq, best, 16, { centres: X.slice(0, 5), nCentres: 1 });
      const seq = screenedScores(f, pts, m, acq, best, 16, { centres: X.slice(0, 5), nCentres: 1 });
      expect(posted).toBeGreaterThan(2);
      // a round's second block is posted before the previous round's is waited for
      expect(most).toBe(2);
      expect(bits(par.score)).toEqual(bits(seq.score));
      expect([par.exact, par.rows, par.subsetRows, par.work]).toEqual([seq.exact, seq.rows, seq.subsetRows, seq.work]);
    } finally {
      pool.dispose();
    }
  });
});

describe("the module's memory shared on one thread", () => {
  it('a screening on this thread between the blocks of another (paused at its worker) leaves that one its own scores', async () => {
    const a = fittedGp({ seed: 41, n: 260, d: 5 });
    const b = fittedGp({ seed: 52, n: 150, d: 4 }); // smaller: its layout fits the memory A's grew to
    const m = 8000;
    const ptsA = roundOneCandidates(41, m, 5, a.X.slice(0, 3 * 5), 3);
    const ptsB = roundOneCandidates(52, m, 4, b.X.slice(0, 2 * 4), 2);
    const acq = { kind: 'logei' as const, xi: 0.01, kappa: 2.576 };
    const optsA = { centres: a.X.slice(0, 5), nCentres: 1 };
    const optsB = { centres: b.X.slice(0, 4), nCentres: 1 };
    const pool = (await BoundingPool.create(1))!;
    let posted = 0;
    let other: ReturnType<typeof screenedScores> | null = null;
    const solver = pool.exactSolver.bind(pool);
    pool.exactSolver = (cfg) => {
      const s = solver(cfg);
      return s && Object.assign((req: ExactRequest) => {
        // at the second block: another study's whole screening on this thread (its pass and exact stage
        // lay their inputs out in the thread's module memory, where screening A keeps its own)
        if (++posted === 2) other = screenedScores(b.f, ptsB, m, acq, b.best, 16, optsB);
        return s(req);
      }, { release: s.release });
    };
    try {
      const par = await screenedScoresParallel(pool, a.f, ptsA, m, acq, a.best, 16, optsA);
      expect(posted).toBeGreaterThan(2); // blocks of A solved on this thread after B's screening
      expect(other).not.toBeNull();
      const seqA = screenedScores(a.f, ptsA, m, acq, a.best, 16, optsA);
      const seqB = screenedScores(b.f, ptsB, m, acq, b.best, 16, optsB);
      expect(bits(par.score)).toEqual(bits(seqA.score));
      expect(bits(other!.score)).toEqual(bits(seqB.score));
    } finally {
      pool.dispose();
    }
  });
});
