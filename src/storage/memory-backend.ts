/**
 * A journal kept in memory (MemoryJournalBackend), also the simplest
 * reference of the backend contract. The
 * text is kept as the parts appended (the text given first, then one part
 * per append), so a reader reads only the parts after those it has read
 * (readWindow) and an append looks at the last part only: a growing string
 * searched whole at every step made a trial cost time in proportion to the
 * study (27 ms a trial at 2,000 trials).
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { closeKept, tornTailStart } from './line-checks';
import { Mutex } from './mutex';
import type { JournalBackend, TextWindow } from './types';

/** A reader's place: parts before `part` are read (they never change once another follows), `chars` characters of text. */
interface MemoryMark {
  owner: MemoryJournalBackend;
  part: number;
  chars: number;
}

/**
 * A journal backend in memory, for tests and studies that need no
 * persistence (a study's `storage`, Journal.open); `text` holds what a
 * journal file would.
 * @example
 * ```ts
 * const backend = new MemoryJournalBackend();
 * const opt = new RandomSearch({ f: ({ x }) => x, pbounds: { x: [0, 1] }, storage: backend, randomState: 1 });
 * await opt.maximize({ initPoints: 3, nIter: 0 });
 * backend.text; // Optuna journal lines: the study's, then each trial's
 * ```
 */
export class MemoryJournalBackend implements JournalBackend {
  readonly name: string;
  /** the journal text is these joined; only the last may change (an append cuts its torn tail or closes it) */
  private readonly parts: string[];
  /** parts.join(''), made when asked for after a change */
  private joined: string | null = null;
  private readonly mutex = new Mutex();

  /** @param initial journal text to start from [''] */
  constructor(initial = '', name = 'memory') {
    // a number was taken as the journal's text
    if (typeof initial !== 'string') throw new InvalidOptionError(`MemoryJournalBackend: initial: expected the journal's text (a string), got ${show(initial)}`, 'initial');
    if (typeof name !== 'string') throw new InvalidOptionError(`MemoryJournalBackend: name: expected a string, got ${show(name)}`, 'name');
    this.parts = [initial];
    this.name = name;
  }

  /** The journal text as stored. */
  get text(): string {
    this.joined ??= this.parts.join('');
    return this.joined;
  }

  async readAll(): Promise<string> {
    return this.text;
  }

  /** The text after the parts `after` read (see JournalBackend.readWindow). */
  async readWindow(after: unknown): Promise<TextWindow> {
    const m = after as MemoryMark | null;
    const from = m && m.owner === this ? m : { part: 0, chars: 0 };
    const reread = m !== null && m.owner !== this; // another journal's mark
    const last = this.parts.length - 1;
    let chars = from.chars;
    for (let i = from.part; i < last; i++) chars += this.parts[i].length;
    const mark: MemoryMark = { owner: this, part: last, chars };
    return { text: this.parts.slice(from.part).join(''), start: from.chars, mark, reread };
  }

  async append(lines: string): Promise<void> {
    // the JournalBackend contract: a torn tail is cut off, a whole last line closed. Every part but the
    // first ends with '\n' (appends are complete lines), so the text's last line is in the last part.
    const i = this.parts.length - 1;
    const last = this.parts[i];
    const torn = tornTailStart(last);
    if (torn >= 0) this.parts[i] = closeKept(last.slice(0, torn));
    else if (last.length > 0 && !last.endsWith('\n')) this.parts[i] = last + '\n';
    this.parts.push(lines);
    this.joined = null;
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }
}
