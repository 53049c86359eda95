/** The device helpers' argument checks (src/gpu/acquire.ts); no WebGPU needed. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { describeDevice, isSoftwareDevice } from '../../src/gpu/acquire';
import { thrown } from '../optimizer/caught';

describe('describeDevice and isSoftwareDevice', () => {
  it('what is not a GPUDevice is an InvalidOptionError naming device (a TypeError reading adapterInfo before)', () => {
    for (const [name, f] of [['describeDevice', describeDevice], ['isSoftwareDevice', isSoftwareDevice]] as const) {
      for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], ['gpu0', '"gpu0"'], [{}, 'an object without createBuffer and queue']] as const) {
        const e = thrown(() => f(v as never)) as InvalidOptionError;
        expect(e).toBeInstanceOf(InvalidOptionError);
        expect([e.option, e.message]).toEqual(['device', `${name}: device: expected a GPUDevice, got ${got}`]);
      }
    }
    const llvmpipe = { createBuffer: () => null, queue: {}, adapterInfo: { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15)' } } as unknown as GPUDevice;
    expect([describeDevice(llvmpipe), isSoftwareDevice(llvmpipe)]).toEqual(['llvmpipe (LLVM 15)', true]);
  });
});
