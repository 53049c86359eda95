/**
 * One objective call of a trial, from asked to told: the objective runs with
 * reporting hooks (the pruner judges each report), its timeout, and an abort
 * that `dispose()` or the maximize signal trigger; the outcome is told to the
 * study (complete, failed or pruned). Several calls may be in flight at once
 * (`maximize({ concurrency })`): an abort ends the wait for every one.
 */
import { StateError } from '../errors';
import type { Study } from '../storage/study';
import type { Trial } from '../study/types';
import { KEEP, type Pruner, type PruneVerdict } from '../pruners';
import { inTurn, judgeAndRecord, reportFinal } from './judge-report';
import { runObjective, type Objective, type ReportHooks } from './objective';
import { checkUserAttr } from './call-checks';
import { signalAborted } from './cut-off';

export interface TrialCallOptions {
  study: Study;
  f?: Objective;
  trialTimeoutMs?: number;
  /** judges each report of a running trial; none: reports are recorded, nothing is pruned */
  pruner?: Pruner;
  /** called with each finished trial (the progress table) */
  onTold: (t: Trial) => void;
  /**
   * a trial cut off by dispose() stays pending in the storage, for the next
   * worker to retry (a journal this optimizer opened: its close marks this
   * worker closed, and the next reader fails and re-asks such trials at
   * once, as it does a killed worker's); else it is recorded as failed [false]
   */
  leaveInterrupted?: boolean;
}

export class TrialCalls {
  /** one per objective call in flight: aborts its wait (dispose, signal) */
  private readonly running = new Set<AbortController>();
  /**
   * abortAll's reason, for good (it comes from dispose): a trial whose ask was
   * in flight then reaches run() after it, and its objective must not start
   * unaborted (a stuck one hung maximize and close() for ever)
   */
  private abortedFor: string | null = null;
  /** the running maximize's signal */
  private signal: AbortSignal | undefined;
  /** the running maximize's callback after each finished trial */
  private finished: ((t: Trial) => Promise<void>) | undefined;
  /**
   * ends the wait for the `finished` callbacks in progress (abortAll): a
   * callback that awaits `close()` would otherwise wait for the maximize
   * that waits for it, and neither ever settled
   */
  private readonly callbackWaits = new Set<(e: StateError) => void>();

  constructor(private readonly o: TrialCallOptions) {}

