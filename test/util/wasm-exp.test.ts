import { describe, expect, it } from 'vitest';
import { wasmExpMatches, type WasmExpExports } from '../../src/util/wasm-exp';

/** A stand-in module: exp computed in JavaScript, optionally off by one ulp on every `every`-th argument. */
function fakeModule(every = 0, heap = 100): WasmExpExports & { grown: () => number } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  let grown = 0;
  const grow = memory.grow.bind(memory);
  memory.grow = (d: number) => (grown += d, grow(d));
  return {
    memory,
    heapBase: () => heap,
    expArray(src, dst, count) {
      const a = new Float64Array(memory.buffer, src, count);
      const out = new Float64Array(memory.buffer, dst, count);
      for (let i = 0; i < count; i++) {
        const e = Math.exp(a[i]);
        out[i] = every > 0 && i % every === 0 && e > 0 && Number.isFinite(e) ? e * (1 + 2 ** -52) : e;
      }
    },
    grown: () => grown,
  };
}

describe('wasmExpMatches: the check every WebAssembly module passes before use', () => {
  it("accepts a module whose exp is this runtime's Math.exp, growing its memory for the scratch", () => {
    const m = fakeModule(0, 65_000); // heap near the end of the one page: the check must grow it
    expect(wasmExpMatches(m)).toBe(true);
    expect(m.grown()).toBeGreaterThan(0);
  });

  it('refuses a module that differs in the last bit on one argument in 200', () => {
    expect(wasmExpMatches(fakeModule(200))).toBe(false);
  });
});
