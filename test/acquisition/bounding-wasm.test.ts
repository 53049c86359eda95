import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { boundingPass, type BoundingTask } from '../../src/acquisition/bounding-kernel';
import { BoundingPool, workerSource } from '../../src/acquisition/bounding-pool';
import {
  boundingBackend, boundingWasm, loadBoundingWasm, resolveBoundingBackend, runBoundingPass, setBoundingBackend,
  wasmBoundingPass, wasmExpMatches, type BoundingWasmExports,
} from '../../src/acquisition/bounding-wasm';
import { roundOneCandidates } from '../../src/acquisition/candidates';
import { screenedScores } from '../../src/acquisition/screening';
import { GaussianProcess } from '../../src/gp';
import { kernelRow } from '../../src/gp/posterior';
import { Rng } from '../../src/util/rng';
import { bits, wasm } from './fixtures/wasm-bits';


/** exp of `args` through the module's expArray. */
function wasmExp(ex: BoundingWasmExports, args: Float64Array): Float64Array {
  const count = args.length + (args.length & 1);
  const base = ex.heapBase();
  const need = base + 16 * count + 16;
  if (ex.memory.buffer.byteLength < need) ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
  new Float64Array(ex.memory.buffer, base, count).set(args);
  ex.expArray(base, base + 8 * count, count);
  return new Float64Array(ex.memory.buffer, base + 8 * count, args.length).slice();
}

/** How many of `args` get a different float from the module's exp than from Math.exp (and the first few). */
function expMismatches(ex: BoundingWasmExports, args: Float64Array): { count: number; first: number[] } {
  const got = wasmExp(ex, args);
  const want = Float64Array.from(args, Math.exp);
  const a = bits(got);
  const b = bits(want);
  const first: number[] = [];
  let count = 0;
  for (let i = 0; i < args.length; i++) if (a[i] !== b[i]) { count++; if (first.length < 5) first.push(args[i]); }
  return { count, first };
}

