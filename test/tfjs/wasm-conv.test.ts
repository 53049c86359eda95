import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';
import { Rng } from '../../src/util/rng';

/** float32 sums of <= 100 products of values in [-1, 1] */
const TOL_F32_SUM = 1e-4;

beforeAll(async () => {
  const info = await setupTfjsBackend({ prefer: 'wasm', log: () => {} });
  expect(info.backend).toBe('wasm');
});

function randn(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/**
 * float64 reference of the convolution filter gradient (NHWC, TensorFlow's
 * padding rules): dW[i][j][ci][co] = sum over n, oh, ow of
 * x[n][oh*s + i - padTop][ow*s + j - padLeft][ci] * dy[n][oh][ow][co].
 */
function filterGradRef(
  x: Float32Array, xs: number[], dy: Float32Array, dys: number[], k: [number, number], s: number, pad: 'valid' | 'same',
): Float64Array {
  const [n, h, w, cin] = xs;
  const [, oh, ow, cout] = dys;
  const padTop = pad === 'same' ? Math.floor(Math.max((oh - 1) * s + k[0] - h, 0) / 2) : 0;
  const padLeft = pad === 'same' ? Math.floor(Math.max((ow - 1) * s + k[1] - w, 0) / 2) : 0;
  const out = new Float64Array(k[0] * k[1] * cin * cout);
  for (let i = 0; i < k[0]; i++) for (let j = 0; j < k[1]; j++) for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) {
    let sum = 0;
    for (let b = 0; b < n; b++) for (let r = 0; r < oh; r++) for (let c = 0; c < ow; c++) {
      const xr = r * s + i - padTop;
      const xc = c * s + j - padLeft;
      if (xr < 0 || xr >= h || xc < 0 || xc >= w) continue;
      sum += x[((b * h + xr) * w + xc) * cin + ci] * dy[((b * oh + r) * ow + c) * cout + co];
    }
    out[((i * k[1] + j) * cin + ci) * cout + co] = sum;
  }
  return out;
}

describe('Conv2DBackpropFilter on the wasm backend (registered by loadWasmBackend)', () => {
  const cases: { k: [number, number]; s: number; pad: 'valid' | 'same' }[] = [
    { k: [3, 3], s: 1, pad: 'valid' }, { k: [3, 3], s: 1, pad: 'same' },
    { k: [3, 3], s: 2, pad: 'same' }, { k: [2, 3], s: 2, pad: 'valid' },
  ];
  for (const { k, s, pad } of cases) {
    it(`matches the float64 reference for a ${k.join('x')} kernel, stride ${s}, '${pad}' padding`, async () => {
      const rng = new Rng(100 + s * 10 + k[0]);
      const xs = [2, 7, 6, 3];
      const cout = 4;
      const x = randn(rng, 2 * 7 * 6 * 3);
      const w = randn(rng, k[0] * k[1] * 3 * cout);
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros([k[0], k[1], 3, cout]) as tf.Tensor4D, s, pad).shape);
      const dy = randn(rng, outShape.reduce((a, b) => a * b, 1));
      // d/dW of sum(conv2d(x, W) * dy) is the filter gradient for upstream dy.
      const filterGrad = async (backend: string) => {
        await tf.setBackend(backend);
        const g = tf.tidy(() => {
          const xt = tf.tensor4d(x, xs as [number, number, number, number]);
          const dyt = tf.tensor(dy, outShape);
          return tf.grad((wv: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt, wv as tf.Tensor4D, s, pad), dyt)))(
            tf.tensor4d(w, [k[0], k[1], 3, cout]));
        });
        expect(g.shape).toEqual([k[0], k[1], 3, cout]);
        const v = await g.data();
        g.dispose();
        return v;
      };
      const ref = filterGradRef(x, xs, dy, outShape, k, s, pad);
      const maxErr = (got: ArrayLike<number>) => ref.reduce((m, r, i) => Math.max(m, Math.abs(got[i] - r)), 0);
      // tfjs's cpu backend is an independent implementation; it must agree too.
      expect(maxErr(await filterGrad('cpu'))).toBeLessThan(TOL_F32_SUM);
      expect(maxErr(await filterGrad('wasm'))).toBeLessThan(TOL_F32_SUM);
    });
  }

  it('rejects explicit numeric padding with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    expect(() => tf.grad((wv: tf.Tensor) => tf.sum(tf.conv2d(x, wv as tf.Tensor4D, 1, 1)))(w))
      .toThrow("Conv2DBackpropFilter (wasm): padding 1 is not supported, only 'valid' and 'same'");
    tf.dispose([x, w]);
  });
});
