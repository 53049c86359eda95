/**
 * The study journal is Optuna's journal format (optuna.storages.JournalStorage,
 * Optuna >= 3.1): one JSON object per line, each one of Optuna's operations,
 * `{"op_code": <int>, "worker_id": <string>, ...}`:
 *
 * ```text
 * 0 CREATE_STUDY                 {"study_name", "directions": [1 minimize | 2 maximize]}
 * 1 DELETE_STUDY                 {"study_id"}
 * 2 SET_STUDY_USER_ATTR          {"study_id", "user_attr": {key: value}}
 * 3 SET_STUDY_SYSTEM_ATTR        {"study_id", "system_attr": {key: value}}
 * 4 CREATE_TRIAL                 {"study_id", "datetime_start", and optionally "state", "value", "values",
 *                                 "datetime_complete", "distributions": {name: <distribution JSON string>},
 *                                 "params": {name: <internal value>}, "user_attrs", "system_attrs",
 *                                 "intermediate_values"}
 * 5 SET_TRIAL_PARAM              {"trial_id", "param_name", "param_value_internal", "distribution"}
 * 6 SET_TRIAL_STATE_VALUES       {"trial_id", "state": 0 running | 1 complete | 2 pruned | 3 fail | 4 waiting,
 *                                 "values": [v] | null, "datetime_start" | "datetime_complete"}
 * 7 SET_TRIAL_INTERMEDIATE_VALUE {"trial_id", "step", "intermediate_value"}
 * 8 SET_TRIAL_USER_ATTR          {"trial_id", "user_attr": {key: value}}
 * 9 SET_TRIAL_SYSTEM_ATTR        {"trial_id", "system_attr": {key: value}}
 * ```
 *
 * Ids are implicit, as in Optuna: a study's id is the number of studies
 * created before it (a name already taken creates nothing), a trial's id the
 * number of trials created before it in the whole file, and its number (our
 * `Trial.id`) the number of trials of its study created before it. Several
 * studies may share one file; a journal opens the one named `studyName`.
 *
 * How this library writes a study:
 * - a new study: CREATE_STUDY, then SET_STUDY_SYSTEM_ATTR `wbo:space` (the
 *   SpaceSpec), `wbo:created` (epoch ms) and `wbo:meta` when given;
 * - an ask: one CREATE_TRIAL with state 0, its params (categorical ones as
 *   the choice's index, Optuna's internal form) and their distributions, and
 *   system attrs `wbo:source`, `wbo:worker` (the owner) and, when known,
 *   `wbo:engine`, `wbo:suggest_ms`, `wbo:rng` (the optimizer's random state
 *   after the ask) and `wbo:model` (the GP's random state and warm start),
 *   and `wbo:late_of` on a trial recording a result told after its trial
 *   was failed as stale (see Trial.lateOf);
 * - a retry of an interrupted trial (its worker stopped), as Optuna's
 *   `fail_stale_trials` + `RetryFailedTrialCallback`: SET_TRIAL_SYSTEM_ATTR
 *   `fail_reason` and `wbo:error`, SET_TRIAL_STATE_VALUES with state 3, then
 *   a CREATE_TRIAL at its params (as an ask) with system attr `failed_trial`
 *   (the first trial of the chain), in one append (journals written before
 *   this re-owned the trial with `wbo:worker` and `wbo:reasked_at`; they load);
 * - a tell: SET_TRIAL_SYSTEM_ATTR `wbo:duration_ms` (and `wbo:error` for a
 *   failure), then SET_TRIAL_STATE_VALUES with state 1 and `[target]`, or
 *   state 3 and null (NaN and infinite targets fail, with the reason);
 * - a report (`context.report(step, value)`): SET_TRIAL_INTERMEDIATE_VALUE,
 *   then, with ASHA or Hyperband, SET_TRIAL_SYSTEM_ATTR `completed_rung_<k>`
 *   for each rung the report reached (as Optuna's pruners record them), and
 *   `wbo:pruned_step` where the pruner stopped the trial (PRUNED_STEP_ATTR);
 * - a pruned trial, as Optuna ends one: `wbo:duration_ms`, then
 *   SET_TRIAL_STATE_VALUES with state 2 and `[its last reported value]`;
 * - an enqueue, as Optuna's `enqueue_trial`: CREATE_TRIAL with state 4
 *   (WAITING), no start time, no params, the point (all or some of the
 *   parameters, as the objective sees them) in system attr `fixed_params`;
 * - taking an enqueued trial, as Optuna's `ask` pops one: SET_TRIAL_STATE_VALUES
 *   with state 0 and a start time (the first such op takes the trial, later
 *   ones change nothing), one SET_TRIAL_PARAM per parameter, then the attrs
 *   of CLAIM_ATTR_KEYS (`wbo:source` 'enqueue').
 *
 * A WAITING trial reads as status 'waiting', source 'enqueue', its params
 * the fixed ones (skipped, as below, when one does not fit the space).
 *
 * Trials written by Optuna have no `wbo:` attrs: their source reads as
 * 'register' and their owner as unknown (never re-asked here). A PRUNED trial
 * reads as status 'pruned', its value as its target (null when it reported
 * nothing) and its last reported step as `step`. Lines that break these rules
 * (or Optuna's: updating a finished trial), and trials whose params do not
 * fit the study's space (./line-checks), are skipped on load and reported
 * with their line number and reason; nothing is ever rewritten or removed.
 * A leading UTF-8 byte order mark is ignored.
 */
