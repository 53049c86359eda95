import { describe, expect, it } from 'vitest';
import { anchorsPay } from '../../src/acquisition/screening-rounds';

describe('when round one tries anchored bounds', () => {
  const bound = Float64Array.from([5, 4, 3, 2, 1, 0, -1, -2]);
  it('waits while at least half the candidates not yet taken still reach the cut', () => {
    // candidates 0..7 left, cut 0: six of eight reach it
    expect(anchorsPay(Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), bound, 0)).toBe(false);
    // cut 3.5: two of eight
    expect(anchorsPay(Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), bound, 3.5)).toBe(true);
  });
  it('counts only the candidates not yet taken, half exactly being enough', () => {
    expect(anchorsPay(Uint32Array.from([0, 7]), bound, 0)).toBe(true); // one of two
    expect(anchorsPay(Uint32Array.from([0, 1, 7]), bound, 0)).toBe(false); // two of three
    expect(anchorsPay(new Uint32Array(0), bound, 0)).toBe(true); // none left: nothing to wait for
  });
  it('reads a NaN bound as not reaching the cut', () => {
    expect(anchorsPay(Uint32Array.from([0, 1]), Float64Array.from([NaN, 5]), 0)).toBe(true);
  });
});
