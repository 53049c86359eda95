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

/**
 * Resolves after the event loop has had a turn: timers, I/O and abort
 * signals that came due meanwhile run first. A loop whose steps never wait
 * on anything (a synchronous objective) calls it between steps, or an
 * `AbortSignal.timeout`, a `setTimeout(() => opt.dispose())` or a trial
 * timeout would never fire. `setImmediate` where there is one (Node), a
 * MessageChannel message in browsers (no 4 ms clamp), else a 0 ms timer.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((r) => void g.setImmediate!(r));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}
