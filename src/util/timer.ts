/**
 * Timers without the platform's delay limit: Node, browsers and Deno store a
 * timer's delay in a signed 32-bit integer, so a delay above 2^31 - 1 ms
 * (about 24.8 days) fires after 1 ms instead. `setLongTimeout` waits in
 * chunks of at most that limit, so any finite delay is honored.
 */

/** The longest delay one `setTimeout` honors, in ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `fn` once after `ms` milliseconds, for any `ms >= 0`; `Infinity`
 * never fires. Returns a function that cancels the timer (idempotent).
 *
 * @example
 * const cancel = setLongTimeout(() => console.log('30 days later'), 30 * 86_400_000);
 * cancel();
 */
export function setLongTimeout(fn: () => void, ms: number): () => void {
  let handle: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  if (ms === Infinity) return () => undefined;
  const due = Date.now() + ms;
  const arm = (left: number): void => {
    handle = setTimeout(() => {
      handle = undefined;
      if (cancelled) return;
      // Chunks run in wall-clock time, so a suspended process does not stretch the wait.
      const rest = left > MAX_TIMER_DELAY_MS ? due - Date.now() : 0;
      if (rest > 0) arm(rest);
      else fn();
    }, Math.min(Math.max(0, left), MAX_TIMER_DELAY_MS));
  };
  arm(ms);
  return () => {
    cancelled = true;
    if (handle !== undefined) clearTimeout(handle);
    handle = undefined;
  };
}
