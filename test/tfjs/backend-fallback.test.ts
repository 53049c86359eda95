import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';

// A WebGPU provider that has no adapter, as on a machine without a usable GPU
// driver. Installed before the module first looks for navigator.gpu.
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: { requestAdapter: async () => null } }, configurable: true, writable: true,
});

it('falls back from WebGPU to wasm when there is no adapter, and says so', async () => {
  const lines: string[] = [];
  const info = await setupTfjsBackend({ log: (l) => lines.push(l) });
  const reason = 'WebGPU unavailable: no WebGPU adapter found; falling back to wasm';
  expect(info).toMatchObject({ backend: 'wasm', device: null, reason });
  expect(lines).toEqual([`tfjs backend: wasm (${reason})`]);
  expect(tf.getBackend()).toBe('wasm');
  const y = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum());
  expect((await y.data())[0]).toBe(14);
  y.dispose();
});
