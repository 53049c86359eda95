/**
 * What can be a study's storage or a journal's target, and why anything else
 * cannot. Kept apart from storage-target.ts, which opens them, so that
 * journal.ts can check its target without a circular import.
 */
import { InvalidOptionError } from '../errors';
import { redactRedisUrl } from './redis-url';
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
  if (typeof target === 'string') return pathProblem(target);
  return `expected a path, a JournalBackend (readAll, append, withLock) or a StudyStorage (load, askWith, tell), got ${shown(target)}`;
}

/**
 * Why `target` cannot be opened as a journal (Journal.open), or null when it
 * can: a non-empty path or a JournalBackend. A number went on to a backend
 * that failed with a confusing StorageError.
 */
export function journalTargetProblem(target: unknown): string | null {
  if (isJournalBackend(target)) return null;
  if (typeof target === 'string') return pathProblem(target);
  return `expected a path or a JournalBackend (readAll, append, withLock), got ${shown(target)}`;
}

/**
 * Throws unless `target` can be opened as a journal, naming the caller and
 * its parameter (`listStudies: storage: ...`), so an error from a function
 * that opens a journal for its caller does not name Journal.open.
 * @throws InvalidOptionError naming `param`
 */
export function checkJournalTarget(target: unknown, where: string, param: string): void {
  const problem = journalTargetProblem(target);
  if (problem) throw new InvalidOptionError(`${where}: ${param}: ${problem}`, param);
}

/** Why `path` cannot be a journal file's path (FileJournalBackend), or null when it can. */
export function filePathProblem(path: unknown): string | null {
  return typeof path === 'string' ? pathProblem(path) : `expected a path, got ${shown(path)}`;
}

function pathProblem(target: string): string | null {
  if (target === '') return 'expected a path, got ""';
  // these were taken as file names: `redis:/h` or `http://h` made a folder `redis:` or `http:` and
  // a journal in it, so workers meant to share a server each wrote a file of their own
  if (/^rediss?:(?!\/\/)/i.test(target)) return `a Redis URL is redis://host[:port][/db] or rediss://..., got ${JSON.stringify(redactRedisUrl(target))}`;
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(target);
  if (scheme && !/^rediss?$/i.test(scheme[1])) {
    return `the only URLs taken are redis:// and rediss:// (a journal file is a path without a scheme), got ${JSON.stringify(redactRedisUrl(target))}`;
  }
  // a file system refuses it deep inside an open, with a message about the lock file
  return target.includes('\0') ? `a path cannot hold a NUL character, got ${JSON.stringify(target)}` : null;
}

function shown(target: unknown): string {
  try {
    return typeof target === 'function' ? 'a function' : JSON.stringify(target) ?? String(target);
  } catch {
    return String(target);
  }
}
