/**
 * The tuning panel's settings form: the study, budget, epochs, rows, seed,
 * pruner, trainings at once and strategies, read and checked once when a run
 * starts (an InputError names the first bad one), and the ids of the
 * inputs the panel locks while it runs. Apart from ./tuning-panel, which
 * runs the study and draws what it finds.
 */
import { InputError } from './input-error';
import type { Strategy } from './strategies';
import type { DemoPruner, DemoStudy } from './tuning';

/** The page's element with this id; throws when the page lacks it. */
export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page is missing #${id}`);
  return el;
}

function readInt(id: string, label: string, min: number, max: number): number {
  const raw = ($(id) as HTMLInputElement).value;
  // Number('') is 0: an emptied field is refused, not read as 0 (as the posterior panel's)
  const v = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`${label}: expected an integer in ${min}..${max}, got "${raw}"`);
  return v;
}

/** Every strategy, in the panel's order. */
export const ALL: readonly Strategy[] = ['bayes', 'random', 'grid'];

const PRUNERS: readonly DemoPruner[] = ['none', 'median', 'asha', 'hyperband'];

/** A run's settings, as the form gives them. */
export interface TuningSettings {
  budget: number;
  epochs: number;
  rows: number;
  seed: number;
  study: DemoStudy;
  pruner: DemoPruner;
  concurrency: number;
  strategies: Strategy[];
}

/** The form's settings, checked in the form's order. @throws InputError naming the first bad one */
export function readSettings(): TuningSettings {
  const budget = readInt('budget', 'budget', 2, 50);
  const epochs = readInt('epochs', 'epochs', 1, 50);
  const rows = readInt('rows', 'training rows', 50, 4000);
  const seed = readInt('tune-seed', 'seed', 0, 2 ** 31 - 1);
  const study = (($('tune-study') as HTMLSelectElement).value === 'digits' ? 'digits' : 'taxi') as DemoStudy;
  const prunerValue = ($('tune-pruner') as HTMLSelectElement).value;
  const pruner = PRUNERS.find((p) => p === prunerValue);
  if (pruner === undefined) throw new InputError(`pruner: expected one of ${PRUNERS.join(', ')}, got "${prunerValue}"`);
  const concurrency = readInt('tune-concurrency', 'trainings at once', 1, 4);
  const strategies = ALL.filter((s) => ($(`use-${s}`) as HTMLInputElement).checked);
  if (strategies.length === 0) throw new InputError('strategies: tick at least one');
  return { budget, epochs, rows, seed, study, pruner, concurrency, strategies };
}

/** The ids of the form's inputs, disabled while a run is in progress. */
export const SETTING_IDS: readonly string[] = [
  'tune-study', 'budget', 'epochs', 'rows', 'tune-seed', 'tune-pruner', 'tune-concurrency', ...ALL.map((st) => `use-${st}`),
];
