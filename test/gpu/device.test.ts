/** requestWebGpuDevice's options (src/gpu/device.ts); its devices are exercised by the engine tests. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { acquireAdapter } from '../../src/gpu/acquire';
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

  it('asks for every feature tfjs\'s own device factory asks for that the adapter has (a device shared with tfjs is as capable)', async () => {
    const adapter = await acquireAdapter();
    const device = await requestWebGpuDevice();
    if (process.env.CI === 'true') expect(device).not.toBeNull();
    if (adapter === null || device === null) return;
    const wanted = ['timestamp-query', 'bgra8unorm-storage', 'subgroups'].filter((f) => adapter.features.has(f));
    expect(wanted.filter((f) => !device.features.has(f))).toEqual([]);
    device.destroy();
  });
});
