/**
 * The Journal's options, inputs and results, the journal-format check, and
 * how a told result becomes a complete or failed trial.
 */
import { InvalidOptionError } from '../errors';
import { checkBackendOptions, type OptionKind } from './backend-options';
import { normalizeSpec } from '../space/validate';
import { checkOptionKeys } from '../util/option-keys';
import { journalTargetProblem } from './target-checks';
import { describe } from '../space/format';
import { errorText } from '../util/error-text';
import type { SpaceSpec } from '../space/types';
import type { TrialSource } from '../study/types';
import { tellTime } from '../util/clock';
import type { RngState } from '../util/rng';
import type { FileJournalOptions } from './file-backend';
import { checkText, stripBom } from './line-checks';
import type { Direction, JournalState, JournalTrial, ModelState, TellEvent } from './types';

/** Options of Journal.open. */
export interface JournalOptions {
  /** search space: written into a new journal's header, compared with the header on resume */
  space?: SpaceSpec;
  /** written into a new journal's header; a different stored direction is a StorageError */
  direction?: Direction;
  /** free-form data for a new study (system attr `wbo:meta`) */
  meta?: Record<string, unknown>;
  /** the study in the journal (Optuna's study_name) ['default'] */
  studyName?: string;
  /** compare `space` with the stored one [true] */
  checkSpace?: boolean;
  /** write nothing, not even a header, and read without taking the lock [false] */
  readOnly?: boolean;
  /** this process's worker id [the backend's, else a random one] */
  worker?: string;
  /** overrides the backend's test of whether a worker still runs */
  isWorkerAlive?: (worker: string) => boolean | undefined | Promise<boolean | undefined>;
  /** lock settings when `open` is given a path (Node) */
  file?: FileJournalOptions;
}

/** What each JournalOptions key must be (direction, studyName and space have checks of their own, run first). */
const JOURNAL_OPTIONS: Readonly<Record<keyof JournalOptions, OptionKind>> = {
  space: 'object', direction: 'string', meta: 'object', studyName: 'name', checkSpace: 'boolean',
  readOnly: 'boolean', worker: 'name', isWorkerAlive: 'function', file: 'object',
};

/** Details of an ask besides its params. */
export interface AskExtra {
  /** where the point came from ['suggest'] */
  source?: TrialSource;
  engine?: 'cpu' | 'webgpu';
  /** the optimizer's `Rng.state()` after producing this point */
  rng?: RngState;
  /** its surrogate model's state after producing this point */
  model?: ModelState;
  /**
   * a design point's: the random state the study's initial design was drawn
   * from (system attr `wbo:design_rng`), so that a resume by a process of
   * another seed, or of none, asks the rest of that design
   */
  designRng?: RngState;
  suggestMs?: number;
  /** the trial whose late result this trial records (see Trial.lateOf) */
  lateOf?: number;
  /** user attributes the trial starts with (`register`'s `userAttrs`; JSON, checked by the caller) */
  userAttrs?: Record<string, unknown>;
  /**
   * this ask's id (system attr `wbo:ask`) [a random one per call]: an ask
   * given the id of an earlier one that failed (its write may have landed,
   * its reply lost) returns the trial that write made instead of a second
   * one. A Study keeps a registered point's id with it for that retry.
   */
  askId?: string;
}

export interface AskResult {
  /** the new pending trial */
  trial: JournalTrial;
  /** the journal right after the ask, other workers' trials included (read-only: frozen copies) */
  state: JournalState;
  /** trials other workers had pending at that moment: points to stay away from */
  othersPending: JournalTrial[];
}

/** How a trial ended: a target, or an error. */
export interface TellInput {
  /** objective value; NaN, ±Infinity, null or undefined make the trial failed */
  target?: number | null;
  /** a thrown error or message: makes the trial failed */
  error?: unknown;
  durationMs?: number;
  /** when it was told, epoch ms [now] */
  at?: number;
}


/** The earliest and latest tell times a journal takes: the years Optuna's `datetime.fromisoformat` reads (1000 to 9999), a day inside them for any time zone. */
const EARLIEST_AT = Date.UTC(1000, 0, 2);
const LATEST_AT = Date.UTC(9999, 11, 30);

/**
 * Checks a tell's (or a prune's) input before anything is written: `at`
 * NaN was written as "NaN-NaN-NaNT..." and a time in microseconds as the
 * year 56000, lines after which Optuna could not load the journal at all.
 * @throws InvalidOptionError naming `result`, `at` or `durationMs`
 */
export function checkTellInput(result: unknown, who: string): void {
  if (typeof result !== 'object' || result === null) throw new InvalidOptionError(`${who}: result: expected { target, error, durationMs, at }, got ${describe(result)}`, 'result');
  const { at, durationMs } = result as { at?: unknown; durationMs?: unknown };
  if (at !== undefined && !(typeof at === 'number' && at >= EARLIEST_AT && at <= LATEST_AT)) {
    throw new InvalidOptionError(`${who}: at: expected a time in epoch milliseconds within the years 1000 to 9999, got ${describe(at)}`, 'at');
  }
  if (durationMs !== undefined && !(typeof durationMs === 'number' && Number.isFinite(durationMs) && durationMs >= 0)) {
    throw new InvalidOptionError(`${who}: durationMs: expected a finite number >= 0, got ${describe(durationMs)}`, 'durationMs');
  }
}

