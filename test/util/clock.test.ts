import { afterEach, describe, expect, it, vi } from 'vitest';
import { roundMicros, tellTime, TELL_TIME_STEP_MS } from '../../src/util/clock';

afterEach(() => vi.restoreAllMocks());

describe('tellTime', () => {
  it('steps by one microsecond while the wall clock stands still, and follows it once it moves on', () => {
    const T = Date.now() + 60_000; // ahead of any earlier call in this file
    const now = vi.spyOn(Date, 'now').mockReturnValue(T);
    const a = tellTime();
    const b = tellTime();
    const c = tellTime();
    expect(a).toBe(T);
    expect(b).toBe(roundMicros(T + TELL_TIME_STEP_MS));
    expect(c).toBe(roundMicros(T + 2 * TELL_TIME_STEP_MS));
    expect(c - a).toBeCloseTo(0.002, 3); // a double near 1.8e12 ms resolves about 0.24 µs
    now.mockReturnValue(T + 1);
    expect(tellTime()).toBe(T + 1); // the clock moved past the steps: its own time again
  });

  it('never runs behind Date.now() and never repeats a value', () => {
    const seen: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const before = Date.now();
      const t = tellTime();
      expect(t).toBeGreaterThanOrEqual(before);
      seen.push(t);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
  });

  it('roundMicros keeps whole microseconds of an epoch time', () => {
    expect(roundMicros(1_796_147_402_841.1234)).toBe(1_796_147_402_841.123);
    expect(roundMicros(5)).toBe(5);
  });
});

describe('notBefore', () => {
  it("a start ahead of this process's clock (another machine's, another time zone's) raises that finish only, not every later tell", async () => {
    vi.resetModules(); // a clock of its own: the tests above moved this file's ahead
    const { notBefore, tellTime } = await import('../../src/util/clock');
    const ahead = Date.now() + 9 * 3600_000; // Optuna's naive local time written nine hours east
    expect(notBefore(Date.now(), ahead)).toBe(ahead);
    const t = tellTime();
    expect(t).toBeLessThan(Date.now() + 1000);
    // a start this clock has reached (its own ask, a millisecond after the result was timed) still moves it on
    const start = Math.floor(Date.now());
    expect(notBefore(start - 0.5, start)).toBe(start);
    expect(tellTime()).toBeGreaterThan(start);
  });
});