  /**
   * Runs `fn` with `signal` as the maximize signal the calls meanwhile obey,
   * and `finished` awaited after each call's trial is recorded.
   */
  async withSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>, finished?: (t: Trial) => Promise<void>): Promise<T> {
    this.signal = signal;
    this.finished = finished;
    try {
      this.checkSignal();
      return await fn();
    } finally {
      this.signal = undefined;
      this.finished = undefined;
    }
  }

  /** Throws StateError (its `cause` the signal's reason) when the maximize signal has aborted. */
  checkSignal(): void {
    if (this.signal?.aborted) throw signalAborted(this.signal);
  }

  /**
   * Ends the wait for every running objective: each trial is recorded as
   * failed with `reason`, and each call that ran one rejects with StateError(reason).
   */
  abortAll(reason: string): void {
    this.abortedFor = reason;
    for (const ac of this.running) ac.abort(new StateError(reason));
    for (const end of this.callbackWaits) end(new StateError(reason));
  }

  /**
   * Awaits the maximize's `finished` callback for `t`, until abortAll: then
   * it rejects with StateError(reason) and the callback is left to run on
   * (its later error is ignored, as an abandoned objective's result is).
   */
  private async callback(t: Trial): Promise<void> {
    const finished = this.finished;
    if (!finished) return;
    const cb = handled(finished(t));
    let end!: (e: StateError) => void;
    const cut = new Promise<never>((_, reject) => (end = reject));
    // already disposed (in the objective, or an earlier callback): the callback runs, nothing waits for it
    if (this.abortedFor !== null) end(new StateError(this.abortedFor));
    this.callbackWaits.add(end);
    try {
      await Promise.race([cb, cut]);
    } finally {
      this.callbackWaits.delete(end);
    }
  }

  /**
   * Calls `f` with reporting hooks, then tells the outcome. Once the pruner
   * says stop, the trial ends 'pruned' at that report whatever `f` then
   * returns or throws, and later reports are refused.
   * @throws StateError when aborted (the trial is recorded as failed first, or left pending: see leaveInterrupted);
   *   the error of the maximize's `finished` callback (the trial is recorded first); StateError when
   *   dispose() comes while that callback runs (it is no longer waited for)
   */
  async run(trial: Trial): Promise<Trial> {
    const f = this.o.f;
    if (!f) throw new StateError('maximize: no objective; pass `f` to the constructor');
    const study = this.o.study;
    const id = trial.id;
    let verdict = false;
    let prunedAt: number | null = null;
    let finalAt: number | null = null;
    let ended = false;
    // the wait ended (timeout, abort) while the objective still ran: its later reports are answered "stop"
    let abandoned = false;
    // reports are written one after another, so a report not awaited is checked against the one before it
    let queue: Promise<unknown> = Promise.resolve();
    const refused = (): StateError | null => ended ? new StateError(`report: trial ${id} has already ended; nothing was recorded`)
      : prunedAt !== null ? new StateError(`report: trial ${id} was pruned at step ${prunedAt}; nothing was recorded`)
        : finalAt !== null ? new StateError(`report: trial ${id} reported its final step ${finalAt}; nothing was recorded`) : null;
    const calls: ReportHooks = {
      report: async (step, value, options) => {
        const final = reportFinal(options);
        // An objective left running by its timeout or an abort may report without awaiting: a
        // rejection there would be unhandled and end the process, so it is told to stop instead.
        if (abandoned) return true;
        const now = refused();
        if (now) throw now;
        if (final) finalAt = step;
        const write = queue.then(async () => {
          // pruned at an earlier step while this one waited its turn, or the trial was cut off
          // meanwhile: nothing is recorded, and the answer is still "stop"
          if (prunedAt !== null || abandoned) return true;
          let judged: PruneVerdict = KEEP;
          try {
            // the verdict first, on the curve with this report added, so a pruner that fails records
            // nothing; then the value with what the pruner keeps beside it, in one write; a stopped trial
            // ends pruned here whatever f then does, its mark letting a resume end it so if this worker
            // ends before recording it (judged and written in turn with the other workers' reports: see
            // judgeAndRecord, inTurn)
            judged = await inTurn(study, () => judgeAndRecord(study, this.o.pruner, id, step, value, final));
          } catch (e) {
            if (final && finalAt === step) finalAt = null; // a refused final report does not end the reporting
            throw e;
          }
          verdict = judged.prune;
          if (verdict) prunedAt = step;
          return verdict;
        });
        queue = write.catch(() => undefined);
        return write;
      },
      shouldPrune: () => verdict,
      setUserAttr: async (key, value) => {
        const own = checkUserAttr(key, value);
        // as a report: an objective cut off by its timeout or an abort records nothing, and is not rejected
        if (abandoned) return;
        if (ended) throw new StateError(`setUserAttr: trial ${id} has already ended; nothing was recorded`);
        // in turn with the reports, so the trial ends after every write its objective made
        const write = queue.then(async () => {
          if (abandoned) return;
          await study.setUserAttrs(id, { [key]: own });
        });
        queue = write.catch(() => undefined);
        return write;
      },
    };
    // A call the objective does not await must not end the process when it rejects (Node ends it on
    // an unhandled rejection): each promise is marked handled, and an objective that awaits one
    // still gets its error
    const hooks: ReportHooks = {
      report: (step, value, options) => handled(calls.report(step, value, options)),
      shouldPrune: calls.shouldPrune,
      setUserAttr: (key, value) => handled(calls.setUserAttr(key, value)),
    };
    // dispose() or the maximize signal end the wait for the objective
    const ac = new AbortController();
    this.running.add(ac);
    const signal = this.signal;
    const onAbort = () => ac.abort(signalAborted(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    if (this.abortedFor !== null) ac.abort(new StateError(this.abortedFor));
    let out;
    try {
      out = await runObjective(f, trial.params, id, this.o.trialTimeoutMs, hooks, ac.signal);
    } finally {
      this.running.delete(ac);
      signal?.removeEventListener('abort', onAbort);
    }
    if (!out.ok && out.abandoned) abandoned = true;
    await queue; // reports made and not awaited land before the trial ends
    ended = true;
    // cut off by dispose (a graceful shutdown): not a failure of the objective, so left for a retry, not
    // recorded as a failed trial that took its place in the budget and read as a bad point to the model
    if (abandoned && prunedAt === null && this.abortedFor !== null && this.o.leaveInterrupted) throw new StateError(this.abortedFor);
    // a trial the pruner stopped ends pruned, even if an abort came before its objective returned
    const done = prunedAt !== null
      ? await study.prune(id, { durationMs: out.durationMs })
      : await study.tell(id, out.ok ? { target: out.target, durationMs: out.durationMs } : { error: out.error, durationMs: out.durationMs });
    this.o.onTold(done);
    let failed: { e: unknown } | null = null;
    try {
      await this.callback(done);
    } catch (e) {
      failed = { e };
    }
    if (ac.signal.aborted) throw ac.signal.reason as StateError;
    if (failed) throw failed.e;
    return done;
  }
}

/** `p`, marked handled: its rejection does not count as unhandled when nobody awaits it. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
