/**
 * Results a study's storage could not take (its connection lost for good):
 * kept, in the order they were told, until a later call reaches the storage
 * and writes them first. Nothing told is dropped: not a result whose tell
 * failed, not one told while earlier kept ones still could not be written,
 * and not a registered point whose ask failed (kept whole, asked and told
 * later).
 */
import { StateError, StorageError } from '../errors';
import type { Params } from '../space/types';
import type { Trial } from '../study/types';
import type { AskExtra, TellInput } from './journal-io';
import type { MaybePromise } from './study-storage';
import { notRunning } from './trial-queries';

export type KeptResult = TellInput & { at: number };

/** A registered point whose ask the storage could not take, with its result. */
export interface KeptRecord {
  params: Params;
  result: KeptResult;
  extra: AskExtra;
}

export class UntoldResults {
  private readonly kept = new Map<number, KeptResult>();
  private readonly records: KeptRecord[] = [];

  /** Whether any result waits to be written. */
  get size(): number {
    return this.kept.size + this.records.length;
  }

  /**
   * Runs `ask` (the storage's ask of a registered point); on a StorageError
   * the point and its result are kept, to be asked and told by the next call
   * that reaches the storage, and the error says so. Other errors pass through.
   */
  keepRecordOnFailure<T>(record: KeptRecord, ask: () => MaybePromise<T>): MaybePromise<T> {
    return keepOn(ask, 'the registered result is kept and written by the next call that reaches the storage', () => this.records.push(record));
  }

  /**
   * Runs `write` (the storage's tell of trial `id`); on a StorageError the
   * result is kept, and the error says so. Other errors pass through.
   */
  keepOnFailure<T>(id: number, result: KeptResult, write: () => MaybePromise<T>): MaybePromise<T> {
    // A write whose reply was lost (a connection gone mid-append) may have landed: the next call's
    // tell finds its trial ended with this very result and writes nothing (see lateTell), so the
    // message says as much, where it said "written" of a result that was already there.
    return keepOn(write, `the result of trial ${id} is kept: its write may have landed, and the next call that reaches the storage checks and writes it only if not`,
      () => this.kept.set(id, result));
  }

  /**
   * Writes what is kept, oldest first, each kept until it is written: the
   * kept registrations are asked with `ask` (which returns the new trial's
   * id), and then every kept result is told with `tell`; `done` runs after
   * each tell, with what `tell` returned.
   */
  async flush<T>(
    tell: (id: number, result: KeptResult) => MaybePromise<T>, done: (id: number, result: KeptResult, written: T) => void,
    ask: (record: KeptRecord) => MaybePromise<number>,
  ): Promise<void> {
    while (this.records.length) {
      const record = this.records[0];
      const id = await ask(record);
      this.records.shift();
      this.kept.set(id, record.result);
    }
    for (const [id, result] of [...this.kept]) {
      let written: T;
      try {
        written = await tell(id, result);
      } catch (e) {
        // no later write can record it (its study was deleted, its trial is gone): said once, not kept to
        // fail every later call of the optimizer as it did
        if (e instanceof StateError) this.kept.delete(id);
        throw e;
      }
      this.kept.delete(id);
      done(id, result, written);
    }
  }
}

/** Runs `write`; on a StorageError (thrown or rejected) runs `keep` and rethrows with `said` (what is kept, and how it is written) after its message. */
function keepOn<T>(write: () => MaybePromise<T>, said: string, keep: () => void): MaybePromise<T> {
  const kept = (e: unknown): never => {
    if (!(e instanceof StorageError)) throw e;
    keep();
    throw new StorageError(`${e.message}; ${said}`, { cause: e });
  };
  let r: MaybePromise<T>;
  try {
    r = write();
  } catch (e) {
    return kept(e);
  }
  return r instanceof Promise ? r.catch(kept) : r;
}

/**
 * What to do with a result whose tell the storage refused because trial
 * `stored` (as read back) had already ended. Either another worker took its
 * owner for stopped and failed it (a retry asks the same params again): a
 * completed evaluation is then recorded as a new trial ('record', source
 * 'register', `lateOf` the failed trial), so it is not lost, and a failed one
 * adds nothing ('keep'). Optuna refuses such a tell and drops the result;
 * like Optuna, the late trial takes no new place in a `resume` budget (its
 * evaluation was the failed trial's, whose place the retry fills), so a
 * budget of N still asks N points.
 * Or an earlier write of this very tell landed though its reply was lost
 * ('keep').
 * @throws StateError when the stored trial holds another result (told twice)
 */
export function lateTell(stored: Trial, result: TellInput): 'record' | 'keep' {
  if (stored.status === 'failed') return completesTrial(result) ? 'record' : 'keep';
  if (stored.status === 'complete' && stored.target === result.target) return 'keep';
  throw new StateError(`${notRunning('tell', stored.id, stored.status, true)}; this result was not recorded`);
}

/** Whether a tell completes its trial: a finite target and no error (anything else fails it). */
export function completesTrial(result: TellInput): boolean {
  return typeof result.target === 'number' && Number.isFinite(result.target) && result.error === undefined;
}