import type { SpaceSpec } from '../space/types';
import type { Direction, ModelState, Trial } from '../study/types';
import type { RngState } from '../util/rng';

export type { Direction, ModelState } from '../study/types';

/** Optuna's JournalOperation codes. */
export const OP = {
  CREATE_STUDY: 0,
  DELETE_STUDY: 1,
  SET_STUDY_USER_ATTR: 2,
  SET_STUDY_SYSTEM_ATTR: 3,
  CREATE_TRIAL: 4,
  SET_TRIAL_PARAM: 5,
  SET_TRIAL_STATE_VALUES: 6,
  SET_TRIAL_INTERMEDIATE_VALUE: 7,
  SET_TRIAL_USER_ATTR: 8,
  SET_TRIAL_SYSTEM_ATTR: 9,
} as const;

/** Optuna's TrialState values. */
export const TRIAL_STATE = { RUNNING: 0, COMPLETE: 1, PRUNED: 2, FAIL: 3, WAITING: 4 } as const;

/**
 * The system attrs a worker writes when it takes an enqueued trial (see
 * Journal.claimWaiting); a reader applies them from the worker whose
 * RUNNING took the trial only.
 */
export const CLAIM_ATTR_KEYS = ['wbo:worker', 'wbo:source', 'wbo:ask', 'wbo:rng', 'wbo:model'] as const;

/**
 * Trial system attr written with the report a pruner stopped the trial at
 * (its step): the trial ends pruned there whatever its objective then does,
 * so a resume that finds it pending (the worker ended before recording so)
 * ends it pruned at that report instead of failing and retrying it.
 */
export const PRUNED_STEP_ATTR = 'wbo:pruned_step';

/**
 * The rung k that trial system attr `key` records a value at (Optuna's
 * `completed_rung_<k>`, written by its successive-halving and Hyperband
 * pruners and by ours), or null: only the canonical spelling of k counts.
 */
export function rungOfKey(key: string): number | null {
  const m = /^completed_rung_(0|[1-9]\d{0,5})$/.exec(key);
  return m ? Number(m[1]) : null;
}

/** One line of the journal: an Optuna operation. */
export interface JournalOp {
  op_code: number;
  worker_id: string;
  [field: string]: unknown;
}

/** Kept for the v1 names: a journal event is now an Optuna operation. */
export type JournalEvent = JournalOp;

/** How a trial ends, before it is written. */
export interface TellEvent {
  id: number;
  status: 'complete' | 'failed';
  target: number | null;
  error?: string;
  durationMs?: number;
  /** when it was told, epoch ms */
  t: number;
}

/** A line that was not used, with its 1-based line number. */
export interface SkippedLine {
  line: number;
  reason: string;
}

/** What a journal knows about its study. */
export interface StudyHeader {
  /** Optuna's study_name */
  name: string;
  /** epoch ms when this library created it (absent for studies Optuna created) */
  created?: number;
  /** the space it was created with (absent for studies Optuna created) */
  space?: SpaceSpec;
  direction?: Direction;
  meta?: Record<string, unknown>;
  userAttrs?: Record<string, unknown>;
}

/** A trial as the journal knows it: a `Trial` plus its owner and Optuna's extras. */
export interface JournalTrial extends Trial {
  /** owner of the trial (the worker that asked it) */
  worker?: string;
  /** Optuna's intermediate values, step -> value */
  intermediate?: Record<number, number>;
  /** Optuna's user attrs */
  userAttrs?: Record<string, unknown>;
}

/**
 * Everything a journal holds about its study, as of one read.
 * Arrays are fresh copies; trials are ordered by id.
 */
