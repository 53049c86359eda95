/** requestWebGpuDevice's options (src/gpu/device.ts); its devices are exercised by the engine tests. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { requestWebGpuDevice } from '../../src/gpu/device';

describe('requestWebGpuDevice', () => {
  it('refuses an unknown or ill-typed option by name, as createEngine does', async () => {
    await expect(requestWebGpuDevice({ powerPreferance: 'low-power' } as never)).rejects.toThrow(new InvalidOptionError(
      'option "powerPreferance": unknown option of requestWebGpuDevice (known: powerPreference, dawnOptions)', 'powerPreferance'));
    await expect(requestWebGpuDevice({ powerPreference: 'fast' as never })).rejects.toThrow(new InvalidOptionError(
      'powerPreference: expected "high-performance" or "low-power", got "fast"', 'powerPreference'));
    await expect(requestWebGpuDevice({ dawnOptions: 'enable-dawn-features=x' as never })).rejects.toThrow(new InvalidOptionError(
      'dawnOptions: expected an array of strings', 'dawnOptions'));
  });
});
