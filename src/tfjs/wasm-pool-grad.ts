/**
 * A faster `MaxPoolGrad` for tfjs's wasm backend when the pooling windows do
 * not overlap (stride = window, 'valid' padding: the digits CNN's 2 x 2 pool).
 * The backend's own kernel took about as long as the forward convolution of
 * the second layer (about 20 CPU-ms a step at batch 32, the largest kernel
 * after the convolutions); here every input position belongs to at most one
 * window, so the gradient is dy routed to each window's first maximum (the
 * rule of tfjs's reference `maxPoolPositions`, as on its cpu and webgl
 * backends: a later value must be strictly greater) and 0 elsewhere, written
 * straight into the backend's memory, with no arithmetic. The backend's own
 * kernel (tfjs 4.22) differs in two cases only: tied maxima (it takes the
 * last) and windows with no positive value (it takes the window's first
 * position, even when that is not a maximum). Behind a ReLU, as in the digits
 * CNN, the second case is a window of zeros whose gradient the ReLU then
 * zeroes anyway, so the gradient reaching the convolution is the same bit for
 * bit unless two positive activations of a window are exactly equal, which on
 * real digits happens over the blank background (a convolution's output there
 * is its bias), so seeded trainings differ from the backend kernel's in the
 * last digits (test/tfjs/wasm-pool-grad.test.ts). Other geometries use the backend's kernel.
 */
import * as tf from '@tensorflow/tfjs';

/** The wasm backend's memory, as far as this kernel uses it. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPF32: Float32Array };
}

/** Pooling attributes as tfjs passes them to MaxPoolGrad. */
export interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Whether the windows do not overlap and need no padding, so {@link maxPoolGradDisjoint} applies. */
export function disjointPoolApplies(inputShape: readonly number[], a: PoolAttrs): boolean {
  const [fh, fw] = pair(a.filterSize);
  const [sh, sw] = pair(a.strides);
  return inputShape.length === 4 && a.pad === 'valid' && fh === sh && fw === sw && fh >= 1 && fw >= 1
    && inputShape[1] >= fh && inputShape[2] >= fw;
}

/**
 * dx (`n x h x w x c`, the shape of `input`) of a max pool with disjoint
 * windows: `dy` (`n x oh x ow x c`, oh = floor(h / fh)) at each window's
 * first maximum, 0 elsewhere. Caller disposes the result.
 */
export function maxPoolGradDisjoint(backend: WasmHeapBackend, input: tf.TensorInfo, dy: tf.TensorInfo, a: PoolAttrs): tf.TensorInfo {
  const [n, h, w, ch] = input.shape;
  const [fh, fw] = pair(a.filterSize);
  const oh = Math.floor(h / fh);
  const ow = Math.floor(w / fw);
  const out = backend.makeOutput([...input.shape], 'float32');
  // views after makeOutput, which may grow (and so replace) the heap
  const heap = backend.wasm.HEAPF32;
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset / 4;
  const xo = at(input);
  const dyo = at(dy);
  const dxo = at(out);
  heap.fill(0, dxo, dxo + n * h * w * ch);
  const rowStride = w * ch;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const win = ((b * h + r * fh) * w + c * fw) * ch; // the window's first position, channel 0
        const o = dyo + ((b * oh + r) * ow + c) * ch;
        for (let k = 0; k < ch; k++) {
          let best = -Infinity;
          let pos = -1;
          for (let i = 0; i < fh; i++) {
            for (let j = 0; j < fw; j++) {
              const p = win + i * rowStride + j * ch + k;
              const v = heap[xo + p];
              if (v > best) { best = v; pos = p; }
            }
          }
          if (pos >= 0) heap[dxo + pos] = heap[o + k];
        }
      }
    }
  }
  return out;
}

let ownKernel: tf.KernelConfig | null = null;

/** The backend's own MaxPoolGrad, the exact twin (null before {@link registerDisjointMaxPoolGrad}). */
export function ownMaxPoolGrad(): tf.KernelConfig | null {
  return ownKernel;
}

/**
 * Replaces the wasm backend's MaxPoolGrad with one that takes
 * {@link maxPoolGradDisjoint} where it applies and the backend's own kernel elsewhere.
 */
export function registerDisjointMaxPoolGrad(): void {
  if (ownKernel !== null) return;
  const original = tf.getKernel('MaxPoolGrad', 'wasm');
  if (original === undefined) return;
  ownKernel = original;
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const a = args.attrs as unknown as PoolAttrs;
      if (a.dimRoundingMode != null || !disjointPoolApplies(input.shape, a)) return original.kernelFunc(args);
      return maxPoolGradDisjoint(args.backend as unknown as WasmHeapBackend, input, dy, a);
    },
  });
}