describe('bounding pass module', () => {
  it('src/acquisition/bounding-wasm-source.ts is up to date with assembly/ (bounding-pass.ts and exp.ts)', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-bounding-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('loads synchronously and asynchronously; the backend switch refuses nothing here', async () => {
    expect(await loadBoundingWasm()).toBe(true);
    expect(boundingWasm()).not.toBeNull();
    expect(boundingBackend()).toBe('auto');
    setBoundingBackend('js');
    expect(boundingBackend()).toBe('js');
    setBoundingBackend('auto');
    expect(resolveBoundingBackend()).toBe('wasm');
    expect(resolveBoundingBackend('js')).toBe('js');
  });

  it("is checked against the library's exp, not the runtime's Math.exp: a Math.exp one ulp off on some arguments changes nothing", () => {
    expect(wasmExpMatches(wasm())).toBe(true);
    const exp = Math.exp;
    const spy = vi.spyOn(Math, 'exp').mockImplementation((x: number) => {
      const v = exp(x);
      return x < -30 && x > -40 ? v * (1 + Number.EPSILON) : v; // one ulp off, on arguments in (-40, -30)
    });
    try {
      // the library chose its exp when it loaded (src/util/math.ts), and the check compares with that
      expect(wasmExpMatches(wasm())).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('the generated copy of fdlibmExp in the bounding kernel is up to date (scripts/gen-kernel-exp.mjs)', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-kernel-exp.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the module exp equals Math.exp bit for bit', () => {
  // the kernels' arguments: -r2 / 2 (squared scaled distances) and -sqrt(5 r2), all <= 0
  const ranges: [string, number, number][] = [
    ['[-1, 0] (near neighbours)', -1, 0],
    ['[-40, 0]', -40, 0],
    ['[-760, -700] (k < -1021: subnormal results, and underflow)', -760, -700],
    ['[-800, 800] (the whole range and past both thresholds)', -800, 800],
    ['[-1.1, 1.1] (k = 0 and k = +-1 branches)', -1.1, 1.1],
    ['[-1e-6, 1e-6]', -1e-6, 1e-6],
  ];
  for (const [name, lo, hi] of ranges) {
    it(`1,000,000 seeded arguments in ${name}`, () => {
      const rng = new Rng(lo * 7 + hi);
      const args = Float64Array.from({ length: 1_000_000 }, () => rng.uniform(lo, hi));
      expect(expMismatches(wasm(), args)).toEqual({ count: 0, first: [] });
    });
  }

  it('1,000,000 seeded arguments spread over magnitudes 2^-60 .. 2^10, both signs', () => {
    const rng = new Rng(77);
    const args = Float64Array.from({ length: 1_000_000 }, () => (rng.uniform(0, 1) < 0.5 ? -1 : 1) * 2 ** rng.uniform(-60, 10));
    expect(expMismatches(wasm(), args)).toEqual({ count: 0, first: [] });
  });

  it('edge cases: zeros, tiny, branch thresholds, exp(1), -745, overflow, infinities and NaN', () => {
    const ln2 = Math.LN2;
    const edge = [
      0, -0, 5e-324, -5e-324, 1e-300, -1e-300, 2 ** -28, -(2 ** -28), 2 ** -29, 1, -1, 0.5 * ln2, -0.5 * ln2, 1.5 * ln2, -1.5 * ln2,
      -745, -745.1332191019411, -745.13321910194122, -745.2, -1021 * ln2, -1022 * ln2, -708.39641853226408, -707.7,
      709.782712893384, 709.7827128933840, 709.79, 1000, -1000, Infinity, -Infinity, NaN, Number.MAX_VALUE, -Number.MAX_VALUE,
    ];
    // and the neighbouring floats of each finite one
    const around = edge.flatMap((x) => {
      if (!Number.isFinite(x)) return [x];
      const f = new Float64Array([x]);
      const u = new BigInt64Array(f.buffer);
      const out = [x];
      for (const dlt of [-2n, -1n, 1n, 2n]) { const g = new BigInt64Array([u[0] + dlt]); out.push(new Float64Array(g.buffer)[0]); }
      return out.filter((v) => !Number.isNaN(v) || Number.isNaN(x));
    });
    const r = expMismatches(wasm(), Float64Array.from(around));
    expect(r).toEqual({ count: 0, first: [] });
  });
});

function task(seed: number, kernel: 'rbf' | 'matern52', n: number, d: number, count: number, opts: { dups?: number; noise?: number; s?: number; head?: number; far?: boolean } = {}): BoundingTask {
  const rng = new Rng(seed);
  const inv = Float64Array.from({ length: d }, () => 1 / rng.uniform(0.05, 2));
  const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
  for (let r = 0; r < (opts.dups ?? 0); r++) X.copyWithin(rng.int(n) * d, rng.int(n) * d, rng.int(n) * d + d);
  const Z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) Z[k * n + i] = X[i * d + k] * inv[k];
  const points = Float64Array.from({ length: count * d }, () => rng.uniform(opts.far ? -20 : 0, opts.far ? 20 : 1));
  // some candidates exactly on observations (r2 = 0, exp(0))
  for (let p = 0; p < Math.min(count, 5); p++) points.set(X.subarray((p % n) * d, (p % n) * d + d), p * d);
  const s = Math.min(opts.s ?? 40, n);
  const sIdx = Int32Array.from({ length: s }, (_, i) => (i * 7) % n);
  const sL = new Float64Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j <= i; j++) sL[i * s + j] = i === j ? rng.uniform(1, 2) : rng.uniform(-0.3, 0.3);
  return {
    kernel, n, d, s2: rng.uniform(0.5, 3), noise: opts.noise ?? 1e-4, Z, inv, alpha: Float64Array.from({ length: n }, () => rng.uniform(-1, 1)),
    points, count, sIdx, sL, sSize: s, sSlack: 1e-12, head: Math.min(opts.head ?? 32, s), keepHead: true,
  };
}

function expectSame(a: ReturnType<typeof boundingPass>, b: ReturnType<typeof boundingPass>): void {
  for (const key of ['mean', 'varianceBound', 'wHead', 'qHead'] as const) expect(bits(a[key])).toEqual(bits(b[key]));
}

describe('the WebAssembly pass equals the JavaScript pass bit for bit', () => {
  for (const kernel of ['rbf', 'matern52'] as const) {
    for (const [n, d, count] of [[1, 1, 3], [2, 3, 4], [3, 4, 5], [5, 2, 7], [37, 5, 50], [100, 6, 65], [41, 7, 33], [64, 8, 257], [256, 8, 1500], [200, 20, 301], [130, 9, 2049]]) {
      it(`${kernel}, n = ${n}, d = ${d}, ${count} candidates`, () => {
        const t = task(n * 31 + d + count, kernel, n, d, count);
        expectSame(wasmBoundingPass(wasm(), t), boundingPass(t));
      });
    }
    it(`${kernel}: duplicated observations, noise at the floor 1e-6, far candidates (underflowing kernels), head 0 and 7`, () => {
      for (const [seed, head, far] of [[1, 0, false], [2, 7, true], [3, 32, true]] as const) {
        const t = task(seed, kernel, 120, 6, 333, { dups: 30, noise: 1e-6, head, far });
        expectSame(wasmBoundingPass(wasm(), t), boundingPass(t));
      }
    });
  }

  it('candidates with NaN coordinates (NaN kernel rows), with and without S', () => {
    for (const head of [0, 8]) {
      for (const kernel of ['rbf', 'matern52'] as const) {
        const t = task(9 + head, kernel, 60, 3, 41, { head, s: head });
        for (const p of [0, 1, 6, 17, 40]) t.points[p * 3 + (p % 3)] = NaN;
        expectSame(wasmBoundingPass(wasm(), t), boundingPass(t));
      }
    }
  });

  it('no candidates', () => {
    const t = task(4, 'rbf', 10, 2, 0);
    expectSame(wasmBoundingPass(wasm(), t), boundingPass(t));
  });

  it("runBoundingPass: 'js' and 'wasm' (task or thread choice) give the same floats", () => {
    const t = task(5, 'matern52', 90, 6, 400);
    const js = runBoundingPass({ ...t, backend: 'js' });
    expectSame(runBoundingPass({ ...t, backend: 'wasm' }), js);
    setBoundingBackend('js');
    try {
      expectSame(runBoundingPass(t), js);
    } finally {
      setBoundingBackend('auto');
    }
    expectSame(runBoundingPass(t), js);
  });

  it('a bounding worker instantiates the module from its script', async () => {
    const w = new Worker(`${workerSource()}\nparentPort.postMessage({ loaded: wasm !== null && typeof wasm.pass === 'function' });`, { eval: true });
    try {
      const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
      expect(msg).toEqual({ loaded: true });
    } finally {
      await w.terminate();
    }
  });

  it('a pool of 2 workers running the module equals the JavaScript pass on this thread', async () => {
    const t = task(6, 'matern52', 300, 6, 3000);
    const pool = await BoundingPool.create(2);
    try {
      expectSame(await pool!.run({ ...t, backend: 'wasm' }), boundingPass(t));
      expectSame(await pool!.run({ ...t, backend: 'js' }), boundingPass(t));
    } finally {
      pool!.dispose();
    }
  });

  it('screened scoring of a fitted GP is the same, bit for bit, with either backend (ill-conditioned: duplicates, noise at the floor)', () => {
    const rng = new Rng(8);
    const n = 150;
    const d = 4;
    const X = Float64Array.from({ length: n * d }, () => rng.uniform(0, 1));
    for (let r = 0; r < 30; r++) X.copyWithin(rng.int(n) * d, rng.int(n) * d, rng.int(n) * d + d);
    const y = Float64Array.from({ length: n }, (_, i) => -((X[i * d] - 0.3) ** 2) + 0.1 * Math.sin(10 * X[i * d + 1]));
    const gp = new GaussianProcess({ rng: new Rng(8), noiseFloor: 1e-6 });
    gp.fit(X, y, d);
    const f = gp.factors();
    const best = Math.max(...gp.trainingMean({ standardized: true }));
    const m = 4000;
    const pts = roundOneCandidates(8, m, d, X.slice(0, 3 * d), 3);
    const run = (b: 'js' | 'wasm') => {
      setBoundingBackend(b);
      try {
        return screenedScores(f, pts, m, { kind: 'ei', xi: 0.01, kappa: 2.576 }, best, 16);
      } finally {
        setBoundingBackend('auto');
      }
    };
    const a = run('js');
    const b = run('wasm');
    expect(bits(b.score)).toEqual(bits(a.score));
    expect(bits(b.mean)).toEqual(bits(a.mean));
    expect(b.exact).toBe(a.exact);
  });
});

/**
 * Rows from..to-1 of the exact-stage entries of candidates `ids` of `points`
 * through the module's kernelEntries (rows: observation idx[i], or i), with
 * the lanes' running means from `mu0`: per candidate, its entries and mean.
 */
function moduleEntries(
  ex: BoundingWasmExports, t: BoundingTask, ids: number[], idx: Int32Array | null, rows: number, from: number, to: number, mu0: number[],
): { entries: Float64Array[]; mu: number[] } {
  const { n, d } = t;
  const lanes = ids.length;
  const cols = ((lanes + 4) >> 2) << 2; // room for an odd last lane's partner
  const al = (b: number): number => (b + 15) & ~15;
  let at = al(ex.heapBase());
  const take = (bytes: number): number => { const o = at; at = al(at + bytes); return o; };
  const oZ = take(8 * d * n); const oInv = take(8 * d); const oPts = take(8 * t.count * d); const oLid = take(4 * cols);
  const oIdx = take(4 * rows); const oK = take(8 * cols * rows); const oAlpha = take(8 * n); const oMu = take(8 * cols); const oZs = take(16 * d);
  if (ex.memory.buffer.byteLength < at) ex.memory.grow(Math.ceil((at - ex.memory.buffer.byteLength) / 65536));
  const buf = ex.memory.buffer;
  new Float64Array(buf, oZ, d * n).set(t.Z.subarray(0, d * n));
  new Float64Array(buf, oInv, d).set(t.inv);
  new Float64Array(buf, oPts, t.count * d).set(t.points.subarray(0, t.count * d));
  new Int32Array(buf, oLid, cols).set(ids);
  if (idx) new Int32Array(buf, oIdx, rows).set(idx);
  new Float64Array(buf, oAlpha, n).set(t.alpha);
  new Float64Array(buf, oMu, cols).set(mu0);
  ex.kernelEntries(t.kernel === 'rbf' ? 0 : 1, n, d, oZ, oInv, t.s2, oPts, oLid, lanes, idx ? oIdx : 0, from, to, rows, oK, oAlpha, oMu, oZs);
  const K = new Float64Array(buf, oK, cols * rows);
  const entries = ids.map((_, c) => Float64Array.from({ length: to - from }, (_, r) => K[(((c >> 2) * rows + from + r) << 2) + (c & 3)]));
  return { entries, mu: Array.from(new Float64Array(buf, oMu, lanes)) };
}

describe("the module's exact-stage kernel entries equal gp/posterior.ts's kernelRow bit for bit", () => {
  for (const kernel of ['rbf', 'matern52'] as const) {
    it(`${kernel}: whole rows with the mean's running sum (dotSeq's floats), rows of a subset, odd lane counts, duplicates, far candidates, NaN coordinates`, () => {
      for (const [seed, n, d, far] of [[11, 1, 1, false], [12, 37, 5, false], [13, 200, 20, true], [14, 120, 6, true]] as const) {
        const t = task(seed, kernel, n, d, 40, { dups: Math.floor(n / 4), noise: 1e-6, far });
        t.points[3 * d] = NaN;
        const sc = { kernel, n, d, Z: t.Z, inv: t.inv, signalVariance: t.s2 };
        const want = new Float64Array(n);
        const rng = new Rng(seed);
        for (const lanes of [1, 2, 7, 16]) {
          const ids = Array.from({ length: lanes }, () => rng.int(40));
          ids[0] = 3; // the NaN candidate
          // whole rows in two pieces, the mean carried from the first into the second
          const cut = n >> 1;
          const a = moduleEntries(wasm(), t, ids, null, n, 0, cut, ids.map(() => 0));
          const b = moduleEntries(wasm(), t, ids, null, n, cut, n, a.mu);
          // rows of a subset S: observations in a scrambled order
          const sIdx = Int32Array.from({ length: Math.min(n, 9) }, () => rng.int(n));
          const sub = moduleEntries(wasm(), t, ids, sIdx, sIdx.length, 2 % sIdx.length, sIdx.length, ids.map(() => 0));
          ids.forEach((p, c) => {
            kernelRow(sc, t.points, p, want);
            expect(bits(Float64Array.of(...a.entries[c], ...b.entries[c]))).toEqual(bits(want));
            let mu = 0;
            for (let i = 0; i < n; i++) mu += want[i] * t.alpha[i];
            expect(Object.is(b.mu[c], mu)).toBe(true);
            expect(bits(sub.entries[c])).toEqual(bits(Float64Array.from(sIdx.subarray(2 % sIdx.length), (i) => want[i])));
          });
        }
      }
    });
  }
});