/** The line format a journal's text is in. */
export type JournalFormat = 'optuna' | 'v1';

/**
 * 'v1' when the first line (after a byte order mark) is this library's v1 format, else 'optuna' (an empty journal too).
 * @throws InvalidOptionError naming `text` unless it is a string (undefined was a TypeError)
 */
export function detectFormat(text: string): JournalFormat {
  checkText(text, 'detectFormat');
  const body = stripBom(text);
  const nl = body.indexOf('\n');
  const first = (nl < 0 ? body : body.slice(0, nl)).trim();
  return /^\{\s*"v"\s*:\s*1\s*,\s*"type"/.test(first) ? 'v1' : 'optuna';
}

/** How a result is told: complete with a finite target, or failed with the reason. */
export function tellEvent(id: number, r: TellInput): TellEvent {
  const e: TellEvent = { id, status: 'complete', target: null, t: r.at ?? tellTime() };
  if (r.error !== undefined) {
    e.status = 'failed';
    e.error = errorText(r.error);
  } else if (typeof r.target === 'number' && Number.isFinite(r.target)) {
    e.target = r.target;
  } else {
    e.status = 'failed';
    e.error = `objective returned ${String(r.target)}`;
  }
  if (r.durationMs !== undefined && Number.isFinite(r.durationMs) && r.durationMs >= 0) e.durationMs = r.durationMs;
  return e;
}

/** The `wbo:` system attrs a tell writes before the trial's state: its duration, and the reason it failed. */
export function tellAttrs(e: TellEvent): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  if (e.durationMs !== undefined) attrs['wbo:duration_ms'] = e.durationMs;
  if (e.error !== undefined) attrs['wbo:error'] = e.error;
  return attrs;
}

/**
 * Why an interrupted trial is failed and not retried: another trial has
 * completed its very point (a worker registered it), so asking it again
 * would evaluate it twice.
 */
export function completedElsewhereReason(worker: string | undefined, twin: number, closed = false): string {
  return `${stoppedMidTrial(worker, closed)}; not retried: trial ${twin} completed the same point`;
}

/**
 * The `fail_reason` of a trial whose worker stopped mid-trial; `closed`: the
 * journal holds the worker's mark of closing written after the trial was
 * asked (its optimizer's close() cut the trial off, see markClosedLocked).
 */
export function staleReason(worker: string | undefined, closed = false): string {
  return `${stoppedMidTrial(worker, closed)}; its params are retried as a new trial`;
}

function stoppedMidTrial(worker: string | undefined, closed: boolean): string {
  // without the mark, one reason for both ways it is noticed: its process gone (a file journal on this host), or its heartbeat expired
  return `interrupted: worker ${worker ?? '(unknown)'} stopped mid-trial (${closed ? 'its optimizer closed while it ran' : 'its process ended or its heartbeat expired'})`;
}

/**
 * Checks the study's name and direction as the optimizers do: a name that is
 * not a string was written into the journal as Optuna reads it but skipped
 * on reading here, so the studies after it were numbered differently by the
 * two; an unknown direction minimized in memory and was written as maximize.
 * @throws InvalidOptionError naming `studyName` or `direction`
 */
export function checkStudyNaming(opts: { studyName?: unknown; direction?: unknown }): void {
  if (opts.studyName !== undefined && !(typeof opts.studyName === 'string' && opts.studyName !== '')) {
    throw new InvalidOptionError(`option "studyName": expected a non-empty string, got ${describe(opts.studyName)}`, 'studyName');
  }
  if (opts.direction !== undefined && opts.direction !== 'maximize' && opts.direction !== 'minimize') {
    throw new InvalidOptionError(`option "direction": expected "maximize" or "minimize", got ${describe(opts.direction)}`, 'direction');
  }
}

/**
 * Checks Journal.open's arguments before anything opens: a misspelt key
 * (`readonly`) was ignored and the file created, `checkSpace: 'false'` read
 * as true, and a target of 5 failed in the backend with a StorageError.
 * @throws InvalidOptionError naming `target` or the option; InvalidSpaceError naming the parameter
 */
export function checkOpenArgs(target: unknown, opts: unknown): void {
  const problem = journalTargetProblem(target);
  if (problem) throw new InvalidOptionError(`Journal.open: target: ${problem}`, 'target');
  checkOptionKeys(opts, 'Journal.open', Object.keys(JOURNAL_OPTIONS));
  const o = opts as JournalOptions;
  checkStudyNaming(o);
  // checked as the optimizer checks it (a bound beyond 2^40 or NaN is an InvalidSpaceError naming the parameter)
  if (o.space !== undefined) normalizeSpec(o.space);
  checkBackendOptions('Journal.open', o, JOURNAL_OPTIONS);
}
