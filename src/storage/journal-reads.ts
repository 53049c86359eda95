/**
 * The Journal's reads (./journal), all a journal opened read-only can do:
 * the folded study's format, distributions and study names as of the last
 * read, and the reads that refresh it. The steps that write are ./journal's.
 *
 * @example
 * ```ts
 * const j = await Journal.open('study.jsonl', { readOnly: true });
 * const { header, trials } = await j.load(); // under the lock (a reader's: without it)
 * j.format;     // 'optuna', or 'v1' for this library's older journals
 * j.studyNames; // ['default', ...] in creation order
 * ```
 */
import type { Distribution } from './optuna-format';
import { JournalSteps } from './journal-steps';
import { JournalReducer } from './state';
import type { LoadedJournal } from './types';
import type { JournalFormat } from './journal-io';
import { V1Reducer } from './v1-state';

export abstract class JournalReads extends JournalSteps {
  /** The format of the journal's text: 'v1' journals are read only. */
  get format(): JournalFormat {
    return this.reducer instanceof V1Reducer ? 'v1' : 'optuna';
  }

  /**
   * The Optuna distributions this study's trials were asked with, by
   * parameter (as of the last read); null for a v1 journal.
   */
  get distributions(): ReadonlyMap<string, Distribution> | null {
    return this.reducer instanceof JournalReducer ? this.reducer.distributions : null;
  }

  /** Names of the studies in the journal (Optuna format), in creation order. */
  get studyNames(): string[] {
    return this.reducer instanceof JournalReducer ? this.reducer.studyNames : ['default'];
  }

  /** Reads the journal (under the lock) and returns everything in it. */
  async load(): Promise<LoadedJournal> {
    this.assertOpen();
    return this.locked(async () => {
      await this.folder.refresh();
      return this.folder.snapshot();
    });
  }

  /**
   * As `load`, the trials read-only views shared between reads (see
   * StudyStorage.loadViews), and read without the backend's lock, as
   * Optuna's workers read (see ./journal-steps): a read before each
   * suggestion need not wait for other workers' writes, nor hold them up.
   */
  async loadViews(): Promise<LoadedJournal> {
    this.assertOpen();
    return this.unlocked(async () => {
      await this.folder.refresh();
      return this.folder.snapshot(true);
    });
  }
}
