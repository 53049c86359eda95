import { describe, expect, it } from 'vitest';
import { describeDevice, isSoftwareDevice } from '../../src/tfjs/device';

/** A device as far as these read it (adapterInfo), with what the device check looks for (createBuffer, queue). */
const withInfo = (info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } | undefined) => ({
  adapterInfo: info === undefined ? undefined : { vendor: '', architecture: '', device: '', description: '', ...info },
  createBuffer: () => undefined, queue: {},
}) as unknown as GPUDevice;

describe('adapter descriptions', () => {
  it('recognizes CPU implementations of WebGPU', () => {
    expect(isSoftwareDevice(withInfo({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7' }))).toBe(true);
    expect(isSoftwareDevice(withInfo({ description: 'SwiftShader Device (Subzero)' }))).toBe(true);
    expect(isSoftwareDevice(withInfo({ vendor: 'nvidia', isFallbackAdapter: true }))).toBe(true);
    expect(isSoftwareDevice(withInfo({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }))).toBe(true);
    expect(isSoftwareDevice(withInfo({ vendor: 'mesa', architecture: 'software' }))).toBe(true);
    expect(isSoftwareDevice(withInfo({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }))).toBe(false);
    expect(isSoftwareDevice(withInfo(undefined))).toBe(false);
  });

  it('describes a device by its adapter', () => {
    expect(describeDevice(withInfo({ description: 'llvmpipe: Mesa 25.0.7' }))).toBe('llvmpipe: Mesa 25.0.7');
    expect(describeDevice(withInfo({ vendor: 'nvidia', architecture: 'hopper' }))).toBe('nvidia hopper');
    expect(describeDevice(withInfo(undefined))).toBe('unknown adapter');
  });
});
