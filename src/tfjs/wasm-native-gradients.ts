/**
 * The convolution gradients of the wasm backend's kernel fixes
 * (./wasm-kernels) at stride 1, as convolutions themselves on the backend's
 * own XNNPACK Conv2D: a training step of the digits CNN at batch 64 takes
 * about half the CPU time of the im2col route of ./wasm-kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry, WasmBackendLike } from './wasm-kernels';

/** Runs the wasm backend's own kernel `name`. */
function runKernel(
  backend: WasmBackendLike, name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm backend: ${name} kernel is missing`);
  return kernel.kernelFunc({
    inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/** Explicit NHWC padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** A stride-1 'valid' convolution with explicit zero padding, on the backend's XNNPACK Conv2D. */
function nativeConv(backend: WasmBackendLike, x: tf.TensorInfo, filter: tf.TensorInfo, pad: ExplicitPad): tf.TensorInfo {
  return runKernel(backend, 'Conv2D', { x, filter }, {
    strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
  });
}

/**
 * Whether the convolution gradients can run as the backend's own Conv2D
 * (stride 1; any padding the geometry gives, which is then non-negative).
 */
export function nativeGradientsApply(g: ConvGeometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.kh + g.oh - 1 - g.h - g.top >= 0 && g.kw + g.ow - 1 - g.w - g.left >= 0;
}

/**
 * dW of a stride-1 convolution as one more convolution, on the backend's
 * XNNPACK Conv2D (3-4x faster than im2col + matrix product for the digits
 * CNN): with the batch as the channel axis,
 *   dW[i][j][ci][co] = sum_{b,r,c} x[b][r + i - top][c + j - left][ci] * dy[b][r][c][co]
 * is conv2d(xT, dyT) for xT = x transposed to `cin x h x w x n` and the
 * "filter" dyT = dy transposed to `oh x ow x n x cout`, padded as the forward
 * pass was; its `cin x kh x kw x cout` output is transposed to `kh x kw x cin x cout`.
 * Caller disposes the result.
 */
export function filterGradientNative(backend: WasmBackendLike, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const temps: tf.TensorInfo[] = [];
  try {
    const xT = runKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = runKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    const bottom = g.kh + g.oh - 1 - g.h - g.top;
    const right = g.kw + g.ow - 1 - g.w - g.left;
    const out = nativeConv(backend, xT, dyT, [[0, 0], [g.top, bottom], [g.left, right], [0, 0]]);
    temps.push(out);
    return runKernel(backend, 'Transpose', { x: out }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * dx of a stride-1 convolution as a convolution of dy, zero-padded by
 * (k - 1 - top) before, with the filter rotated by 180 degrees and its
 * channel axes swapped (`kh x kw x cout x cin`):
 *   dx[b][y][x][ci] = sum_{i,j,co} dy[b][y - i + top][x - j + left][co] * W[i][j][ci][co].
 * `filter` is `kh x kw x cin x cout`. Caller disposes the result.
 */
export function inputGradientNative(backend: WasmBackendLike, dy: tf.TensorInfo, filter: Float32Array, g: ConvGeometry): tf.TensorInfo {
  const { kh, kw, cin, cout } = g;
  const rotated = new Float32Array(filter.length);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      rotated[(((kh - 1 - i) * kw + (kw - 1 - j)) * cout + co) * cin + ci] = filter[((i * kw + j) * cin + ci) * cout + co];
    }
  }
  const w = backend.makeOutput([kh, kw, cout, cin], 'float32', undefined, rotated);
  try {
    const top = kh - 1 - g.top;
    const left = kw - 1 - g.left;
    const pad: ExplicitPad = [[0, 0], [top, g.h + kh - 1 - g.oh - top], [left, g.w + kw - 1 - g.ow - left], [0, 0]];
    return nativeConv(backend, dy, w, pad);
  } finally {
    backend.disposeData(w.dataId);
  }
}
