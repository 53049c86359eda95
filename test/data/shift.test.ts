import { describe, expect, it } from 'vitest';
import { shiftImages } from '../../src/data/shift';
import { InvalidOptionError } from '../../src/errors';
import { Rng } from '../../src/util/rng';

/** Images whose pixels are all distinct and non-zero: value = 1 + index. */
const ramp = (n: number, h: number, w: number) => Float32Array.from({ length: n * h * w }, (_, i) => i + 1);

describe('shiftImages', () => {
  it('moves each image by the shifts its seeded generator draws (row then column), with zeros shifted in', () => {
    const [n, h, w, s] = [40, 5, 6, 2];
    const x = ramp(n, h, w);
    const out = shiftImages(x, n, h, w, s, new Rng(11));
    const draws = new Rng(11);
    for (let i = 0; i < n; i++) {
      const dr = draws.int(2 * s + 1) - s;
      const dc = draws.int(2 * s + 1) - s;
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
        const [sr, sc] = [r - dr, c - dc];
        const want = sr >= 0 && sr < h && sc >= 0 && sc < w ? x[(i * h + sr) * w + sc] : 0;
        expect(out[(i * h + r) * w + c]).toBe(want);
      }
    }
  });

  it('draws every shift in -maxShift..maxShift in both directions and keeps the input unchanged', () => {
    const [n, h, w] = [400, 4, 4];
    const x = ramp(n, h, w);
    const copy = x.slice();
    const out = shiftImages(x, n, h, w, 1, new Rng(3));
    expect(x).toEqual(copy);
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      // pixel (1, 1) holds 1 + i*16 + 5 in the input; find where it went
      const at = out.subarray(i * 16, (i + 1) * 16).indexOf(x[i * 16 + 5]);
      seen.add(`${Math.floor(at / 4) - 1},${(at % 4) - 1}`);
    }
    expect([...seen].sort()).toEqual(['-1,-1', '-1,0', '-1,1', '0,-1', '0,0', '0,1', '1,-1', '1,0', '1,1']);
  });

  it('is the identity at maxShift 0 and repeats exactly for the same seed', () => {
    const x = ramp(7, 3, 4);
    expect(shiftImages(x, 7, 3, 4, 0, new Rng(1))).toEqual(x);
    expect(shiftImages(x, 7, 3, 4, 1, new Rng(9))).toEqual(shiftImages(x, 7, 3, 4, 1, new Rng(9)));
    expect(shiftImages(x, 7, 3, 4, 1, new Rng(9))).not.toEqual(shiftImages(x, 7, 3, 4, 1, new Rng(10)));
  });

  it('rejects a shift as large as the image, a fractional shift and arrays of the wrong length, naming the option', () => {
    const x = ramp(2, 3, 3);
    expect(() => shiftImages(x, 2, 3, 3, 3, new Rng(1)))
      .toThrow(new InvalidOptionError('option "maxShift": must be an integer in 0..2 (got 3)', 'maxShift'));
    expect(() => shiftImages(x, 2, 3, 3, 0.5, new Rng(1)))
      .toThrow(new InvalidOptionError('option "maxShift": must be an integer in 0..2 (got 0.5)', 'maxShift'));
    expect(() => shiftImages(x.subarray(1), 2, 3, 3, 1, new Rng(1)))
      .toThrow(new InvalidOptionError('option "x": has 17 values, not n x height x width = 18', 'x'));
    // the bad size is named (a width of 0 was blamed on maxShift), and a string size is refused
    const thrownBy = (f: () => unknown) => { try { f(); } catch (e) { return e as InvalidOptionError; } return null; };
    const e = thrownBy(() => shiftImages(new Float32Array(4), 1, 2, 0, 1, new Rng(1)));
    expect([e?.message, e?.option]).toEqual(['option "width": must be an integer >= 1 (got 0)', 'width']);
    const s = thrownBy(() => shiftImages(new Float32Array(4), 1, '2' as never, 2, 1, new Rng(1)));
    expect([s?.message, s?.option]).toEqual(['option "height": must be an integer >= 1 (got "2")', 'height']);
  });
});
