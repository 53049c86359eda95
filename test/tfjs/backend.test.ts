import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { setupTfjsBackend, type TfjsBackendName } from '../../src/tfjs/backend';
import { tinyRegression } from './tiny-regression';

/** A tiny regression fit on the active backend; returns validation RMSE / target spread. */
async function tinyTrain(): Promise<number> {
  const { relativeRmse, leaked } = await tinyRegression(31);
  expect(leaked).toBe(0);
  return relativeRmse;
}

describe('setupTfjsBackend without WebGPU preference', () => {
  for (const prefer of ['wasm', 'cpu'] as TfjsBackendName[]) {
    it(`prefer '${prefer}' selects it, says so in one line, and trains`, async () => {
      const lines: string[] = [];
      const info = await setupTfjsBackend({ prefer, log: (l) => lines.push(l) });
      expect(info).toMatchObject({ backend: prefer, device: null, ownsDevice: false, reason: `prefer=${prefer}` });
      expect(lines).toEqual([`tfjs backend: ${prefer} (prefer=${prefer})`]);
      expect(tf.getBackend()).toBe(prefer);
      expect(await tinyTrain()).toBeLessThan(0.3);
      info.dispose();
      info.dispose();
      expect(tf.getBackend()).toBe(prefer);
    });
  }

  it('rejects an unknown backend name', async () => {
    await expect(setupTfjsBackend({ prefer: 'webgl' as never, log: () => {} }))
      .rejects.toThrow(new InvalidOptionError('option "prefer": must be one of webgpu, wasm, cpu (got "webgl")', 'prefer'));
  });

  it('refuses unknown and ill-typed options before switching anything (a misspelt prefer made a WebGPU device)', async () => {
    const before = tf.getBackend();
    await expect(setupTfjsBackend({ prefr: 'cpu' } as never)).rejects.toThrow(new InvalidOptionError(
      'option "prefr": unknown option of setupTfjsBackend (known: device, prefer, log, wasmPaths, powerPreference)', 'prefr'));
    await expect(setupTfjsBackend({ prefer: 'cpu', log: 'verbose' as never })).rejects.toThrow(new InvalidOptionError('option "log": expected a function, got "verbose"', 'log'));
    await expect(setupTfjsBackend({ prefer: 'cpu', powerPreference: 'fast' as never })).rejects.toThrow(new InvalidOptionError('powerPreference: expected "high-performance" or "low-power", got "fast"', 'powerPreference'));
    await expect(setupTfjsBackend(null as never)).rejects.toThrow('setupTfjsBackend: options must be an object, got null');
    expect(tf.getBackend()).toBe(before);
  });
});
