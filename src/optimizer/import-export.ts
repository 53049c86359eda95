/**
 * Moving a study between this library and Python's bayes_opt, at the level of
 * an optimizer: imported points are checked against the optimizer's space and
 * direction before they are registered; exports are written from its trials.
 * The file formats themselves live in ../storage/bayes-opt-format.
 */
import { InvalidOptionError, StorageError } from '../errors';
import type { Space } from '../space';
import type { Params } from '../space/types';
import { exportBayesOptLog, exportBayesOptState, importBayesOpt, INFEASIBLE_REASON } from '../storage/bayes-opt-format';
import type { Study } from '../storage/study';
import type { SkippedLine } from '../storage/types';
import type { Direction } from './options';
import { show } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import { pointKey } from '../study/point-key';
import type { Trial } from './types';

/** A point to register, in file order. */
export interface ImportPoint {
  params: Params;
  target: number;
  /** a saved state's point that carries a constraint value (see ImportReport.constrained) */
  constrained?: true;
}

/** `importBayesOpt`'s options. */
export interface ImportOptions {
  /**
   * leave out a point the study already holds as a completed trial with the
   * same params and the same target [true], as Optuna's
   * `enqueue_trial(skip_if_exists=True)` does: a script that imports a file
   * and is rerun to resume a journal registers its points once
   */
  skipExisting?: boolean;
}

/** What `importBayesOpt` did. */
export interface ImportReport {
  /** points registered */
  imported: number;
  /**
   * points left out, with why: for a log the 1-based line, for saved state the
   * 1-based row of "params". Reasons are the file problem ("target is NaN",
   * "invalid JSON") or the space's (`parameter "x": value 7 is outside [0, 5]`).
   */
  skipped: SkippedLine[];
  /**
   * of the points registered, those of a saved state that carry a constraint
   * value: the state keeps no constraint limits, so they are registered
   * feasible or not (absent when none; a log's infeasible points are skipped)
   */
  constrained?: number;
  /**
   * points left out because the study already held them: a completed trial
   * with the same params and target (an import rerun on a resumed journal);
   * absent when none, or with `skipExisting: false`
   */
  existing?: number;
}

/**
 * `importBayesOpt`'s options; returns `skipExisting` [true].
 * @throws InvalidOptionError naming an unknown key or a value that is not a boolean
 */
export function checkImportOptions(opts: unknown): boolean {
  if (opts === undefined) return true;
  checkOptionKeys(opts, 'importBayesOpt', ['skipExisting']);
  const skip = (opts as ImportOptions).skipExisting;
  if (skip !== undefined && typeof skip !== 'boolean') {
    throw new InvalidOptionError(`option "skipExisting": expected a boolean, got ${show(skip)}`, 'skipExisting');
  }
  return skip ?? true;
}

/**
 * `points` less those the study's `completed` trials already hold (same
 * params, same target). Each trial accounts for one point, so a file that
 * holds a point twice (bayes_opt's `allow_duplicate_points`) still adds the
 * second copy to a study that holds it once: reimporting the file leaves the
 * study as one import of it left it, whatever it held twice.
 */
export function leaveOutExisting(points: readonly ImportPoint[], completed: readonly Trial[]): { points: ImportPoint[]; existing: number } {
  const key = (params: Params, target: number | null | undefined): string => JSON.stringify([pointKey(params), target]);
  const held = new Map<string, number>();
  for (const t of completed) {
    const k = key(t.params, t.target);
    held.set(k, (held.get(k) ?? 0) + 1);
  }
  const fresh: ImportPoint[] = [];
  for (const p of points) {
    const k = key(p.params, p.target);
    const n = held.get(k) ?? 0;
    if (n > 0) held.set(k, n - 1);
    else fresh.push(p);
  }
  return { points: fresh, existing: points.length - fresh.length };
}

/**
 * Reads bayes_opt saved state or a JSONLogger log (`text`) and checks every
 * point against `space`. Targets are negated when `direction` is 'minimize'
 * (a bayes_opt user minimizing f maximizes -f).
 * @throws StorageError when the file is not bayes_opt state/log (empty, or no
 *   line of it a point), or when no point in it has the space's parameter names
 */
