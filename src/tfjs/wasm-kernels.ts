/**
 * Kernel fixes for tfjs's wasm backend (tfjs 4.22), so that the studies'
 * networks train there at a usable speed:
 * - `BatchMatMul` with transposed operands (every weight gradient) takes a
 *   slow path; operands are transposed first instead (see registerUntransposedMatMul).
 * - `Conv2DBackpropFilter` is missing (CNN training fails with "Kernel
 *   'Conv2DBackpropFilter' not registered").
 * - `Conv2DBackpropInput` works but is a direct loop, about 12x slower than
 *   the matrix product below for the digits CNN's second layer.
 * At stride 1 (the studies' networks) both gradients are themselves
 * convolutions, run on the backend's own XNNPACK Conv2D
 * (./wasm-native-gradients): a training step of the digits
 * CNN at batch 64 takes about half the CPU time of the im2col route below.
 * Other strides use im2col + the backend's own
 * untransposed `BatchMatMul`: with M = n * oh * ow output positions and
 * K = kh * kw * cin filter taps,
 *   dW (K x cout)  = colsT (K x M) . dy (M x cout)
 *   dCols (M x K)  = dy (M x cout) . W^T (cout x K), scattered back into dx.
 * Column blocks are bounded (CHUNK_FLOATS) so memory stays small for big batches.
 * NHWC only, 'valid' or 'same' padding, any strides; dilation is 1 for these kernels.
 * - `MaxPoolGrad` with disjoint windows (the 2 x 2 pool) routes dy in
 *   JavaScript, 8.5 against 23.4 CPU-ms a step at batch 32 (./wasm-pool-grad).
 */
import * as tf from '@tensorflow/tfjs';
import { registerDisjointMaxPoolGrad } from './wasm-pool-grad';
import { filterGradientNative, inputGradientNative, nativeGradientsApply } from './wasm-native-gradients';

export { filterGradientNative, inputGradientNative, nativeGradientsApply } from './wasm-native-gradients';

/** Largest im2col block, in floats (32 MiB). */
const CHUNK_FLOATS = 1 << 23;

