/**
 * A report judged before it is recorded: the pruner sees the study's curves
 * (every worker's, read under the journal's lock where the study is shared) with the report
 * added, and answers; the caller then records the value together with what
 * the pruner keeps beside it (PruneVerdict.systemAttrs), so a pruner that
 * fails records nothing. Shared by `f`'s context (./trial-call) and
 * ask/tell's `report`.
 */
import { InvalidOptionError, StateError } from '../errors';
import { Mutex } from '../storage/mutex';
import type { Study } from '../storage/study';
import { PRUNED_STEP_ATTR } from '../storage/types';
import { checkReport, KEEP, NopPruner, type Pruner, type PruneVerdict } from '../pruners';
import { show } from '../util/format-value';

/**
 * The verdict of `pruner` on pending trial `id` reporting `value` at `step`,
 * on the study's record as it stands (judgeAndRecord has it read first).
 * The report is checked before any pruner sees it; a trial that is no
 * longer running gets KEEP (the write that follows says why it cannot
 * record).
 * @throws InvalidPointError naming `step` or `value` (see checkReport)
 * @throws StateError when the pruner answers anything but a boolean
 *   (synchronously), or a judge() anything but `{ prune, systemAttrs? }`;
 *   what the pruner throws passes through
 */
function judgeReport(study: Study, pruner: Pruner | undefined, id: number, step: number, value: number): PruneVerdict {
  if (!pruner || pruner instanceof NopPruner) return KEEP;
  const trials = study.prunerTrials();
  const i = trials.findIndex((t) => t.id === id);
  if (i < 0 || trials[i].state !== 'running') return KEEP;
  const before = trials[i];
  checkReport(before, step, value);
  const trial = { ...before, steps: [...before.steps, step], values: [...before.values, value] };
  trials[i] = trial;
  const input = { direction: study.direction, trial, trials, studyName: study.studyName };
  return pruner.judge ? checkVerdict(pruner.name, pruner.judge(input)) : { prune: checkStop(pruner.name, 'prune', pruner.prune(input)) };
}

/**
 * judgeReport, for a report that may be the trial's last step (`final`):
 * stopping there saves nothing, so no verdict is used; a pruner that keeps
 * values beside reports (judge(): ASHA's and Hyperband's rungs) is still
 * asked for them, so the value counts at its rungs for later trials (one
 * that fails there: the value alone).
 */
function judgeAnyReport(study: Study, pruner: Pruner | undefined, id: number, step: number, value: number, final: boolean): PruneVerdict {
  if (!final) return judgeReport(study, pruner, id, step, value);
  if (!pruner?.judge) return KEEP;
  try {
    return { prune: false, systemAttrs: judgeReport(study, pruner, id, step, value).systemAttrs };
  } catch {
    return KEEP;
  }
}

/**
 * Judges a report (judgeAnyReport) and records it with what the pruner
 * keeps beside it, a stop marked with PRUNED_STEP_ATTR (so a worker that
 * ends before recording the trial pruned leaves one a resume ends so). The
 * verdict is given on the study as its storage holds it when the value is
 * written: under a journal's lock (Study.report with a judge), so two
 * workers reporting at one rung at once, in two processes too, each see
 * the other's value. Returns the verdict.
 */
export async function judgeAndRecord(study: Study, pruner: Pruner | undefined, id: number, step: number, value: number, final: boolean): Promise<PruneVerdict> {
  let v: PruneVerdict = KEEP;
  await study.report(id, step, value, () => {
    v = judgeAnyReport(study, pruner, id, step, value, final);
    return v.prune ? { ...v.systemAttrs, [PRUNED_STEP_ATTR]: step } : v.systemAttrs;
  });
  return v;
}

/** One queue per study: its reports are judged and written one at a time (see inTurn). */
const turns = new WeakMap<Study, Mutex>();

/**
 * Runs `fn` (judge a report, then write it) after every other report of
 * `study` in this process has been judged and written: a report judged
 * while another worker's judged one was still being written did not see
 * it (the study learns of a report when its write returns), so two
 * concurrent workers at one rung could each miss the other's value.
 */
export function inTurn<T>(study: Study, fn: () => Promise<T>): Promise<T> {
  let m = turns.get(study);
  if (!m) turns.set(study, (m = new Mutex()));
  return m.run(fn);
}

function checkStop(name: string, method: string, stop: unknown): boolean {
  if (typeof stop === 'boolean') return stop;
  const shown = show(stop);
  const hint = shown === 'a Promise' ? ' (pruners answer synchronously)' : '';
  throw new StateError(`pruner "${name}": ${method}() must return a boolean, got ${shown}${hint}`);
}

/** A judge()'s answer checked: `{ prune: boolean, systemAttrs?: { key: finite number } }`. */
function checkVerdict(name: string, v: unknown): PruneVerdict {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as { then?: unknown }).then === 'function') {
    throw new StateError(`pruner "${name}": judge() must return { prune, systemAttrs? }, got ${show(v)}`);
  }
  const { prune, systemAttrs } = v as { prune: unknown; systemAttrs?: unknown };
  checkStop(name, 'judge', prune);
  if (systemAttrs === undefined) return { prune: prune as boolean };
  const ok = systemAttrs !== null && typeof systemAttrs === 'object' && !Array.isArray(systemAttrs)
    && Object.values(systemAttrs).every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok) throw new StateError(`pruner "${name}": judge()'s systemAttrs must map keys to finite numbers, got ${show(systemAttrs)}`);
  return { prune: prune as boolean, systemAttrs: systemAttrs as Record<string, number> };
}

/**
 * `report`'s options: `{ final?: boolean }` or nothing.
 * @throws InvalidOptionError naming the option otherwise
 */
export function reportFinal(options: unknown): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(`report: options must be an object like { final: true }, got ${show(options)}`, 'options');
  }
  for (const k of Object.keys(options)) {
    if (k !== 'final') throw new InvalidOptionError(`report: option "${k}": unknown option (known: final)`, k);
  }
  const f = (options as { final?: unknown }).final;
  if (f !== undefined && typeof f !== 'boolean') throw new InvalidOptionError(`report: option "final": expected a boolean, got ${show(f)}`, 'final');
  return f === true;
}
