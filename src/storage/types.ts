/**
 * The study journal: an append-only log of JSON lines, one event per line.
 *
 * Event schema, version 1. Every line is a JSON object with `"v": 1` and a
 * `"type"`:
 *
 * ```text
 * {"v":1,"type":"study","created":<epoch ms>,"space":<SpaceSpec>,"direction":"maximize"|"minimize","meta":{...}}
 * {"v":1,"type":"ask","id":<int >= 0>,"params":{...},"source":<TrialSource>,"engine"?:"cpu"|"webgpu",
 *   "t":<epoch ms>,"worker"?:<string>,"rng"?:[<4 uint32>],"model"?:{"rng":[<4 uint32>],"theta":[<number>...]|null},
 *   "suggestMs"?:<ms>}
 * {"v":1,"type":"tell","id":<int>,"status":"complete"|"failed","target":<finite number>|null,
 *   "error"?:<string>,"durationMs"?:<ms>,"t":<epoch ms>}
 * ```
 *
 * - `study` is the header, written once when a journal is created with a
 *   space; `space`, `direction` and `meta` are optional. Only the first valid
 *   header counts.
 * - `ask` records a trial handed out: `id` is allocated under the journal lock
 *   as (largest id asked so far) + 1, starting at 0. `worker` names the
 *   process or tab that owns the trial; `rng` is the optimizer's `Rng.state()`
 *   right after the ask, so a resumed study continues the same random stream.
 *   A second `ask` for an id that is still pending, with the same params,
 *   hands the trial to a new owner (a resumed run re-asking it).
 * - `tell` finishes a trial. `complete` needs a finite target; `failed` has
 *   `target: null` (NaN and infinite objective values are stored this way,
 *   with an `error` saying what was returned). A trial is told once; later
 *   tells for the same id are skipped.
 *
 * Lines that fail these rules are skipped on load and reported with their
 * 1-based line number and a reason; nothing is ever rewritten or removed.
 * Blank lines are ignored.
 */
import type { Params, SpaceSpec } from '../space/types';
import type { Direction, ModelState, Trial, TrialSource } from '../study/types';
import type { RngState } from '../util/rng';

export const JOURNAL_VERSION = 1;

export type { Direction, ModelState } from '../study/types';

export interface StudyEvent {
  v: 1;
  type: 'study';
  created: number;
  space?: SpaceSpec;
  direction?: Direction;
  meta?: Record<string, unknown>;
}

export interface AskEvent {
  v: 1;
  type: 'ask';
  id: number;
  params: Params;
  source: TrialSource;
  engine?: 'cpu' | 'webgpu';
  t: number;
  worker?: string;
  rng?: RngState;
  /** the surrogate model's state after producing this point */
  model?: ModelState;
  suggestMs?: number;
}


export interface TellEvent {
  v: 1;
  type: 'tell';
  id: number;
  status: 'complete' | 'failed';
  target: number | null;
  error?: string;
  durationMs?: number;
  t: number;
}

export type JournalEvent = StudyEvent | AskEvent | TellEvent;

/** A line that was not used, with its 1-based line number. */
export interface SkippedLine {
  line: number;
  reason: string;
}

/** A trial as the journal knows it: a `Trial` plus the worker that owns it. */
export interface JournalTrial extends Trial {
  /** owner of the trial (writer of its latest `ask`) */
  worker?: string;
}

/**
 * Everything a journal holds, as of one read.
 * Arrays are fresh copies; trials are ordered by id.
 */
export interface JournalState {
  /** the first valid `study` line, or null */
  header: StudyEvent | null;
  /** every trial, latest state per id */
  trials: JournalTrial[];
  /** trials asked and not told, whoever owns them */
  pending: JournalTrial[];
  /**
   * pending trials whose owner is known to have stopped (its process is gone,
   * or it is an earlier run of this process): a resumed study re-asks these
   * with `Journal.reclaim(id)`.
   */
  orphaned: JournalTrial[];
  /** the id the next ask will get */
  nextId: number;
  /** `rng` of the latest ask line that carried one, or null */
  rngState: RngState | null;
  /** `model` of the latest ask line that carried one, or null */
  modelState: ModelState | null;
  /** lines not used, with reasons */
  skipped: SkippedLine[];
}

/** What `Journal.load()` returns. */
export type LoadedJournal = JournalState;

/**
 * Where journal text lives. Implementations: FileJournalBackend (Node),
 * BrowserJournalBackend (OPFS or IndexedDB), MemoryJournalBackend.
 */
export interface JournalBackend {
  /** The whole journal text ('' when it does not exist yet). */
  readAll(): Promise<string>;
  /**
   * Appends `lines` (complete lines, each ending in '\n') durably. If the
   * stored text does not end in '\n' (a torn last line), the backend writes
   * '\n' first so the new lines never join the broken tail.
   */
  append(lines: string): Promise<void>;
  /** Runs `fn` holding an exclusive lock shared by every process using this journal (not re-entrant). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Label for messages (a path or a name). */
  readonly name?: string;
  /** This process's worker id; the Journal picks a random one when absent. */
  workerId?(): string | Promise<string>;
  /** Whether the worker that wrote an ask still runs: true, false, or undefined when unknown. */
  isWorkerAlive?(worker: string): boolean | undefined | Promise<boolean | undefined>;
  /** Releases handles and locks held for the backend's lifetime. Idempotent. */
  close?(): Promise<void>;
}