export interface JournalState {
  /** the study, or null when the journal has none of that name yet */
  header: StudyHeader | null;
  /** every trial, latest state per id */
  trials: JournalTrial[];
  /** trials asked and not told, whoever owns them */
  pending: JournalTrial[];
  /**
   * pending trials whose owner is known to have stopped (its process is gone,
   * or it is an earlier run of this process): a resumed study fails these and
   * retries their params as new trials with `Journal.reclaim(id)`.
   */
  orphaned: JournalTrial[];
  /**
   * ids of orphaned trials a pruner had stopped (`wbo:pruned_step`) before
   * their worker recorded it: a resume ends these pruned at that report
   * instead of retrying them (absent where none)
   */
  stoppedByPruner?: number[];
  /**
   * ids of enqueued trials, still waiting, whose points do not fit the space
   * (Optuna's `enqueue_trial` of a value out of range): left out of `trials`,
   * since no worker of this library takes them, but Optuna's may (absent where none)
   */
  waitingOutside?: number[];
  /**
   * ids of the finished trials in the order the storage recorded their ends
   * (the order they were told, whatever the clocks and time zones of the
   * workers that told them); absent where the storage keeps no such order
   */
  finishOrder?: readonly number[];
  /** the id the next ask will get */
  nextId: number;
  /** `wbo:rng` of the latest ask or re-ask that carried one, or null */
  rngState: RngState | null;
  /** `wbo:model` of the latest ask or re-ask that carried one, or null */
  modelState: ModelState | null;
  /**
   * `wbo:design_rng` of the first trial that carried one: the random state
   * the study's initial design was drawn from, or null (none asked yet, or
   * a journal written before it was recorded)
   */
  designRngState: RngState | null;
  /** lines not used, with reasons */
  skipped: SkippedLine[];
}

/** A part of a journal's text: from character `start` of the whole text to its end, and where the next read starts. */
export interface TextWindow {
  text: string;
  start: number;
  /** the backend's note of where the next read starts (pass it back to readWindow) */
  mark: unknown;
  /**
   * true when `after` was a mark that no longer holds (the journal was
   * replaced or rewritten) and `text` is the whole text read again: what the
   * reader folded is to be folded afresh
   */
  reread?: boolean;
}

/** What `Journal.load()` returns. */
export type LoadedJournal = JournalState;

/** What an append's lines are, for a backend that treats some appends alike (see JournalBackend.append). */
export interface AppendOptions {
  /**
   * true when the lines only record a running trial's progress (its
   * intermediate values with a pruner's rung attributes, its user
   * attributes): a backend may leave them to be made durable by its next
   * append that is not one (the trial's end), as the file backend's fsync
   * does by default (FileJournalOptions.fsync) [false]
   */
  progress?: boolean;
}

/**
 * Where journal text lives. Implementations: FileJournalBackend (Node),
 * BrowserJournalBackend (OPFS or IndexedDB), MemoryJournalBackend.
 */
export interface JournalBackend {
  /** The whole journal text ('' when it does not exist yet). */
  readAll(): Promise<string>;
  /**
   * Appends `lines` (complete lines, each ending in '\n') durably. If the
   * stored text does not end in '\n', the new lines must not join its last
   * line: a torn tail (not whole JSON, see tornTailStart) is cut off first,
   * so Optuna can still read the journal (the file backend keeps its text
   * in `<path>.torn`), and a whole-JSON last line gets its '\n'. A backend
   * that closes a torn tail with '\n' instead (the earlier contract) still
   * works: the Journal reads the text back after such an append.
   * `options.progress` marks lines that only record a running trial's
   * progress (see AppendOptions).
   */
  append(lines: string, options?: AppendOptions): Promise<void>;
  /**
   * Optional: the operations from number `from` on (0-based, one per line),
   * as text ('' when none). A reader that has folded `from` operations reads
   * only what is new, instead of the whole journal each time.
   */
  readFrom?(from: number): Promise<string>;
  /**
   * Optional: the text from where a reader stood (`after`, the `mark` of
   * the window it read last; null at first) to the end, for a reader of a
   * text that only grows (a file): `start` is the character offset in the
   * whole text where `text` begins (0, the whole text, when `after` is null
   * or no longer holds). A reader that folds whole lines then reads only
   * what is new, instead of the whole journal each time.
   */
  readWindow?(after: unknown): Promise<TextWindow>;
  /**
   * Optional: whether the journal exists yet (a file: whether it is on
   * disk, empty or not; a browser journal: whether it holds any bytes or
   * records, since an earlier release left empty OPFS files behind on
   * reading a name that did not exist). A read-only open of a journal that does not exist is a
   * StorageError rather than an empty study, so a mistyped path to read is
   * told apart from a study with no trials. Without it, a missing journal
   * reads as an empty one.
   */
  exists?(): Promise<boolean>;
  /**
   * Runs `fn` holding an exclusive lock shared by every process using this
   * journal (not re-entrant). `opts.timeoutMs`, where the backend can bound
   * its wait (the file backend), gives up sooner than its own setting (a
   * StorageError): a journal's mark on closing waits 2 s at most.
   */
  withLock<T>(fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T>;
  /** Label for messages (a path or a name). */
  readonly name?: string;
  /** This process's worker id; the Journal picks a random one when absent. */
  workerId?(): string | Promise<string>;
  /** Whether the worker that wrote an ask still runs: true, false, or undefined when unknown. */
  isWorkerAlive?(worker: string): boolean | undefined | Promise<boolean | undefined>;
  /** Releases handles and locks held for the backend's lifetime. Idempotent. */
  close?(): Promise<void>;
}
