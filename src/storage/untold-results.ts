/**
 * Results a study's storage could not take (its connection lost for good):
 * kept, in the order they were told, until a later call reaches the storage
 * and writes them first. Nothing told is dropped.
 */
import { StorageError } from '../errors';
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

  /** Writes the kept results with `tell`, oldest first, each kept until it is written; `done` runs after each. */
  async flush(tell: (id: number, result: KeptResult) => MaybePromise<unknown>, done: (id: number, result: KeptResult) => void): Promise<void> {
    for (const [id, result] of [...this.kept]) {
      await tell(id, result);
      this.kept.delete(id);
      done(id, result);
    }
  }
}
