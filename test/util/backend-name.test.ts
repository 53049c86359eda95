/**
 * The WebAssembly backend switches refuse an unknown name, and a 'wasm'
 * choice where the module cannot run is an EngineError (it was a bare Error).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError, InvalidOptionError } from '../../src/errors';

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('backend switches', () => {
  it('refuse a name other than auto, wasm or js, naming `backend`', async () => {
    const { setLikelihoodBackend, likelihoodBackend } = await import('../../src/gp/likelihood-wasm');
    const { setBoundingBackend, boundingBackend } = await import('../../src/acquisition/bounding-wasm');
    expect(() => setLikelihoodBackend('gpu' as never)).toThrow(new InvalidOptionError("setLikelihoodBackend: backend must be 'auto', 'wasm' or 'js', got \"gpu\"", 'backend'));
    expect(() => setBoundingBackend(undefined as never)).toThrow(new InvalidOptionError("setBoundingBackend: backend must be 'auto', 'wasm' or 'js', got undefined", 'backend'));
    expect(likelihoodBackend()).toBe('auto');
    expect(boundingBackend()).toBe('auto');
  });

  it("'wasm' where the module cannot be compiled is an EngineError saying why", async () => {
    vi.resetModules();
    vi.spyOn(WebAssembly, 'Module').mockImplementation(function () {
      throw new Error('no SIMD here');
    } as never);
    const { setLikelihoodBackend, likelihoodBackend } = await import('../../src/gp/likelihood-wasm');
    const { setBoundingBackend } = await import('../../src/acquisition/bounding-wasm');
    // the modules loaded afresh have their own copy of the error classes
    const { EngineError: FreshEngineError } = await import('../../src/errors');
    expect(() => setLikelihoodBackend('wasm')).toThrow(new EngineError('the WebAssembly likelihood cannot run here: WebAssembly SIMD is not available (no SIMD here)'));
    expect(() => setBoundingBackend('wasm')).toThrow(new EngineError('the WebAssembly bounding pass cannot run here: WebAssembly SIMD is not available (no SIMD here)'));
    expect(() => setLikelihoodBackend('wasm')).toThrow(FreshEngineError);
    expect(() => setBoundingBackend('wasm')).toThrow(FreshEngineError);
    expect(likelihoodBackend()).toBe('auto');
  });
});
