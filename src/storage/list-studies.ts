/** What a storage holds: its studies, with their trial counts and best value. */
import { StorageError } from '../errors';
import { Journal } from './journal';
import { checkJournalTarget } from './target-checks';
import type { JournalBackend, SkippedLine } from './types';

export interface StudySummary {
  name: string;
  direction: 'maximize' | 'minimize' | null;
  trials: number;
  complete: number;
  pruned: number;
  failed: number;
  pending: number;
  /** enqueued trials no worker has taken yet (Optuna's WAITING), those in `waitingOutside` included */
  waiting: number;
  /**
   * ids of the waiting trials whose points do not fit the study's space
   * (Optuna's `enqueue_trial` of a value out of range): this library's
   * workers leave them for Optuna's (absent where none)
   */
  waitingOutside?: number[];
  /** best completed target in the study's direction, null when none */
  best: number | null;
  /** why the study cannot be opened here (several objectives), when it cannot; its counts are then 0 */
  unsupported?: string;
  /** the journal's damaged lines skipped reading this study (lines of no study's count with every study) */
  skipped: SkippedLine[];
}

/** The studies in a journal file, a redis:// URL or a backend, read without writing anything. */
export async function listStudies(storage: string | JournalBackend): Promise<StudySummary[]> {
  checkJournalTarget(storage, 'listStudies', 'storage');
  return (await readStudyList(storage)).studies;
}

/**
 * listStudies, with the journal's damaged lines, each once (those of the
 * studies, and those read when no study could be: a damaged first line can
 * hide the only study, and the journal must not then look empty in silence).
 */
export async function readStudyList(storage: string | JournalBackend): Promise<{ studies: StudySummary[]; skipped: SkippedLine[] }> {
  checkJournalTarget(storage, 'readStudyList', 'storage');
  const first = await openForList(storage);
  const out: StudySummary[] = [];
  let firstSkipped: SkippedLine[] = [];
  try {
    firstSkipped = (await first.load()).skipped;
    for (const name of first.studyNames) {
      let j: Journal;
      try {
        j = name === first.studyName ? first : await Journal.open(first.backend, { readOnly: true, studyName: name });
      } catch (e) {
        // one study this library cannot open (several objectives) does not hide the others
        if (!(e instanceof StorageError) || !/has several objectives/.test(e.message)) throw e;
        out.push({ name, direction: null, trials: 0, complete: 0, pruned: 0, failed: 0, pending: 0, waiting: 0, best: null, unsupported: 'several objectives', skipped: [] });
        continue;
      }
      const s = await j.load();
      if (!s.header && first.format === 'optuna') continue;
      const direction = s.header?.direction ?? null;
      const sign = direction === 'minimize' ? -1 : 1;
      let best: number | null = null;
      for (const t of s.trials) if (t.status === 'complete' && t.target !== null && (best === null || sign * t.target > sign * best)) best = t.target;
      // Optuna counts them, waiting; this library's workers skip them (see JournalState.waitingOutside)
      const outside = s.waitingOutside ?? [];
      out.push({
        name, direction, trials: s.trials.length + outside.length, best,
        complete: s.trials.filter((t) => t.status === 'complete').length,
        pruned: s.trials.filter((t) => t.status === 'pruned').length,
        failed: s.trials.filter((t) => t.status === 'failed').length,
        pending: s.pending.length,
        waiting: s.trials.filter((t) => t.status === 'waiting').length + outside.length,
        ...(outside.length ? { waitingOutside: outside } : {}),
        skipped: s.skipped,
      });
    }
  } finally {
    await first.close();
  }
  const lines = [...firstSkipped, ...out.flatMap((x) => x.skipped)];
  const skipped = [...new Map(lines.map((l) => [l.line, l])).values()].sort((a, b) => a.line - b.line);
  return { studies: out, skipped };
}

/**
 * A read-only journal on `storage`'s default study, for its list of names; where that study
 * cannot be opened (several objectives), on a name no study has, so it does not hide the others.
 */
async function openForList(storage: string | JournalBackend): Promise<Journal> {
  try {
    return await Journal.open(storage, { readOnly: true });
  } catch (e) {
    if (!(e instanceof StorageError) || !/has several objectives/.test(e.message)) throw e;
    return Journal.open(storage, { readOnly: true, studyName: NO_STUDY });
  }
}

/** A study name no journal holds (a NUL character; Optuna's names are what a user typed). */
const NO_STUDY = '\u0000';
