/**
 * Calls the user's objective so that nothing it does can crash the study:
 * throws, rejections, non-numbers, NaN, infinities and timeouts all become a
 * failed outcome with a reason.
 */
import { errorText } from '../util/error-text';
import type { ReportOptions } from '../pruners/types';
import type { Params } from '../space/types';
import { setLongTimeout, yieldToEventLoop } from '../util/timer';

/** Context passed as the objective's second argument. */
export interface TrialContext {
  /** the trial's id */
  trialId: number;
  /**
   * aborted when the wait for the trial ends: its timeout (`signal.reason`
   * an Error "objective timed out after N ms"), `dispose()` ("optimizer has
   * been disposed") or the `maximize` signal ("maximize: aborted by its
   * signal"), so an objective can tell which
   */
  signal: AbortSignal;
  /**
   * Records an intermediate value (the validation metric after `step`
   * epochs, say; steps strictly increasing integers >= 0) in the study, and
   * resolves to true when the pruner says to stop this trial. Then return
   * (the value reported, say; what is returned is not used) or throw: the
   * trial ends 'pruned' with this value and step.
   * Rejects with InvalidPointError for a bad step or a non-finite value, and
   * with StateError after the trial was pruned or ended; earlier reports stay.
   * A call not awaited that rejects records nothing and is dropped: the
   * rejection does not count as unhandled (it would end a Node process).
   * With `{ final: true }` (the trial's last step) the value is recorded and
   * resolves to false: stopping would save nothing, so no verdict is used
   * (ASHA and Hyperband still record its rung values, so it counts there).
   *
   * @example
   * for (let epoch = 1; epoch <= 20; epoch++) {
   *   const loss = await trainOneEpoch();
   *   if (await ctx.report(epoch, loss)) return loss; // pruned
   * }
   */
  report(step: number, value: number, options?: ReportOptions): Promise<boolean>;
  /** The pruner's verdict on the latest report (false before any report). */
  shouldPrune(): boolean;
  /**
   * Records a user attribute of this trial (Optuna's `trial.set_user_attr`):
   * `key` a non-empty string, `value` JSON (strings, finite numbers,
   * booleans, null, arrays and plain objects). Written to the study (a
   * journal keeps it, and Optuna reads it as the trial's user attr); a later
   * call with the same key replaces the value. The trial's `userAttrs` hold
   * them. Rejects with InvalidOptionError naming `key` or `value`, and with
   * StateError once the trial has ended; nothing is then recorded (and a
   * call not awaited that rejects is dropped, as `report`'s).
   *
   * @example
   * const { loss, epochs } = await train(params);
   * await ctx.setUserAttr('epochs', epochs);
   */
  setUserAttr(key: string, value: unknown): Promise<void>;
}

/** What the runner adds to the context: reporting, with a pruner behind it, and user attributes. */
export type ReportHooks = Pick<TrialContext, 'report' | 'shouldPrune' | 'setUserAttr'>;

/** Reports and attributes go nowhere and never prune (an objective called outside a study). */
const NO_REPORTS: ReportHooks = { report: async () => false, shouldPrune: () => false, setUserAttr: async () => undefined };

/**
 * The function being optimized: returns the target, a finite number, or a
 * promise of one. `P` is the params' type; the optimizers infer it from
 * `space` or `pbounds` (see `ObjectiveParams`). Checked at run time as well:
 * anything else it returns (NaN, a non-number from untyped code) fails its
 * trial, as a throw does.
 */
export type Objective<P extends Params = Params> = (params: P, context: TrialContext) => number | PromiseLike<number>;

export type Outcome =
  | { ok: true; target: number; durationMs: number }
  /** `abandoned`: the wait ended (timeout, abort) while the objective still ran */
  | { ok: false; error: string; durationMs: number; abandoned?: boolean };

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Why a returned value is not a usable target, or null if it is one. */
export function describeBadTarget(v: unknown): string | null {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'objective returned NaN';
    if (!Number.isFinite(v)) return `objective returned ${v}`;
    return null;
  }
  if (v === null) return 'objective returned null, expected a finite number';
  if (typeof v === 'string') return `objective returned a string ("${v.length > 40 ? v.slice(0, 40) + '...' : v}"), expected a finite number`;
  return `objective returned ${v === undefined ? 'undefined' : `a${typeof v === 'object' ? 'n' : ''} ${typeof v}`}, expected a finite number`;
}