/** The wasm backend, as far as these kernels use it. */
export interface WasmBackendLike {
  readSync(dataId: object): Float32Array;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

/** Shapes and padding of one NHWC convolution. */
export interface ConvGeometry {
  n: number; h: number; w: number; cin: number;
  oh: number; ow: number; cout: number;
  kh: number; kw: number; sh: number; sw: number;
  /** rows / columns of zero padding before the input (TensorFlow's 'same' rule) */
  top: number; left: number;
}

/**
 * Geometry of a convolution of an `xShape` (NHWC) input with a `kh x kw` filter
 * whose output is `dyShape`. Throws for paddings other than 'valid'/'same' and
 * for NCHW.
 */
export function convGeometry(
  kernel: string, xShape: readonly number[], dyShape: readonly number[], kh: number, kw: number,
  strides: number | readonly number[], pad: unknown, dataFormat: unknown,
): ConvGeometry {
  if (pad !== 'valid' && pad !== 'same') {
    throw new Error(`${kernel} (wasm): padding ${JSON.stringify(pad)} is not supported, only 'valid' and 'same'`);
  }
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (wasm): data format ${String(dataFormat)} is not supported, only NHWC`);
  }
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : [strides[0], strides[1]];
  const [n, h, w, cin] = xShape;
  const [, oh, ow, cout] = dyShape;
  // 'same': total padding (out - 1) * s + k - in, the odd one going after the input.
  const before = (out: number, s: number, k: number, size: number) =>
    pad === 'same' ? Math.floor(Math.max((out - 1) * s + k - size, 0) / 2) : 0;
  return { n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, top: before(oh, sh, kh, h), left: before(ow, sw, kw, w) };
}

/**
 * Transposed im2col of output positions [m0, m1): `K x (m1 - m0)`, entry
 * [(i * kw + j) * cin + ci][m - m0] = x[b][r*sh + i - top][c*sw + j - left][ci]
 * for m = (b * oh + r) * ow + c, zero outside the input.
 */
export function im2colT(x: Float32Array, g: ConvGeometry, m0: number, m1: number): Float32Array {
  const cols = m1 - m0;
  const out = new Float32Array(g.kh * g.kw * g.cin * cols);
  for (let m = m0; m < m1; m++) {
    const c = m % g.ow;
    const r = Math.floor(m / g.ow) % g.oh;
    const b = Math.floor(m / (g.ow * g.oh));
    for (let i = 0; i < g.kh; i++) {
      const xr = r * g.sh + i - g.top;
      if (xr < 0 || xr >= g.h) continue;
      for (let j = 0; j < g.kw; j++) {
        const xc = c * g.sw + j - g.left;
        if (xc < 0 || xc >= g.w) continue;
        const src = ((b * g.h + xr) * g.w + xc) * g.cin;
        const dst = (i * g.kw + j) * g.cin * cols + (m - m0);
        for (let ci = 0; ci < g.cin; ci++) out[dst + ci * cols] = x[src + ci];
      }
    }
  }
  return out;
}

/** Adds the `(m1 - m0) x K` column block `cols` back into `dx` (`n x h x w x cin`), the adjoint of im2col. */
export function col2imAdd(cols: Float32Array, g: ConvGeometry, m0: number, m1: number, dx: Float32Array): void {
  const k = g.kh * g.kw * g.cin;
  for (let m = m0; m < m1; m++) {
    const c = m % g.ow;
    const r = Math.floor(m / g.ow) % g.oh;
    const b = Math.floor(m / (g.ow * g.oh));
    const row = (m - m0) * k;
    for (let i = 0; i < g.kh; i++) {
      const xr = r * g.sh + i - g.top;
      if (xr < 0 || xr >= g.h) continue;
      for (let j = 0; j < g.kw; j++) {
        const xc = c * g.sw + j - g.left;
        if (xc < 0 || xc >= g.w) continue;
        const dst = ((b * g.h + xr) * g.w + xc) * g.cin;
        const src = row + (i * g.kw + j) * g.cin;
        for (let ci = 0; ci < g.cin; ci++) dx[dst + ci] += cols[src + ci];
      }
    }
  }
}

/**
 * Whether `a (m x k) . b^T` (b `n x k`, same batch dimensions) is cheaper as
 * `(b . a^T)^T`: transposing a and the `m x n` product instead of b, and the
 * backend packing the small a^T instead of b^T as its right operand each
 * call. The dense layer's input gradient (dy `32 x 128` times the `9216 x
 * 128` weights, transposed) took 16.7 CPU-ms a step at batch 32 the direct way.
 */
export function swapCheaper(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): boolean {
  if (transposeA || !transposeB || aShape.length !== bShape.length) return false;
  const r = aShape.length;
  for (let i = 0; i < r - 2; i++) if (aShape[i] !== bShape[i]) return false;
  const [m, k] = [aShape[r - 2], aShape[r - 1]];
  const n = bShape[r - 2];
  return m * k + m * n < n * k;
}

/**
 * The wasm backend's BatchMatMul is fast only without transposes (its
 * transposed path is 5-11x slower for the layer sizes here), and training
 * needs transposed products for every weight gradient. This replaces the
 * kernel with one that transposes the flagged operands first (the backend's
 * own Transpose kernel, linear time) and then runs the untransposed product.
 */
function registerUntransposedMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (original === undefined || transpose === undefined) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const wasm = backend as unknown as WasmBackendLike;
      const temps: tf.TensorInfo[] = [];
      const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
        const perm = t.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        const out = transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
        temps.push(out);
        return out;
      };
      try {
        if (swapCheaper(a.shape, b.shape, transposeA, transposeB)) {
          // a . b^T = (b . a^T)^T: transposes the small a and the product instead of the large b
          const ct = original.kernelFunc({
            inputs: { a: b, b: swapLast(a) }, backend, attrs: { transposeA: false, transposeB: false },
          }) as tf.TensorInfo;
          temps.push(ct);
          const perm = ct.shape.map((_, i) => i);
          [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
          return transpose.kernelFunc({ inputs: { x: ct }, backend, attrs: { perm } });
        }
        return original.kernelFunc({
          inputs: { a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b },
          backend,
          attrs: { transposeA: false, transposeB: false },
        });
      } finally {
        for (const t of temps) wasm.disposeData(t.dataId);
      }
    },
  });
}

/** `a (r x k) . b (k x c)` with the backend's BatchMatMul; temporaries freed. */
function matmul(backend: WasmBackendLike, a: Float32Array, b: Float32Array, r: number, k: number, c: number): Float32Array {
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  if (kernel === undefined) throw new Error('wasm backend: BatchMatMul kernel is missing');
  const ta = backend.makeOutput([1, r, k], 'float32', undefined, a);
  const tb = backend.makeOutput([1, k, c], 'float32', undefined, b);
  let out: tf.TensorInfo | null = null;
  try {
    out = kernel.kernelFunc({
      inputs: { a: ta, b: tb }, backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    return backend.readSync(out.dataId);
  } finally {
    backend.disposeData(ta.dataId);
    backend.disposeData(tb.dataId);
    if (out !== null) backend.disposeData(out.dataId);
  }
}

/** Output-position blocks [m0, m1) whose im2col fits CHUNK_FLOATS. */
function* blocks(g: ConvGeometry, chunkFloats: number): Generator<[number, number]> {
  const total = g.n * g.oh * g.ow;
  const step = Math.max(1, Math.floor(chunkFloats / (g.kh * g.kw * g.cin)));
  for (let m0 = 0; m0 < total; m0 += step) yield [m0, Math.min(total, m0 + step)];
}

/** dW = colsT . dy, `kh x kw x cin x cout`. */
export function filterGradient(
  backend: WasmBackendLike, x: Float32Array, dy: Float32Array, g: ConvGeometry, chunkFloats = CHUNK_FLOATS,
): Float32Array {
  const k = g.kh * g.kw * g.cin;
  const acc = new Float32Array(k * g.cout);
  for (const [m0, m1] of blocks(g, chunkFloats)) {
    const part = matmul(backend, im2colT(x, g, m0, m1), dy.subarray(m0 * g.cout, m1 * g.cout), k, m1 - m0, g.cout);
    for (let i = 0; i < acc.length; i++) acc[i] += part[i];
  }
  return acc;
}

/** dx = col2im(dy . W^T), `n x h x w x cin`. `filter` is `kh x kw x cin x cout`. */
export function inputGradient(
  backend: WasmBackendLike, dy: Float32Array, filter: Float32Array, g: ConvGeometry, chunkFloats = CHUNK_FLOATS,
): Float32Array {
  const k = g.kh * g.kw * g.cin;
  const wT = new Float32Array(g.cout * k);
  for (let t = 0; t < k; t++) for (let co = 0; co < g.cout; co++) wT[co * k + t] = filter[t * g.cout + co];
  const dx = new Float32Array(g.n * g.h * g.w * g.cin);
  for (const [m0, m1] of blocks(g, chunkFloats)) {
    const cols = matmul(backend, dy.subarray(m0 * g.cout, m1 * g.cout), wT, m1 - m0, g.cout, k);
    col2imAdd(cols, g, m0, m1, dx);
  }
  return dx;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  filterShape?: number[];
  inputShape?: number[];
}

let registered = false;

/**
 * Registers the kernels above on the 'wasm' backend (replacing its own
 * BatchMatMul and Conv2DBackpropInput). Idempotent; call after
 * `@tensorflow/tfjs-backend-wasm` has been imported and before the backend
 * is first initialized.
 */
export function registerWasmKernelFixes(): void {
  if (registered) return;
  registered = true;
  registerUntransposedMatMul();
  registerDisjointMaxPoolGrad();
  for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
  }

  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as ConvAttrs;
      const fs = a.filterShape!;
      const g = convGeometry('Conv2DBackpropFilter', x.shape, dy.shape, fs[0], fs[1], a.strides, a.pad, a.dataFormat);
      const wasm = backend as unknown as WasmBackendLike;
      if (nativeGradientsApply(g)) return filterGradientNative(wasm, x, dy, g);
      const dw = filterGradient(wasm, wasm.readSync(x.dataId), wasm.readSync(dy.dataId), g);
      return wasm.makeOutput([...fs], 'float32', undefined, dw);
    },
  });

  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const a = attrs as unknown as ConvAttrs;
      const xs = a.inputShape!;
      const g = convGeometry('Conv2DBackpropInput', xs, dy.shape, filter.shape[0], filter.shape[1], a.strides, a.pad, a.dataFormat);
      const wasm = backend as unknown as WasmBackendLike;
      if (nativeGradientsApply(g)) return inputGradientNative(wasm, dy, wasm.readSync(filter.dataId), g);
      const dx = inputGradient(wasm, wasm.readSync(dy.dataId), wasm.readSync(filter.dataId), g);
      return wasm.makeOutput([...xs], 'float32', undefined, dx);
    },
  });
}
