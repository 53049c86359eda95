import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { DIGIT_SIZE, generateDigits, renderDigit, syntheticDigitSplits } from '../../src/data/digits-generator';
import { Rng } from '../../src/util/rng';
import { thrown } from '../optimizer/caught';

const P = DIGIT_SIZE * DIGIT_SIZE;
const train = generateDigits(2000, { seed: 1 });
const test = generateDigits(500, { seed: 2 });

describe('generateDigits', () => {
  it('returns n x 28 x 28 pixels in [0, 1] with labels 0..9', () => {
    expect([train.n, train.height, train.width, train.numClasses]).toEqual([2000, 28, 28, 10]);
    expect(train.x).toHaveLength(2000 * P);
    expect(train.labels).toHaveLength(2000);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(train.labels.every((l) => l >= 0 && l < 10 && Number.isInteger(l))).toBe(true);
  });

  it('is deterministic under a seed and differs between seeds', () => {
    const a = generateDigits(50, { seed: 1 });
    const b = generateDigits(50, { seed: 1 });
    expect(b.labels).toEqual(a.labels);
    expect(b.x).toEqual(a.x);
    expect(generateDigits(50, { seed: 3 }).x).not.toEqual(a.x);
  });

  it('balances the classes exactly', () => {
    const counts = new Array(10).fill(0);
    for (const l of train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(200));
    const odd = generateDigits(25, { seed: 4 });
    const c2 = new Array(10).fill(0);
    for (const l of odd.labels) c2[l]++;
    expect(c2.every((c) => c === 2 || c === 3)).toBe(true);
  });

  it('centres the ink like MNIST: centre of mass near (14, 14), nothing in the outer 2-pixel frame without noise', () => {
    const clean = generateDigits(300, { seed: 5, noise: 0, strayProb: 0 });
    for (let i = 0; i < clean.n; i++) {
      let m = 0;
      let mx = 0;
      let my = 0;
      let frame = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const v = clean.x[i * P + y * 28 + x];
          m += v;
          mx += v * (x + 0.5);
          my += v * (y + 0.5);
          if (x < 2 || x >= 26 || y < 2 || y >= 26) frame += v;
        }
      }
      // translatePx (1.5) plus the gap between stroke and ink centres of mass
      expect(Math.hypot(mx / m - 14, my / m - 14)).toBeLessThan(3);
      expect(frame).toBe(0);
      expect(m).toBeGreaterThan(15); // a visible glyph (a thin "1" is about 20 px tall, 1.5 px wide)
    }
  });

  it('carries the label: a nearest-class-mean classifier beats 60% on fresh images', () => {
    const means = new Float64Array(10 * P);
    const counts = new Float64Array(10);
    for (let i = 0; i < train.n; i++) {
      const c = train.labels[i];
      counts[c]++;
      for (let j = 0; j < P; j++) means[c * P + j] += train.x[i * P + j];
    }
    for (let c = 0; c < 10; c++) for (let j = 0; j < P; j++) means[c * P + j] /= counts[c];
    let correct = 0;
    for (let i = 0; i < test.n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let c = 0; c < 10; c++) {
        let d = 0;
        for (let j = 0; j < P; j++) d += (test.x[i * P + j] - means[c * P + j]) ** 2;
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (best === test.labels[i]) correct++;
    }
    const acc = correct / test.n;
    expect(acc).toBeGreaterThan(0.6);
    // but not trivial: distortions keep a linear-template classifier well short of perfect
    expect(acc).toBeLessThan(0.95);
  });

  it('renders into an offset of a caller-owned buffer, touching nothing else', () => {
    const buf = new Float32Array(3 * P).fill(-1);
    renderDigit(7, new Rng(9), { noise: 0 }, buf, P);
    expect(buf.subarray(0, P).every((v) => v === -1)).toBe(true);
    expect(buf.subarray(2 * P).every((v) => v === -1)).toBe(true);
    expect(buf.subarray(P, 2 * P).some((v) => v > 0.5)).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => generateDigits(1.5)).toThrow(new InvalidOptionError('option "n": must be a non-negative integer (got 1.5)', 'n'));
    expect(() => generateDigits(1, { noise: -1 })).toThrow('option "noise": must be a finite number >= 0 (got -1)');
    expect(() => generateDigits(1, { strokeWidth: [3, 2] })).toThrow(
      'option "strokeWidth": must be a range [low, high] with 0 < low <= high (got [3, 2])',
    );
    expect(() => generateDigits(1, { trim: 0.5 })).toThrow('option "trim": must be less than 0.5 (got 0.5)');
  });

  it('renderDigit refuses arguments it cannot draw with, naming them (undefined options and a digit past 9 were TypeErrors, a short buffer lost the image\'s end)', () => {
    const buf = new Float32Array(P);
    for (const [call, option, message] of [
      [() => renderDigit(10, new Rng(1), {}, buf), 'digit', 'renderDigit: digit: expected an integer from 0 to 9, got 10'],
      [() => renderDigit(undefined as never, new Rng(1), {}, buf), 'digit', 'renderDigit: digit: expected an integer from 0 to 9, got undefined'],
      [() => renderDigit(1, undefined as never, {}, buf), 'rng', 'renderDigit: rng: expected an Rng (new Rng(seed)), got undefined'],
      [() => renderDigit(1, new Rng(1), undefined as never, buf), 'options', 'renderDigit: options must be an object, got undefined'],
      [() => renderDigit(1, new Rng(1), { nosie: 0 } as never, buf), 'nosie', `option "nosie": unknown option of renderDigit (known: seed, noise, strokeWidth, rotationDeg, shear, scale, translatePx, elastic, trim, strayProb)`],
      [() => renderDigit(1, new Rng(1), {}, buf, 1), 'out', `renderDigit: out: expected a Float32Array with room for ${P} pixels from offset 1, got ${P} entries`],
      [() => renderDigit(1, new Rng(1), {}, [] as never), 'out', `renderDigit: out: expected a Float32Array with room for ${P} pixels from offset 0, got []`],
      [() => renderDigit(1, new Rng(1), {}, buf, -1), 'offset', 'renderDigit: offset: expected a non-negative integer, got -1'],
    ] as const) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual([option, message]);
    }
  });
});

