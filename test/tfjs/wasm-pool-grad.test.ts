import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import {
  disjointPoolApplies, maxPoolGradDisjoint, ownMaxPoolGrad, registerDisjointMaxPoolGrad, type PoolAttrs, type WasmHeapBackend,
} from '../../src/tfjs/wasm-pool-grad';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  const info = await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
  expect(info.backend).toBe('wasm');
  registerDisjointMaxPoolGrad(); // idempotent: a no-op where the wasm kernel fixes already registered it
});

type Shape4 = [number, number, number, number];

/**
 * Values with many ties, as after a ReLU: a third are 0, the rest multiples of
 * 1/8 in [-1, 1] (so windows often hold equal maxima).
 */
function tiedValues(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.uniform(0, 1) < 1 / 3 ? 0 : Math.round(rng.uniform(-8, 8)) / 8));
}

/** float64 reference: dy at each window's first maximum (strictly greater replaces), summed over windows. */
function reference(x: Float32Array, xs: Shape4, dy: Float32Array, f: number, s: number): Float64Array {
  const [n, h, w, c] = xs;
  const oh = Math.floor((h - f) / s) + 1;
  const ow = Math.floor((w - f) / s) + 1;
  const dx = new Float64Array(x.length);
  for (let b = 0; b < n; b++) for (let r = 0; r < oh; r++) for (let q = 0; q < ow; q++) for (let k = 0; k < c; k++) {
    let best = -Infinity;
    let pos = -1;
    for (let i = 0; i < f; i++) for (let j = 0; j < f; j++) {
      const p = ((b * h + r * s + i) * w + q * s + j) * c + k;
      if (x[p] > best) { best = x[p]; pos = p; }
    }
    dx[pos] += dy[((b * oh + r) * ow + q) * c + k];
  }
  return dx;
}

function run(xs: Shape4, f: number, s: number, seed: number) {
  const rng = new Rng(seed);
  const x = tiedValues(rng, xs[0] * xs[1] * xs[2] * xs[3]);
  const oh = Math.floor((xs[1] - f) / s) + 1;
  const ow = Math.floor((xs[2] - f) / s) + 1;
  const dy = Float32Array.from({ length: xs[0] * oh * ow * xs[3] }, () => rng.uniform(-1, 1));
  return { x, dy, dyShape: [xs[0], oh, ow, xs[3]] as Shape4, ref: reference(x, xs, dy, f, s) };
}