/**
 * Runs `f(params)` once. With `timeoutMs`, a call still running after that
 * long is abandoned (its signal is aborted) and counted as failed. `Infinity`
 * means no timeout; finite delays above the platform's timer limit
 * (2^31 - 1 ms) are honored in chunks.
 */
export async function runObjective(
  f: Objective, params: Params, trialId: number, timeoutMs?: number, hooks: ReportHooks = NO_REPORTS, abort?: AbortSignal,
): Promise<Outcome> {
  const t0 = now();
  const ac = new AbortController();
  let cancelTimer: (() => void) | undefined;
  let stopWaiting: (() => void) | undefined;
  // Whether the event loop took a turn (a 0 ms timer, due before any timer or I/O the objective
  // waits on) before the objective settled: if not, it ran synchronously (or in microtasks) and no
  // timer could stop it, so its wall time is judged against the limit after the fact. If so, the
  // limit's timer decides: the wall time also holds other work that blocked the loop meanwhile
  // (with concurrency, the next trials' suggestions), and trials that ended in time were failed.
  let turned = false;
  let settled = false;
  let turnTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (abort?.aborted) return { ok: false, error: abortText(abort), durationMs: 0, abandoned: true };
    const call = Promise.resolve().then(() => {
      const r = f({ ...params }, { trialId, signal: ac.signal, report: hooks.report, shouldPrune: hooks.shouldPrune, setUserAttr: hooks.setUserAttr });
      turnTimer = setTimeout(() => { turned = true; }, 0);
      return r;
    });
    // `abort` (dispose, a maximize signal) stops the wait: the trial fails and the objective's signal is aborted.
    const aborted = abort && new Promise<never>((_, reject) => {
      const onAbort = () => {
        ac.abort(abort.reason);
        reject(new TrialAborted(abortText(abort)));
      };
      abort.addEventListener('abort', onAbort, { once: true });
      stopWaiting = () => abort.removeEventListener('abort', onAbort);
    });
    const raced =
      timeoutMs !== undefined && timeoutMs !== Infinity
        ? Promise.race([
            call,
            new Promise<never>((_, reject) => {
              // past the limit, one more turn of the loop first: I/O the objective waited on that
              // completed while the loop was blocked is taken before the trial is called timed out
              cancelTimer = setLongTimeout(() => void yieldToEventLoop().then(() => {
                if (settled) return; // it ended in that turn: its signal stays as it was
                const e = new TrialTimeout(timeoutMs);
                ac.abort(e);
                reject(e);
              }), timeoutMs);
            }),
          ])
        : call;
    const value = await (aborted ? Promise.race([raced, aborted]) : raced);
    // a synchronous objective blocks the timer that would have ended it: past the limit it fails all the same
    if (timeoutMs !== undefined && !turned && now() - t0 > timeoutMs) throw new TrialTimeout(timeoutMs);
    const bad = describeBadTarget(value);
    if (bad) return { ok: false, error: bad, durationMs: now() - t0 };
    return { ok: true, target: value as number, durationMs: now() - t0 };
  } catch (e) {
    const cut = isInstance(e, TrialTimeout) || isInstance(e, TrialAborted);
    return { ok: false, error: cut ? (e as Error).message : `objective threw: ${errorText(e)}`, durationMs: now() - t0, abandoned: cut };
  } finally {
    settled = true;
    cancelTimer?.();
    stopWaiting?.();
    clearTimeout(turnTimer);
  }
}

class TrialAborted extends Error {}

/** `e instanceof C`, false where asking throws: a thrown Proxy whose getPrototypeOf trap throws crashed maximize. */
function isInstance(e: unknown, C: new (...args: never[]) => unknown): boolean {
  try {
    return e instanceof C;
  } catch {
    return false;
  }
}

function abortText(s: AbortSignal): string {
  const r = s.reason as unknown;
  return isInstance(r, Error) ? errorText(r) : typeof r === 'string' ? r : 'aborted';
}

class TrialTimeout extends Error {
  constructor(ms: number) {
    super(`objective timed out after ${ms} ms`);
    this.name = 'TimeoutError'; // as AbortSignal.timeout()'s reason is named
  }
}

