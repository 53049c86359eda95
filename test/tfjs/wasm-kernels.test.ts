import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import {
  convGeometry, filterGradient, inputGradient, nativeGradientsApply, swapCheaper, type WasmBackendLike,
} from '../../src/tfjs/wasm-kernels';
import { Rng } from '../../src/util/rng';

/** float32 sums of <= ~150 products of values in [-1, 1] */
const TOL_F32_SUM = 1e-4;

beforeAll(async () => {
  const info = await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
  expect(info.backend).toBe('wasm');
});

type Pad = 'valid' | 'same';
type Shape4 = [number, number, number, number];

function uniform(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Output size and padding before the input, by TensorFlow's rules (written out independently). */
function tfPadding(size: number, k: number, s: number, pad: Pad): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - k + 1) / s), before: 0 };
  const out = Math.ceil(size / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + k - size, 0) / 2) };
}

/**
 * float64 references for y = conv2d(x, W) (NHWC, stride s): with
 * xr = r*s + i - top and xc = c*s + j - left,
 *   dW[i][j][ci][co] = sum_{b,r,c} x[b][xr][xc][ci] * dy[b][r][c][co]
 *   dx[b][xr][xc][ci] = sum_{r,c,i,j,co} dy[b][r][c][co] * W[i][j][ci][co]
 * (terms with (xr, xc) outside the input vanish).
 */
function gradRefs(x: Float32Array, xs: Shape4, w: Float32Array, ws: Shape4, dy: Float32Array, s: number, pad: Pad) {
  const [n, h, wd, cin] = xs;
  const [kh, kw, , cout] = ws;
  const ph = tfPadding(h, kh, s, pad);
  const pw = tfPadding(wd, kw, s, pad);
  const dW = new Float64Array(w.length);
  const dx = new Float64Array(x.length);
  for (let b = 0; b < n; b++) for (let r = 0; r < ph.out; r++) for (let c = 0; c < pw.out; c++) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const xr = r * s + i - ph.before;
      const xc = c * s + j - pw.before;
      if (xr < 0 || xr >= h || xc < 0 || xc >= wd) continue;
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) {
        const g = dy[((b * ph.out + r) * pw.out + c) * cout + co];
        dW[((i * kw + j) * cin + ci) * cout + co] += x[((b * h + xr) * wd + xc) * cin + ci] * g;
        dx[((b * h + xr) * wd + xc) * cin + ci] += w[((i * kw + j) * cin + ci) * cout + co] * g;
      }
    }
  }
  return { dW, dx, outShape: [n, ph.out, pw.out, cout] as Shape4 };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('BatchMatMul on the wasm backend (transposes done before the product)', () => {
  it('a . b^T with a large b runs as (b . a^T)^T (the dense layer\'s input gradient) and matches the float64 product', async () => {
    await tf.setBackend('wasm');
    expect(swapCheaper([1, 32, 128], [1, 9216, 128], false, true)).toBe(true);
    expect(swapCheaper([1, 32, 128], [1, 9216, 128], true, true)).toBe(false);
    expect(swapCheaper([1, 32, 128], [1, 9216, 128], false, false)).toBe(false);
    expect(swapCheaper([2, 5, 7], [2, 3, 7], false, true)).toBe(false);
    expect(swapCheaper([2, 4, 16], [1, 300, 16], false, true)).toBe(false); // broadcast batch: the direct way
    for (const [batch, m, k, n] of [[1, 4, 16, 300], [2, 3, 9, 50]]) {
      expect(swapCheaper([batch, m, k], [batch, n, k], false, true)).toBe(true);
      const rng = new Rng(20 + batch);
      const a = uniform(rng, batch * m * k);
      const b = uniform(rng, batch * n * k);
      const at = tf.tensor3d(a, [batch, m, k]);
      const bt = tf.tensor3d(b, [batch, n, k]);
      const before = tf.memory().numTensors;
      const out = tf.matMul(at, bt, false, true);
      expect(out.shape).toEqual([batch, m, n]);
      const ref = new Float64Array(batch * m * n);
      for (let q = 0; q < batch; q++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let t = 0; t < k; t++) sum += a[(q * m + i) * k + t] * b[(q * n + j) * k + t];
        ref[(q * m + i) * n + j] = sum;
      }
      expect(maxAbsDiff(out.dataSync(), ref)).toBeLessThan(1e-5); // float32 sums of <= 16 products in [-1, 1]
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([at, bt]);
    }
  });

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`matches the float64 product with transposeA=${ta}, transposeB=${tb}, batch 2`, async () => {
      await tf.setBackend('wasm');
      const rng = new Rng(ta ? (tb ? 4 : 2) : tb ? 3 : 1);
      const [batch, r, k, c] = [2, 5, 7, 3];
      const a = uniform(rng, batch * r * k);
      const b = uniform(rng, batch * k * c);
      // Stored as given (a: r x k, b: k x c) and handed to matMul transposed when flagged.
      const at = ta ? tf.tidy(() => tf.tensor3d(a, [batch, r, k]).transpose([0, 2, 1])) : tf.tensor3d(a, [batch, r, k]);
      const bt = tb ? tf.tidy(() => tf.tensor3d(b, [batch, k, c]).transpose([0, 2, 1])) : tf.tensor3d(b, [batch, k, c]);
      const before = tf.memory().numTensors;
      const out = tf.matMul(at, bt, ta, tb);
      expect(out.shape).toEqual([batch, r, c]);
      const got = await out.data();
      const ref = new Float64Array(batch * r * c);
      for (let q = 0; q < batch; q++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) {
        let sum = 0;
        for (let t = 0; t < k; t++) sum += a[(q * r + i) * k + t] * b[(q * k + t) * c + j];
        ref[(q * r + i) * c + j] = sum;
      }
      expect(maxAbsDiff(got, ref)).toBeLessThan(TOL_F32_SUM);
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([at, bt]);
    });
  }
});

