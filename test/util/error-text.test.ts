/** The text a failed trial records for what the objective threw or registerFailure was given. */
import { describe, expect, it } from 'vitest';
import { errorText } from '../../src/util/error-text';

describe('errorText', () => {
  it('an Error by its message (its name when empty), a string as it is, a plain object by its JSON', () => {
    expect(errorText(new RangeError('out of GPU memory'))).toBe('out of GPU memory');
    expect(errorText(new TypeError(''))).toBe('TypeError');
    expect(errorText('diverged')).toBe('diverged');
    // '[object Object]' said nothing of { code: 7 }
    expect(errorText({ code: 7, why: 'oom' })).toBe('{"code":7,"why":"oom"}');
    expect(errorText([1, 2])).toBe('1,2');
    expect(errorText(42)).toBe('42');
    expect(errorText({ toString: () => 'custom' })).toBe('custom');
  });

  it('never throws: values with no string form or JSON still give a text', () => {
    expect(errorText(Object.create(null))).toBe('[object Object]');
    expect(errorText({ toString: () => { throw new Error('no'); } })).toBe('[object Object]');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(errorText(cycle)).toBe('[object Object]');
    expect(errorText({})).toBe('[object Object]');
    expect(errorText(Symbol('s'))).toBe('Symbol(s)');
    // a revoked Proxy: instanceof, String() and Object.prototype.toString all throw
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(errorText(proxy)).toBe('a value with no text (its every conversion threw)');
  });

  it('an error class that is no Error (a WebGPU GPUValidationError) by its message, where it read "[object GPUValidationError]"', () => {
    class GPUValidationError {
      constructor(readonly message: string) {}
      get [Symbol.toStringTag]() { return 'GPUValidationError'; }
    }
    expect(errorText(new GPUValidationError('Buffer size exceeds the limit'))).toBe('Buffer size exceeds the limit');
    expect(errorText(new GPUValidationError(''))).toBe('[object GPUValidationError]');
    // a plain object keeps its JSON, message or not
    expect(errorText({ message: 'x', code: 7 })).toBe('{"message":"x","code":7}');
  });
});
