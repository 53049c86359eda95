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
import type { AppendOptions, JournalBackend, JournalState, JournalTrial, TextWindow } from './types';
import { V1Reducer } from './v1-state';

export class JournalFolder {
  reducer: JournalReducer | V1Reducer;
  /** set once the journal has text: its format is known */
  private formatKnown = false;
  /** the journal text as of the last read or write (a backend read whole) */
  private text = '';
  /**
   * a backend read in windows (readWindow): the text from character
   * `windowStart` on, as of the last read or write, and the backend's mark
   * for the next read (null: read it whole)
   */
  private window = { text: '', start: 0, mark: null as unknown };
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
    await this.read();
    // a space wider than any before: the trials skipped so far are checked again by it (see JournalReducer.refoldWanted)
    if (this.reducer instanceof JournalReducer && this.reducer.refoldWanted()) {
      this.reducer.refoldFromStart();
      this.window = { text: '', start: 0, mark: null };
      this.folded = 0;
      await this.read();
    }
  }

  private async read(): Promise<void> {
    if (this.backend.readWindow) return this.refreshWindow(await this.backend.readWindow(this.window.mark));
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

  /** Folds a window of the text (see JournalBackend.readWindow): only what follows the folded lines is searched. */
  private async refreshWindow(w: TextWindow): Promise<void> {
    let afresh = w.reread === true; // the journal was replaced or rewritten under the mark
    // shorter than what was folded (a last line folded without its '\n', then cut by hand): read it whole
    if (w.start > 0 && w.start + w.text.length < this.reducer.foldedChars) {
      w = await this.backend.readWindow!(null);
      afresh = true;
    }
    // what was folded no longer holds: fold the whole text afresh, as a new reader folds it
    if (afresh) this.reducer.update('');
    if (!this.formatKnown && w.start === 0 && w.text.trim() !== '') {
      this.formatKnown = true;
      if (detectFormat(w.text) === 'v1') this.reducer = new V1Reducer(this.space);
    }
    this.window = w;
    this.reducer.updateWindow(w.text, w.start);
  }

  /** Appends `lines` (under the lock the caller holds) and folds them in without reading back. */
  async write(lines: string, options?: AppendOptions): Promise<void> {
    if (this.backend.readWindow) return this.writeWindow(lines, options);
    // a torn tail is the backend's to cut (JournalBackend.append), and one written to the earlier contract closes it: read back
    const torn = !this.backend.readFrom && tornTailStart(this.text) >= 0;
    await this.backend.append(lines, options);
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

  /** `write` for a backend read in windows: the torn-tail test and the fold see the window only. */
  private async writeWindow(lines: string, options?: AppendOptions): Promise<void> {
    const w = this.window;
    // a window starts after a '\n' (or at the text's start), so its own last line is the text's
    const torn = tornTailStart(w.text) >= 0;
    await this.backend.append(lines, options);
    this.formatKnown = true;
    if (torn) {
      // the cut text may have been folded already (a reader's view of it differing from the cut's): fold afresh
      this.reducer.update('');
      this.window = { text: '', start: 0, mark: null };
      return this.refresh();
    }
    // a whole-JSON last line without its newline gets one before the new lines
    const open = w.text.length > 0 && !w.text.endsWith('\n');
    this.window = { ...w, text: w.text + (open ? '\n' : '') + lines };
    this.reducer.updateWindow(this.window.text, w.start);
  }
}
