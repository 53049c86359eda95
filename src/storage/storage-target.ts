/**
 * What can hold a study: nothing (memory), a journal path or redis:// URL, a
 * JournalBackend, or a StudyStorage; why anything else cannot; and the
 * storage Study.open builds from it.
 */
import { InvalidOptionError } from '../errors';
import type { SpaceSpec } from '../space/types';
import { normalizeSpec } from '../space/validate';
import type { Direction } from '../study/types';
import { checkOptionKeys } from '../util/option-keys';
import { Journal } from './journal';
import { checkStudyNaming } from './journal-io';
import { isRedisUrl, parseRedisUrl } from './redis-url';
import { MemoryStudyStorage } from './memory-study';
import type { StudyStorage } from './study-storage';
import { isStudyStorage, storageTargetProblem } from './target-checks';
import type { JournalBackend } from './types';

export { isJournalBackend, isStudyStorage, storageTargetProblem } from './target-checks';

/**
 * What can hold a study (the optimizers' `storage` and `journal` options): a
 * journal path (a file under Node, OPFS/IndexedDB in a browser) or a
 * `redis://` URL, a JournalBackend, or a StudyStorage.
 */
export type StorageTarget = string | JournalBackend | StudyStorage;

/** Study.open's options. */
export interface StudyOptions {
  /** the search space, checked against a stored study's */
  space?: SpaceSpec;
  /** ['maximize'] */
  direction?: Direction;
  /** the study within the storage (Optuna's study_name) ['default'] */
  studyName?: string;
}

/**
 * What Study.open builds a study over `target` from, every option checked
 * first (a bad space or redis:// URL throws now, not when the storage opens):
 * memory (not shared) for nothing, the StudyStorage given, or a journal
 * opening in the background.
 * @throws InvalidOptionError naming `storage`; InvalidSpaceError naming the parameter
 */
export function openTarget(target: unknown, opts: StudyOptions): {
  storage: StudyStorage | Promise<StudyStorage>; direction: Direction; shared: boolean; studyName: string;
} {
  // a misspelt `studyname` opened the study "default"; null was a TypeError
  checkOptionKeys(opts, 'Study.open', ['space', 'direction', 'studyName']);
  checkStudyNaming(opts);
  if (opts.space !== undefined) normalizeSpec(opts.space);
  const direction = opts.direction ?? 'maximize';
  const problem = storageTargetProblem(target);
  if (problem) throw new InvalidOptionError(`storage: ${problem}`, 'storage');
  if (typeof target === 'string' && isRedisUrl(target)) parseRedisUrl(target);
  // 'default' wherever the study lives: Hyperband hashes the name into brackets, so a seeded run
  // in memory and one on a journal stop the same trials
  const studyName = opts.studyName ?? 'default';
  if (target === undefined) return { storage: new MemoryStudyStorage(opts.space), direction, shared: false, studyName };
  if (isStudyStorage(target)) return { storage: target, direction, shared: true, studyName };
  return { storage: Journal.open(target as string | JournalBackend, { space: opts.space, direction, studyName }), direction, shared: true, studyName };
}