describe('MaxPoolGrad with disjoint windows on wasm (exact twin: the backend\'s own kernel)', () => {
  it('applies to stride = window with valid padding only', () => {
    const a = (f: number, s: number, pad = 'valid'): PoolAttrs => ({ filterSize: f, strides: s, pad });
    expect(disjointPoolApplies([2, 24, 24, 64], a(2, 2))).toBe(true);
    expect(disjointPoolApplies([2, 7, 9, 3], { filterSize: [3, 2], strides: [3, 2], pad: 'valid' })).toBe(true);
    expect(disjointPoolApplies([2, 24, 24, 64], a(3, 2))).toBe(false);
    expect(disjointPoolApplies([2, 24, 24, 64], a(2, 2, 'same'))).toBe(false);
    expect(disjointPoolApplies([2, 1, 24, 64], a(2, 2))).toBe(false);
  });

  // the digits CNN's pool, odd sizes (trailing rows and columns outside every window), non-square windows
  const cases: [string, Shape4, number, number][] = [
    ['digits pool 2x2 on 3 x 24 x 24 x 64', [3, 24, 24, 64], 2, 2],
    ['2x2 on odd 2 x 7 x 9 x 5', [2, 7, 9, 5], 2, 2],
    ['3x3 on 1 x 10 x 11 x 2', [1, 10, 11, 2], 3, 3],
  ];
  const be = () => tf.backend() as unknown as WasmHeapBackend & { disposeData(id: object): void };
  const attrsOf = (f: number, s: number) => ({ filterSize: [f, f], strides: [s, s], pad: 'valid' }) as unknown as tf.NamedAttrMap;
  const read = (t: tf.TensorInfo) => { const v = Float32Array.from(tf.backend().readSync(t.dataId) as Float32Array); be().disposeData(t.dataId); return v; };
  const fastOf = (xt: tf.Tensor, dyt: tf.Tensor, f: number, s: number) => read(maxPoolGradDisjoint(be(), xt, dyt, attrsOf(f, s) as unknown as PoolAttrs));
  const ownOf = (xt: tf.Tensor, dyt: tf.Tensor, f: number, s: number) =>
    read(ownMaxPoolGrad()!.kernelFunc({ inputs: { dy: dyt, input: xt, output: dyt }, backend: tf.backend(), attrs: attrsOf(f, s) }) as tf.TensorInfo);

  for (const [name, xs, f, s] of cases) {
    it(`${name}: equals the float64 reference (first maximum) bit for bit, and the backend's kernel where a window's maximum is positive and unique`, () => {
      const { x, dy, dyShape, ref } = run(xs, f, s, 7 + f);
      const xt = tf.tensor4d(x, xs);
      const dyt = tf.tensor4d(dy, dyShape);
      const fast = fastOf(xt, dyt, f, s);
      expect(Array.from(fast)).toEqual(Array.from(Float32Array.from(ref)));
      // the routed values are the dy values themselves: as many non-zeros as windows with a non-zero dy
      expect(fast.filter((v) => v !== 0).length).toBe(dy.filter((v) => v !== 0).length);
      const own = ownOf(xt, dyt, f, s);
      const [n, h, w, c] = xs;
      let compared = 0;
      for (let b = 0; b < n; b++) for (let r = 0; r < dyShape[1]; r++) for (let q = 0; q < dyShape[2]; q++) for (let k = 0; k < c; k++) {
        const ps: number[] = [];
        for (let i = 0; i < f; i++) for (let j = 0; j < f; j++) ps.push(((b * h + r * s + i) * w + q * s + j) * c + k);
        const vals = ps.map((p) => x[p]);
        const max = Math.max(...vals);
        if (!(max > 0) || vals.filter((v) => v === max).length > 1) continue;
        compared++;
        for (const p of ps) expect(fast[p]).toBe(own[p]);
      }
      expect(compared).toBeGreaterThan(0);
      tf.dispose([xt, dyt]);
    });
  }

  it('behind a ReLU (the digits CNN), the gradient after the ReLU equals the backend kernel\'s bit for bit', () => {
    const xs: Shape4 = [4, 24, 24, 16];
    const pre = tf.randomNormal(xs, 0, 1, 'float32', 5);
    const act = tf.relu(pre);
    const dyt = tf.randomNormal([4, 12, 12, 16], 0, 1, 'float32', 6);
    const mask = tf.step(pre).dataSync();
    const fast = fastOf(act, dyt, 2, 2).map((v, i) => v * mask[i]);
    const own = ownOf(act, dyt, 2, 2).map((v, i) => v * mask[i]);
    // === (not toEqual): the backend's kernel leaves -0 where a negative dy meets a zeroed ReLU, which sums as 0
    expect(fast.filter((v, i) => v !== own[i]).length).toBe(0);
    expect(fast.filter((v) => v !== 0).length).toBeGreaterThan(0.8 * 4 * 12 * 12 * 16);
    tf.dispose([pre, act, dyt]);
  });

  it('the registered kernel serves tf.grad of maxPool (disjoint, and overlapping through the backend\'s kernel) and leaks no tensor', () => {
    expect(ownMaxPoolGrad()).not.toBeNull();
    expect(tf.getKernel('MaxPoolGrad', 'wasm')!.kernelFunc).not.toBe(ownMaxPoolGrad()!.kernelFunc);
    const before = tf.memory().numTensors;
    for (const [f, s] of [[2, 2], [3, 2]] as const) {
      const xs: Shape4 = [2, 9, 8, 3];
      const { dy, dyShape } = run(xs, f, s, 3);
      // distinct positive values: the backend's kernel and the reference agree there
      const rng = new Rng(11);
      const x = Float32Array.from({ length: 2 * 9 * 8 * 3 }, () => rng.uniform(0.1, 1));
      const ref = reference(x, xs, dy, f, s);
      const xt = tf.tensor4d(x, xs);
      const dyt = tf.tensor4d(dy, dyShape);
      const g = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, f, s, 'valid').mul(dyt).sum())(xt);
      const got = g.dataSync();
      for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-6);
      tf.dispose([xt, dyt, g]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
