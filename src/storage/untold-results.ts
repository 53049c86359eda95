/**
 * Results a study's storage could not take (its connection lost for good):
 * kept, in the order they were told, until a later call reaches the storage
 * and writes them first. Nothing told is dropped.
 */
import { StateError, StorageError } from '../errors';
import type { Trial } from '../study/types';
import type { TellInput } from './journal-io';
import type { MaybePromise } from './study-storage';

export type KeptResult = TellInput & { at: number };

export class UntoldResults {
  private readonly kept = new Map<number, KeptResult>();

  /** Whether any result waits to be written. */
  get size(): number {
    return this.kept.size;
  }

  /**
   * Runs `write` (the storage's tell of trial `id`); on a StorageError the
   * result is kept, and the error says so. Other errors pass through.
   */
  keepOnFailure<T>(id: number, result: KeptResult, write: () => MaybePromise<T>): MaybePromise<T> {
    const r = write();
    if (!(r instanceof Promise)) return r;
    return r.catch((e: unknown) => {
      if (!(e instanceof StorageError)) throw e;
      this.kept.set(id, result);
      throw new StorageError(`${e.message}; the result of trial ${id} is kept and written by the next call that reaches the storage`, { cause: e });
    });
  }

  /**
   * Writes the kept results with `tell`, oldest first, each kept until it is
   * written; `done` runs after each, with what `tell` returned.
   */
  async flush<T>(tell: (id: number, result: KeptResult) => MaybePromise<T>, done: (id: number, result: KeptResult, written: T) => void): Promise<void> {
    for (const [id, result] of [...this.kept]) {
      const written = await tell(id, result);
      this.kept.delete(id);
      done(id, result, written);
    }
  }
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
  const completes = typeof result.target === 'number' && Number.isFinite(result.target) && result.error === undefined;
  if (stored.status === 'failed') return completes ? 'record' : 'keep';
  if (stored.status === 'complete' && stored.target === result.target) return 'keep';
  throw new StateError(`tell: trial ${stored.id} had already ended (${stored.status}) in the storage; this result was not recorded`);
}
