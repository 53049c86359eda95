/** Number formatting of the printed tables, progress lines and the HTML report. */
import { describe, expect, it } from 'vitest';
import { formatValue, plural, show } from '../../src/util/format-value';

describe('formatValue', () => {
  it('3 significant digits, exponents past 1e5 and below 1e-3; strings and integers below 2^53 as they are', () => {
    expect(formatValue(0.39788735772973816)).toBe('0.398');
    expect(formatValue(1.2e-5)).toBe('1.20e-5');
    expect(formatValue(123456.7)).toBe('1.23e+5');
    expect(formatValue(1234567)).toBe('1234567');
    expect(formatValue('relu')).toBe('relu');
    // every float from 2^53 on is an integer: those printed whole (9.993188152990597e+299 in a table cell)
    expect(formatValue(9.993188152990597e299)).toBe('9.99e+299');
    expect(formatValue(-(2 ** 53))).toBe('-9.01e+15');
    expect(formatValue(2 ** 53 - 1)).toBe('9007199254740991');
  });

  it('plural and show', () => {
    expect([plural(1, 'epoch'), plural(3, 'epoch')]).toEqual(['1 epoch', '3 epochs']);
    expect([show('a'), show(NaN), show(1n), show(() => 1), show({ a: 1 })]).toEqual(['"a"', 'NaN', '1n', 'a function', '{"a":1}']);
  });
});
