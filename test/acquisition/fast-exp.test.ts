import { describe, expect, it } from 'vitest';
import { expFast, FAST_EXP_ERROR, pow2Table } from '../../src/acquisition/bounding-kernel';
import { Rng } from '../../src/util/rng';
import { bits, wasm } from './fixtures/wasm-bits';

const pow2 = pow2Table();
const EPS = 2 ** -53;

/** The largest |expFast(x) - Math.exp(x)| / Math.exp(x) over `xs` (every x in [-708, 0]). */
function worst(xs: Float64Array): number {
  let w = 0;
  for (const x of xs) {
    const e = Math.exp(x);
    w = Math.max(w, Math.abs(expFast(x, pow2) - e) / e);
  }
  return w;
}

/** The module's fast exp of `xs` (even length). */
function wasmFast(xs: Float64Array): Float64Array {
  const ex = wasm();
  const base = (ex.heapBase() + 15) & ~15;
  const need = base + 16 * xs.length;
  if (ex.memory.buffer.byteLength < need) ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
  new Float64Array(ex.memory.buffer, base, xs.length).set(xs);
  ex.expFastArray(base, base + 8 * xs.length, xs.length);
  return new Float64Array(ex.memory.buffer, base + 8 * xs.length, xs.length).slice();
}

describe('the bounding pass fast exp', () => {
  const sweeps: [string, (r: Rng) => number][] = [
    ['[-708, 0]', (r) => r.uniform(-708, 0)],
    ['[-1, 0] (near neighbours)', (r) => r.uniform(-1, 0)],
    ['[-40, 0]', (r) => r.uniform(-40, 0)],
    ['[-708, -690] (the smallest results, 2^k near 2^-1021)', (r) => r.uniform(-708, -690)],
    ['magnitudes 2^-60 .. 2^9.46', (r) => -(2 ** r.uniform(-60, Math.log2(708)))],
  ];
  for (const [name, draw] of sweeps) {
    it(`within FAST_EXP_ERROR (2^-50) of Math.exp on 1,000,000 seeded arguments in ${name}; the module's floats are the same`, () => {
      const rng = new Rng(name.length * 97);
      const xs = Float64Array.from({ length: 1_000_000 }, () => draw(rng));
      const w = worst(xs);
      expect(w).toBeLessThanOrEqual(FAST_EXP_ERROR);
      // the bound's headroom: measured at most 2.9 eps here
      expect(w).toBeLessThan(4 * EPS);
      const ws = wasmFast(xs);
      let differ = 0;
      for (let i = 0; i < xs.length; i++) if (!Object.is(ws[i], expFast(xs[i], pow2))) differ++;
      expect(differ).toBe(0);
    });
  }

  it('every reduction boundary: x = -(k + 1/2) ln 2 and its neighbouring floats, k = 0 .. 1020', () => {
    const xs: number[] = [];
    const f = new Float64Array(1);
    const u = new BigInt64Array(f.buffer);
    for (let k = 0; k <= 1020; k++) {
      f[0] = -(k + 0.5) * Math.LN2;
      for (let s = -3n; s <= 3n; s++) {
        const g = new Float64Array(1);
        new BigInt64Array(g.buffer)[0] = u[0] + s;
        if (g[0] >= -708) xs.push(g[0]);
      }
    }
    if (xs.length & 1) xs.push(-1);
    const a = Float64Array.from(xs);
    expect(worst(a)).toBeLessThanOrEqual(FAST_EXP_ERROR);
    expect(bits(wasmFast(a))).toEqual(bits(Float64Array.from(a, (x) => expFast(x, pow2))));
  });

  it('edge cases: 0 and -0 give 1, below -708 exp(-708) (above the true value), -Infinity likewise, NaN stays NaN', () => {
    const e708 = expFast(-708, pow2);
    expect(expFast(0, pow2)).toBe(1);
    expect(expFast(-0, pow2)).toBe(1);
    expect(Math.abs(e708 - Math.exp(-708)) / Math.exp(-708)).toBeLessThanOrEqual(FAST_EXP_ERROR);
    expect(e708).toBeLessThan(3.4e-308);
    for (const x of [-708.0000001, -709, -745.2, -800, -1e300, -Infinity]) {
      expect(expFast(x, pow2)).toBe(e708);
      expect(expFast(x, pow2)).toBeGreaterThanOrEqual(Math.exp(x));
    }
    expect(expFast(NaN, pow2)).toBeNaN();
    const edge = Float64Array.from([0, -0, -708, -709, -Infinity, NaN, -1e-300, -5e-324]);
    expect(bits(wasmFast(edge))).toEqual(bits(Float64Array.from(edge, (x) => expFast(x, pow2))));
  });

  it('pow2Table holds 2^(i - 1022) exactly', () => {
    for (const i of [0, 1, 500, 1021, 1022]) expect(pow2[i]).toBe(2 ** (i - 1022));
    expect(pow2.length).toBe(1023);
  });
});
