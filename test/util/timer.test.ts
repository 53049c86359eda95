/** setLongTimeout honors delays above the platform's 2^31 - 1 ms timer limit. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, setLongTimeout } from '../../src/util/timer';

describe('setLongTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a plain setTimeout above the limit fires after 1 ms (why this exists)', () => {
    const fn = vi.fn();
    setTimeout(fn, 2 ** 31);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  for (const ms of [2 ** 31, 2 ** 32 + 5, 1e12]) {
    it(`fires once after ${ms} ms, not before`, () => {
      const fn = vi.fn();
      setLongTimeout(fn, ms);
      vi.advanceTimersByTime(ms - 1);
      expect(fn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(10 * MAX_TIMER_DELAY_MS);
      expect(fn).toHaveBeenCalledTimes(1);
    });
  }

  it('Infinity never fires; cancel stops a chunked wait', () => {
    const never = vi.fn();
    setLongTimeout(never, Infinity);
    const cancelled = vi.fn();
    const cancel = setLongTimeout(cancelled, 3 * MAX_TIMER_DELAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 10);
    cancel();
    cancel();
    vi.advanceTimersByTime(10 * MAX_TIMER_DELAY_MS);
    expect(never).not.toHaveBeenCalled();
    expect(cancelled).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('short delays are plain timers', () => {
    const fn = vi.fn();
    setLongTimeout(fn, 30);
    vi.advanceTimersByTime(29);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
