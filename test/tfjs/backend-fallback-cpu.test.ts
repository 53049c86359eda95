import * as tf from '@tensorflow/tfjs';
import { expect, it, vi } from 'vitest';
import { setupTfjsBackend } from '../../src/tfjs/backend';

// No WebGPU adapter, and wasm binaries that cannot be found: the last resort is cpu.
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: { requestAdapter: async () => null } }, configurable: true, writable: true,
});

it('falls back to cpu when neither WebGPU nor wasm works, and says why', async () => {
  // tfjs and emscripten report the failed wasm load on the console; keep the output quiet.
  const quiet = [vi.spyOn(console, 'warn').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {})];
  const lines: string[] = [];
  const info = await setupTfjsBackend({ wasmPaths: '/nonexistent-wasm-dir/', log: (l) => lines.push(l) });
  quiet.forEach((s) => s.mockRestore());
  const reason = 'WebGPU unavailable: no WebGPU adapter found; '
    + 'wasm backend failed: tf.setBackend("wasm") returned false; falling back to cpu';
  expect(info).toMatchObject({ backend: 'cpu', device: null, reason });
  expect(lines).toEqual([`tfjs backend: cpu (${reason})`]);
  expect(tf.getBackend()).toBe('cpu');
});
