/**
 * What can hold a study: nothing (memory), a journal path or redis:// URL, a
 * JournalBackend, or a StudyStorage; and why anything else cannot.
 */
import type { StudyStorage } from './study-storage';
import type { JournalBackend } from './types';

/** Whether `x` is a StudyStorage (load, askWith, tell). */
export function isStudyStorage(x: unknown): x is StudyStorage {
  const s = x as Partial<StudyStorage> | null;
  return typeof s === 'object' && s !== null && typeof s.askWith === 'function' && typeof s.tell === 'function' && typeof s.load === 'function';
}

/** Whether `x` is a JournalBackend (readAll, append, withLock). */
export function isJournalBackend(x: unknown): x is JournalBackend {
  const b = x as Partial<JournalBackend> | null;
  return typeof b === 'object' && b !== null && typeof b.readAll === 'function' && typeof b.append === 'function' && typeof b.withLock === 'function';
}

/**
 * Why `target` cannot be a study's storage, or null when it can: undefined
 * (memory), a non-empty path, a JournalBackend (readAll, append, withLock)
 * or a StudyStorage (load, askWith, tell).
 */
export function storageTargetProblem(target: unknown): string | null {
  if (target === undefined || isStudyStorage(target) || isJournalBackend(target)) return null;
  if (typeof target === 'string') {
    if (target === '') return 'expected a path, got ""';
    // a file system refuses it deep inside an open, with a message about the lock file
    return target.includes('\0') ? `a path cannot hold a NUL character, got ${JSON.stringify(target)}` : null;
  }
  let shown: string;
  try {
    shown = typeof target === 'function' ? 'a function' : JSON.stringify(target) ?? String(target);
  } catch {
    shown = String(target);
  }
  return `expected a path, a JournalBackend (readAll, append, withLock) or a StudyStorage (load, askWith, tell), got ${shown}`;
}
