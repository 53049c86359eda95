/**
 * A journal's text folded into its study as it is read and written: read
 * whole (a file), or only the operations added since the last read
 * (a backend with `readFrom`, such as Redis). The first text decides the
 * format (this library's v1 journals fold with their own reducer). Readers
 * get snapshots of the folded study that say whose pending trials' workers
 * have stopped.
 */
import { backendWorker, journalWorkerOpen } from './journal-worker-ids';
import type { SpaceSpec } from '../space/types';
import { detectFormat } from './journal-io';
import { tornTailStart } from './line-checks';
import { countLines, snapshotOf } from './journal-ops';
import { JournalReducer } from './state';
import type { JournalBackend, JournalState, JournalTrial } from './types';
import { V1Reducer } from './v1-state';

export class JournalFolder {
  reducer: JournalReducer | V1Reducer;
  /** set once the journal has text: its format is known */
  private formatKnown = false;
  /** the journal text as of the last read or write (a backend read whole) */
  private text = '';
  /** operations folded so far (a backend that reads from an operation number) */
  private folded = 0;

  /**
   * @param worker this process's worker id (its own trials' owner runs)
   * @param isWorkerAlive whether another worker runs [the backend's test, else unknown]
   */
  constructor(
    private readonly backend: JournalBackend, studyName: string, private readonly space?: SpaceSpec,
    private readonly worker?: string, private readonly isWorkerAlive?: JournalBackend['isWorkerAlive'],
  ) {
    this.reducer = new JournalReducer(studyName, space);
  }

  /** A copy of the folded study (see snapshotOf); `frozen`: read-only trials shared between snapshots. */
  snapshot(frozen = false): Promise<JournalState> {
    return snapshotOf(this.reducer, (t) => this.ownerAlive(t), frozen);
  }

  /** true/false when the owner of a pending trial is known to run or not; undefined when unknown. */
  async ownerAlive(t: JournalTrial): Promise<boolean | undefined> {
    if (t.worker === undefined) return undefined;
    if (t.worker === this.worker) return true;
    // a journal closed in this process (./journal-worker-ids), or one that wrote it closed (Journal.close);
    // else the backend judges the worker behind it
    if (journalWorkerOpen(t.worker) === false) return false;
    if (this.reducer instanceof JournalReducer && this.reducer.markedClosed(t)) return false;
    // a test of the caller's judges the journal's worker id as written; a backend knows its own ids only
    if (this.isWorkerAlive) return await this.isWorkerAlive(t.worker);
    const test = this.backend.isWorkerAlive?.bind(this.backend);
    return test ? await test(backendWorker(t.worker)) : undefined;
  }

  /** Reads what is new in the journal and folds it in. */
  async refresh(): Promise<void> {
    const readFrom = this.backend.readFrom?.bind(this.backend);
    const text = readFrom ? await readFrom(this.folded) : await this.backend.readAll();
    if (!this.formatKnown && text.trim() !== '') {
      this.formatKnown = true;
      if (detectFormat(text) === 'v1') this.reducer = new V1Reducer(this.space);
    }
    if (readFrom) {
      this.folded += countLines(text);
      this.reducer.feed(text);
    } else {
      this.text = text;
      this.reducer.update(text);
    }
  }

  /** Appends `lines` (under the lock the caller holds) and folds them in without reading back. */
  async write(lines: string): Promise<void> {
    // a torn tail is the backend's to cut (JournalBackend.append), and one written to the earlier contract closes it: read back
    const torn = !this.backend.readFrom && tornTailStart(this.text) >= 0;
    await this.backend.append(lines);
    this.formatKnown = true;
    if (this.backend.readFrom) {
      this.folded += countLines(lines);
      this.reducer.feed(lines);
      return;
    }
    if (torn) {
      // the cut text may have been folded already (a reader's view of it differing from the cut's): fold afresh
      this.reducer.update('');
      return this.refresh();
    }
    // a whole-JSON last line without its newline gets one before the new lines
    this.text += (this.text.length > 0 && !this.text.endsWith('\n') ? '\n' : '') + lines;
    this.reducer.update(this.text);
  }
}
