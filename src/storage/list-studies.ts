/** What a storage holds: its studies, with their trial counts and best value. */
import { Journal } from './journal';
import type { JournalBackend } from './types';

export interface StudySummary {
  name: string;
  direction: 'maximize' | 'minimize' | null;
  trials: number;
  complete: number;
  pruned: number;
  failed: number;
  pending: number;
  /** best completed target in the study's direction, null when none */
  best: number | null;
}

/** The studies in a journal file, a redis:// URL or a backend, read without writing anything. */
export async function listStudies(storage: string | JournalBackend): Promise<StudySummary[]> {
  const first = await Journal.open(storage, { readOnly: true });
  const out: StudySummary[] = [];
  try {
    await first.load();
    for (const name of first.studyNames) {
      const j = name === first.studyName ? first : await Journal.open(first.backend, { readOnly: true, studyName: name });
      const s = await j.load();
      if (!s.header && first.format === 'optuna') continue;
      const direction = s.header?.direction ?? null;
      const sign = direction === 'minimize' ? -1 : 1;
      let best: number | null = null;
      for (const t of s.trials) if (t.status === 'complete' && t.target !== null && (best === null || sign * t.target > sign * best)) best = t.target;
      out.push({
        name, direction, trials: s.trials.length, best,
        complete: s.trials.filter((t) => t.status === 'complete').length,
        pruned: s.trials.filter((t) => t.status === 'pruned').length,
        failed: s.trials.filter((t) => t.status === 'failed').length,
        pending: s.pending.length,
      });
    }
  } finally {
    await first.close();
  }
  return out;
}