export function readBayesOpt(
  text: string, space: Space, direction: Direction,
): { points: ImportPoint[]; skipped: SkippedLine[]; constrained: number } {
  // a bad argument, not a bad file: the caller passed something other than the file's text
  if (typeof text !== 'string') throw new InvalidOptionError(`text: expected the bayes_opt file's text (a string), got ${show(text)}`, 'text');
  const data = importBayesOpt(text, { direction });
  // saved state with no points (a fresh optimizer's save_state, a study whose trials all failed) is 0 points
  if (data.format === 'state' && data.params.length === 0 && data.skipped.length === 0) {
    const keys = [...data.keys].sort().join('\u0000');
    if (keys !== [...space.names].sort().join('\u0000')) {
      throw new StorageError(`bayes_opt import: the file's parameters [${data.keys.join(', ')}] are not the space's [${space.names.join(', ')}]`);
    }
    return { points: [], skipped: [], constrained: 0 };
  }
  // a constrained run with no feasible point yet: a log of points, none to import (it was refused as no log),
  // the other lines skipped as any log's (a last line cut short by a run still writing)
  if (data.format === 'log' && data.params.length === 0 && data.skipped.some((s) => s.reason === INFEASIBLE_REASON)) {
    if ([...data.keys].sort().join('\u0000') !== [...space.names].sort().join('\u0000')) {
      throw new StorageError(`bayes_opt import: the file's parameters [${data.keys.join(', ')}] are not the space's [${space.names.join(', ')}]`);
    }
    return { points: [], skipped: data.skipped, constrained: 0 };
  }
  if (data.params.length === 0) {
    // nothing readable: an empty text, or no line that is a bayes_opt point
    const why = data.skipped.length === 0
      ? 'the text is empty'
      : `no line is a bayes_opt point (${data.skipped.slice(0, 3).map((s) => `line ${s.line}: ${s.reason}`).join('; ')}${data.skipped.length > 3 ? '; ...' : ''})`;
    throw new StorageError(`bayes_opt import: not a bayes_opt state or log: ${why}`);
  }
  // a file from another study is an error; a few stray points are only skipped
  const names = [...space.names].sort().join('\u0000');
  const sameNames = (p: Params): boolean => Object.keys(p).sort().join('\u0000') === names;
  if (data.params.length > 0 && !data.params.some(sameNames)) {
    throw new StorageError(
      `bayes_opt import: the file's parameters [${Object.keys(data.params[0]).join(', ')}] are not the space's [${space.names.join(', ')}]`,
    );
  }
  const points: ImportPoint[] = [];
  const skipped: SkippedLine[] = [...data.skipped];
  const withConstraint = new Set(data.constrainedRows ?? []);
  let constrained = 0;
  data.params.forEach((p, i) => {
    try {
      const withValue = withConstraint.has(data.rows[i]);
      points.push({ params: space.validatePoint(p), target: data.targets[i], ...(withValue ? { constrained: true as const } : {}) });
      if (withValue) constrained++;
    } catch (e) {
      skipped.push({ line: data.rows[i], reason: (e as Error).message });
    }
  });
  skipped.sort((a, b) => a.line - b.line);
  return { points, skipped, constrained };
}

/**
 * bayes_opt text of the complete trials: `'state'` is a `save_state` JSON
 * (loadable with `load_state`; float and int parameters only, bounds written
 * linear even for log parameters), `'log'` a JSONLogger log (loadable with
 * `load_logs`), its lines in the order of `trials` (give them in the order
 * they were told). Targets are negated when `direction` is 'minimize'.
 */
export function writeBayesOpt(trials: readonly Trial[], space: Space, direction: Direction, format: 'state' | 'log'): string {
  if (format === 'state') return exportBayesOptState(trials, space.spec, { direction });
  if (format === 'log') return exportBayesOptLog(trials, { direction, space: space.spec, ordered: true });
  throw new InvalidOptionError(`option "format": bayes_opt export: expected "state" or "log", got ${show(format)}`, 'format');
}

/**
 * Records the points `readBayesOpt` read into `study` as completed trials
 * (each passed to `hooks.told`), leaving out those it already holds when
 * `skipExisting`, and logs what was skipped and constrained (`hooks.log`)
 * and what was left out as already held (`hooks.info`).
 */
export async function registerImport(
  study: Study, read: ReturnType<typeof readBayesOpt>, skipExisting: boolean,
  hooks: { told: (t: Trial) => void; log: (line: string) => void; info: (line: string) => void; assertUsable: () => void },
): Promise<ImportReport> {
  // every worker's trials, not only those this one has seen
  if (skipExisting && study.shared) await study.load();
  const { points, existing } = skipExisting ? leaveOutExisting(read.points, study.completed()) : { points: read.points, existing: 0 };
  for (const { params, target } of points) {
    hooks.assertUsable();
    hooks.told(await study.record(params, { target, durationMs: 0 }));
  }
  const { skipped } = read;
  const constrained = points.filter((p) => p.constrained).length;
  if (skipped.length) hooks.log(importSummary(points.length, skipped));
  if (existing > 0) hooks.info(existingNote(existing));
  if (constrained > 0) hooks.log(constrainedNote(constrained));
  return { imported: points.length, skipped, ...(constrained > 0 ? { constrained } : {}), ...(existing > 0 ? { existing } : {}) };
}

/** The log line after importing saved state whose points carry constraint values. */
export function constrainedNote(constrained: number): string {
  return `bayes_opt import: ${constrained} point(s) of the saved state carry constraint values, and the state keeps no constraint ` +
    'limits: they are registered feasible or not (a JSONLogger log says which were allowed; its infeasible points are skipped)';
}

/** The log line after an import that skipped something: how many, and each line's reason. */
export function importSummary(imported: number, skipped: SkippedLine[]): string {
  return `bayes_opt import: ${imported} point(s) registered, ${skipped.length} skipped: ` +
    skipped.map((s) => `${s.line}: ${s.reason}`).join('; ');
}

/** The log line after an import that left out points the study already held. */
export function existingNote(existing: number): string {
  return `bayes_opt import: ${existing} point(s) already in the study (a completed trial with the same params and target) ` +
    'not registered again; pass { skipExisting: false } to register them anyway';
}
