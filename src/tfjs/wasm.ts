/**
 * Loading tfjs's wasm backend. Its `.wasm` binaries must be found without a
 * network: in Node they are read from the installed package's `dist/` folder;
 * in browsers the caller may give a URL prefix (default: tfjs's own lookup,
 * next to the bundled script).
 */
import * as tf from '@tensorflow/tfjs';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';

let wasmModule: Promise<typeof TfWasm> | null = null;
let pathsConfigured = false;

function isNode(): boolean {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  return g.Deno === undefined && typeof g.process?.versions?.node === 'string';
}

/** Folder (with trailing slash) holding the wasm binaries of the installed package, in Node. */
async function nodeWasmDir(): Promise<string> {
  const spec = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ spec)) as typeof import('node:module');
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  return entry.slice(0, Math.max(entry.lastIndexOf('/'), entry.lastIndexOf('\\')) + 1);
}

/**
 * Imports `@tensorflow/tfjs-backend-wasm` (which registers the `'wasm'`
 * backend) and points it at its binaries. Path setup happens once per
 * process, before the backend first initializes (tfjs refuses it afterwards).
 *
 * @param wasmPaths URL/path prefix or per-file map; default: the package's
 *   `dist/` folder in Node, tfjs's default elsewhere.
 */
export async function loadWasmBackend(wasmPaths?: string | Record<string, string>): Promise<void> {
  wasmModule ??= import('@tensorflow/tfjs-backend-wasm');
  const mod = await wasmModule;
  registerWasmConv2DBackpropFilter();
  if (pathsConfigured) return;
  const paths = wasmPaths ?? (isNode() ? await nodeWasmDir() : undefined);
  if (paths !== undefined) mod.setWasmPaths(paths);
  pathsConfigured = true;
}

/** The wasm backend object, as far as the kernel below uses it. */
interface WasmBackendLike {
  readSync(dataId: object): Float32Array;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

/**
 * Filter gradient of a 2-D convolution, NHWC, in float64 loops:
 * dW[i][j][ci][co] = sum over b, r, c of x[b][r*sh + i - top][c*sw + j - left][ci] * dy[b][r][c][co]
 * (terms outside x are zero). `x` is `n x h x w x cin`, `dy` is `n x oh x ow x cout`.
 */
export function conv2dFilterGradient(
  x: Float32Array, xShape: readonly number[], dy: Float32Array, dyShape: readonly number[],
  kh: number, kw: number, sh: number, sw: number, top: number, left: number,
): Float32Array {
  const [n, h, w, cin] = xShape;
  const [, oh, ow, cout] = dyShape;
  const acc = new Float64Array(kh * kw * cin * cout);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const dyRow = ((b * oh + r) * ow + c) * cout;
        for (let i = 0; i < kh; i++) {
          const xr = r * sh + i - top;
          if (xr < 0 || xr >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xc = c * sw + j - left;
            if (xc < 0 || xc >= w) continue;
            const xRow = ((b * h + xr) * w + xc) * cin;
            const out = (i * kw + j) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const xv = x[xRow + ci];
              if (xv === 0) continue;
              for (let co = 0; co < cout; co++) acc[out + ci * cout + co] += xv * dy[dyRow + co];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}

/**
 * tfjs 4.22's wasm backend has no `Conv2DBackpropFilter`, so convolutional
 * networks cannot train on it; this registers one.
 * - Stride 1: a 2-D convolution over NHWC data is a 3-D one with depth 1, and
 *   the wasm backend has `Conv3DBackpropFilterV2`: `x` and `dy` are read as
 *   `n x 1 x h x w x c` views of the same memory, and the
 *   `1 x kh x kw x cin x cout` result is returned as `kh x kw x cin x cout`
 *   (same layout).
 * - Larger strides: that wasm kernel gives wrong results for them (checked
 *   against tfjs's cpu backend), so the gradient is computed in JS
 *   ({@link conv2dFilterGradient}); slower, but correct.
 * Covers 'valid' and 'same' padding (dilation is always 1 for this kernel);
 * other paddings and NCHW throw.
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, filterShape } = attrs as unknown as {
        strides: number | [number, number]; pad: unknown; dataFormat: string; filterShape: number[];
      };
      if (pad !== 'valid' && pad !== 'same') {
        throw new Error(`Conv2DBackpropFilter (wasm): padding ${JSON.stringify(pad)} is not supported, only 'valid' and 'same'`);
      }
      if (dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter (wasm): data format ${dataFormat} is not supported, only NHWC`);
      }
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const [kh, kw] = filterShape;
      if (sh !== 1 || sw !== 1 || process.env.FORCEJS) {
        const wasm = backend as unknown as WasmBackendLike;
        // TensorFlow's 'same' padding: the total (out - 1) * s + k - in, split with the extra row/column last.
        const before = (outSize: number, s: number, k: number, inSize: number) =>
          pad === 'same' ? Math.floor(Math.max((outSize - 1) * s + k - inSize, 0) / 2) : 0;
        const dw = conv2dFilterGradient(
          wasm.readSync(x.dataId), x.shape, wasm.readSync(dy.dataId), dy.shape, kh, kw, sh, sw,
          before(dy.shape[1], sh, kh, x.shape[1]), before(dy.shape[2], sw, kw, x.shape[2]));
        return wasm.makeOutput([...filterShape], 'float32', undefined, dw);
      }
      const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
      if (conv3d === undefined) throw new Error('Conv2DBackpropFilter (wasm): Conv3DBackpropFilterV2 is missing');
      const as5d = (t: tf.TensorInfo): tf.TensorInfo =>
        ({ dataId: t.dataId, dtype: t.dtype, shape: [t.shape[0], 1, t.shape[1], t.shape[2], t.shape[3]] });
      const dw = conv3d.kernelFunc({
        inputs: { x: as5d(x), dy: as5d(dy) },
        backend,
        attrs: { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] },
      }) as tf.TensorInfo;
      return { dataId: dw.dataId, dtype: dw.dtype, shape: [...filterShape] };
    },
  });
}
