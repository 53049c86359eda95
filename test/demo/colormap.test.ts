import { describe, expect, it } from 'vitest';
import { colourize, colourRange, viridisTable } from '../../demo/src/colormap';
import { formatCount, formatMs, formatValue } from '../../demo/src/format';

const rgb = (lut: Uint8ClampedArray, i: number) => [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];

describe('viridisTable', () => {
  it("starts and ends at matplotlib viridis' end colours #440154 and #fde725", () => {
    const lut = viridisTable();
    expect(rgb(lut, 0)).toEqual([0x44, 0x01, 0x54]);
    expect(rgb(lut, 255)).toEqual([0xfd, 0xe7, 0x25]);
  });

  it('passes through the mid colour #21918c and gets brighter along the map', () => {
    const lut = viridisTable();
    const luma = (i: number) => {
      const [r, g, b] = rgb(lut, i);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const mid = rgb(lut, 128);
    // 128/255 is 0.002 past the 0.5 stop: within 1 level of #21918c per channel.
    expect(Math.abs(mid[0] - 0x21)).toBeLessThanOrEqual(1);
    expect(Math.abs(mid[1] - 0x91)).toBeLessThanOrEqual(1);
    expect(Math.abs(mid[2] - 0x8c)).toBeLessThanOrEqual(1);
    for (let i = 1; i < 256; i++) expect(luma(i)).toBeGreaterThan(luma(i - 1) - 0.5);
  });
});

describe('colourRange / colourize', () => {
  it('spans the finite values, or clips the low tail at a quantile', () => {
    const v = [NaN, 5, 1, 3, Infinity, 2, 4];
    expect(colourRange(v)).toEqual({ lo: 1, hi: 5, clippedLow: false });
    const many = Array.from({ length: 100 }, (_, i) => i);
    expect(colourRange(many, 0.05)).toEqual({ lo: 5, hi: 99, clippedLow: true });
    expect(colourRange([NaN])).toEqual({ lo: 0, hi: 1, clippedLow: false });
  });

  it('maps lo to the first colour, hi to the last, non-finite to grey, clipped values to the ends', () => {
    const lut = viridisTable();
    const out = new Uint8ClampedArray(5 * 4);
    colourize([0, 10, NaN, -5, 20], { lo: 0, hi: 10, clippedLow: true }, lut, out);
    expect([...out.subarray(0, 4)]).toEqual([...rgb(lut, 0), 255]);
    expect([...out.subarray(4, 8)]).toEqual([...rgb(lut, 255), 255]);
    expect([...out.subarray(8, 12)]).toEqual([128, 128, 128, 255]);
    expect([...out.subarray(12, 16)]).toEqual([...rgb(lut, 0), 255]);
    expect([...out.subarray(16, 20)]).toEqual([...rgb(lut, 255), 255]);
  });
});

describe('format', () => {
  it('formats values, times and counts for labels', () => {
    expect(formatValue(0.39788735772973816)).toBe('0.3979');
    expect(formatValue(304.16)).toBe('304.2');
    expect(formatValue(1.2e-5)).toBe('1.20e-5');
    expect(formatValue(-2.5e6)).toBe('-2.50e+6');
    expect(formatValue(0)).toBe('0');
    expect(formatMs(3.14159)).toBe('3.1 ms');
    expect(formatMs(1234.5)).toBe('1235 ms');
    expect(formatMs(21500)).toBe('21.5 s');
    expect(formatCount(65536)).toBe('65,536');
    expect(formatCount(262144)).toBe('262,144');
  });
});