describe('syntheticDigitSplits', () => {
  it('builds train/val/test of the requested sizes from one seed', () => {
    const s = syntheticDigitSplits({ nTrain: 100, nTest: 30, valFraction: 0.2, seed: 3 });
    expect([s.train.n, s.val.n, s.test.n]).toEqual([80, 20, 30]);
    expect(syntheticDigitSplits({ nTrain: 100, nTest: 30, valFraction: 0.2, seed: 3 }).val.x).toEqual(s.val.x);
  });

  it('refuses options that are not an object (null was a TypeError reading seed) and unknown ones, as generateDigits does', () => {
    for (const [call, option, message] of [
      [() => syntheticDigitSplits(null as never), 'options', 'syntheticDigitSplits: options must be an object, got null'],
      [() => syntheticDigitSplits({ ntrain: 10 } as never), 'ntrain', 'option "ntrain": unknown option of syntheticDigitSplits (known: seed, noise, strokeWidth, rotationDeg, shear, scale, translatePx, elastic, trim, strayProb, nTrain, nTest, valFraction)'],
      [() => generateDigits(1, null as never), 'options', 'generateDigits: options must be an object, got null'],
      [() => generateDigits(1, { nTrain: 5 } as never), 'nTrain', 'option "nTrain": unknown option of generateDigits (known: seed, noise, strokeWidth, rotationDeg, shear, scale, translatePx, elastic, trim, strayProb)'],
    ] as const) {
      const e = thrown(call) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual([option, message]);
    }
  });
});
