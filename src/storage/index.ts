/** Study storage: the append-only journal, its backends, and bayes_opt import/export. */
export { Study, type StorageTarget, type StudyOptions } from './study';
export { type StudyStorage, type MaybePromise, type PruneResult, type Reclaimed, budgetCount } from './study-storage';
export { MemoryStudyStorage } from './memory-study';
export { Journal, detectFormat } from './journal';
export { migrateJournal, type MigrateReport } from './migrate';
export { listStudies, readStudyList, type StudySummary } from './list-studies';
export type { AskExtra, AskResult, JournalFormat, JournalOptions, TellInput } from './journal';
export { OP, TRIAL_STATE } from './types';
export type {
  AppendOptions,
  JournalBackend,
  JournalEvent,
  JournalOp,
  JournalState,
  JournalTrial,
  LoadedJournal,
  ModelState,
  SkippedLine,
  StudyHeader,
  TellEvent,
} from './types';
export { parseOp, formatOps, distributionOf, specOf, isoTime, parseIsoTime, type Distribution } from './optuna-format';
export { bomLength, stripBom, PointCheck } from './line-checks';
export { damagedLinesNote, describeSkipped } from './line-folder';
export { MemoryJournalBackend } from './memory-backend';
export { FileJournalBackend } from './file-backend';
export { RedisJournalBackend, type RedisJournalOptions } from './redis-backend';
export type { FileJournalOptions, FsyncPolicy } from './file-backend';
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