const cases: { k: [number, number]; s: number; pad: Pad }[] = [
  { k: [3, 3], s: 1, pad: 'valid' }, { k: [3, 3], s: 1, pad: 'same' },
  { k: [3, 3], s: 2, pad: 'same' }, { k: [2, 3], s: 2, pad: 'valid' },
];

describe('convolution gradients on the wasm backend (registered by loadWasmBackend)', () => {
  for (const { k, s, pad } of cases) {
    it(`match the float64 reference and the cpu backend: ${k.join('x')} kernel, stride ${s}, '${pad}'`, async () => {
      const rng = new Rng(100 + s * 10 + k[0]);
      const xs: Shape4 = [2, 7, 6, 3];
      const ws: Shape4 = [k[0], k[1], 3, 4];
      const x = uniform(rng, xs.reduce((a, b) => a * b));
      const w = uniform(rng, ws.reduce((a, b) => a * b));
      const probe = gradRefs(x, xs, w, ws, new Float32Array(0), s, pad).outShape;
      const dy = uniform(rng, probe.reduce((a, b) => a * b));
      const ref = gradRefs(x, xs, w, ws, dy, s, pad);
      // The gradients of sum(conv2d(x, W) * dy) are exactly dW and dx for upstream dy.
      const grads = async (backend: string) => {
        await tf.setBackend(backend);
        const [gx, gw] = tf.tidy(() => {
          const dyt = tf.tensor4d(dy, ref.outShape);
          const f = (xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, s, pad), dyt));
          return tf.grads(f)([tf.tensor4d(x, xs), tf.tensor4d(w, ws)]);
        });
        expect(gx.shape).toEqual(xs);
        expect(gw.shape).toEqual(ws);
        const out = { dx: await gx.data(), dW: await gw.data() };
        tf.dispose([gx, gw]);
        return out;
      };
      const cpu = await grads('cpu'); // an independent implementation
      const wasm = await grads('wasm');
      expect(maxAbsDiff(cpu.dW, ref.dW)).toBeLessThan(TOL_F32_SUM);
      expect(maxAbsDiff(cpu.dx, ref.dx)).toBeLessThan(TOL_F32_SUM);
      expect(maxAbsDiff(wasm.dW, ref.dW)).toBeLessThan(TOL_F32_SUM);
      expect(maxAbsDiff(wasm.dx, ref.dx)).toBeLessThan(TOL_F32_SUM);
    });
  }

  it('take the native-convolution route at stride 1 and im2col at stride 2', () => {
    for (const { k, s, pad } of cases) {
      const xs: Shape4 = [2, 7, 6, 3];
      const outShape = gradRefs(new Float32Array(2 * 7 * 6 * 3), xs, new Float32Array(k[0] * k[1] * 12), [k[0], k[1], 3, 4],
        new Float32Array(0), s, pad).outShape;
      expect(nativeGradientsApply(convGeometry('test', xs, outShape, k[0], k[1], s, pad, 'NHWC'))).toBe(s === 1);
    }
  });

  it('match the float64 reference on the digits CNN second layer shape (stride 1, 32 -> 64 channels)', async () => {
    const rng = new Rng(28);
    const xs: Shape4 = [2, 9, 8, 32];
    const ws: Shape4 = [3, 3, 32, 64];
    const x = uniform(rng, xs.reduce((a, b) => a * b));
    const w = uniform(rng, ws.reduce((a, b) => a * b));
    const probe = gradRefs(x, xs, w, ws, new Float32Array(0), 1, 'valid').outShape;
    const dy = uniform(rng, probe.reduce((a, b) => a * b));
    const ref = gradRefs(x, xs, w, ws, dy, 1, 'valid');
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const [gx, gw] = tf.tidy(() => {
      const dyt = tf.tensor4d(dy, ref.outShape);
      const f = (xv: tf.Tensor, wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, 1, 'valid'), dyt));
      return tf.grads(f)([tf.tensor4d(x, xs), tf.tensor4d(w, ws)]);
    });
    // sums of up to 2 * 7 * 6 = 84 (dW) or 3 * 3 * 64 = 576 (dx) products of values in [-1, 1]
    expect(maxAbsDiff(await gw.data(), ref.dW)).toBeLessThan(1e-4);
    expect(maxAbsDiff(await gx.data(), ref.dx)).toBeLessThan(5e-4);
    tf.dispose([gx, gw]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('give the same result when the im2col is split into many blocks', async () => {
    await tf.setBackend('wasm');
    const rng = new Rng(7);
    const xs: Shape4 = [3, 6, 5, 2];
    const ws: Shape4 = [3, 3, 2, 5];
    const x = uniform(rng, xs.reduce((a, b) => a * b));
    const w = uniform(rng, ws.reduce((a, b) => a * b));
    const outShape = gradRefs(x, xs, w, ws, new Float32Array(0), 1, 'same').outShape;
    const dy = uniform(rng, outShape.reduce((a, b) => a * b));
    const ref = gradRefs(x, xs, w, ws, dy, 1, 'same');
    const g = convGeometry('test', xs, outShape, 3, 3, 1, 'same', 'NHWC');
    const backend = tf.backend() as unknown as WasmBackendLike;
    const before = tf.memory().numBytes;
    // 18 taps per position; 40 floats per block = 2 positions per block, 45 blocks.
    expect(maxAbsDiff(filterGradient(backend, x, dy, g, 40), ref.dW)).toBeLessThan(TOL_F32_SUM);
    expect(maxAbsDiff(inputGradient(backend, dy, w, g, 40), ref.dx)).toBeLessThan(TOL_F32_SUM);
    expect(tf.memory().numBytes).toBe(before);
  });

  it('reject explicit numeric padding with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    expect(() => tf.grad((wv: tf.Tensor) => tf.sum(tf.conv2d(x, wv as tf.Tensor4D, 1, 1)))(w))
      .toThrow("Conv2DBackpropFilter (wasm): padding 1 is not supported, only 'valid' and 'same'");
    tf.dispose([x, w]);
  });
});
