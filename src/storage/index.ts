/** Study storage: the append-only journal, its backends, and bayes_opt import/export. */
export { Study, type StudyOptions } from './study';
export { MemoryStudyStorage, type StudyStorage, type MaybePromise, type PruneResult } from './study-storage';
export { Journal } from './journal';
export type { AskExtra, AskResult, JournalOptions, TellInput } from './journal';
export { JOURNAL_VERSION } from './types';
export type {
  AskEvent,
  JournalBackend,
  JournalEvent,
  JournalState,
  JournalTrial,
  LoadedJournal,
  ModelState,
  SkippedLine,
  StudyEvent,
  TellEvent,
} from './types';
export { parseEvent, formatEvent } from './events';
export { bomLength, stripBom, PointCheck } from './line-checks';
export { MemoryJournalBackend } from './memory-backend';
export { FileJournalBackend } from './file-backend';
export type { FileJournalOptions } from './file-backend';
export { BrowserJournalBackend } from './browser-backend';
export type { BrowserJournalOptions } from './browser-backend';
export {
  importBayesOpt,
  importBayesOptLog,
  importBayesOptState,
  exportBayesOptLog,
  exportBayesOptState,
} from './bayes-opt-format';
export type { BayesOptExportOptions, BayesOptImport, BayesOptImportOptions } from './bayes-opt-format';
