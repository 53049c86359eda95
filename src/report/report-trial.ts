/**
 * A trial as a report reads it: a study's `Trial` (an optimizer's own
 * `trials`, intermediate values keyed by step) or the [step, value] pairs
 * `readStudy` gives, the pairs being what the report page draws.
 */
import type { Trial } from '../study/types';

/** A trial as the report shows it: a `Trial`, with the values it reported along the way. */
export interface ReportTrial extends Omit<Trial, 'intermediate'> {
  /**
   * the values reported during the trial (learning curves), when there are
   * any: [step, value] pairs, or a Trial's `{ step: value }` (an optimizer's
   * `trials` pass as they are)
   */
  intermediate?: Array<[number, number]> | Readonly<Record<number, number>>;
}

/** A study trial as the report shows it: its intermediate values as [step, value] pairs, by step. */
export function toReportTrial(t: Trial): ReportTrial {
  const { intermediate, ...rest } = t;
  const out: ReportTrial = { ...rest };
  const pairs = toPairs(intermediate);
  if (pairs) out.intermediate = pairs;
  return out;
}

/** A ReportTrial whose intermediate values are [step, value] pairs. */
export type PairedTrial = Omit<ReportTrial, 'intermediate'> & { intermediate?: Array<[number, number]> };

/** `study` with every trial's intermediate values as [step, value] pairs (the page script reads pairs). */
export function withPairs<S extends { trials: readonly ReportTrial[] }>(study: S): Omit<S, 'trials'> & { trials: PairedTrial[] } {
  const trials = study.trials.map((t): PairedTrial => {
    if (t.intermediate === undefined || Array.isArray(t.intermediate)) return t as PairedTrial;
    const { intermediate, ...rest } = t;
    const pairs = toPairs(intermediate);
    return pairs ? { ...rest, intermediate: pairs } : rest;
  });
  return { ...study, trials };
}

function toPairs(v: unknown): Array<[number, number]> | null {
  if (Array.isArray(v)) {
    const p = v.filter((x): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === 'number' && Number.isFinite(y)));
    return p.length > 0 ? p : null;
  }
  if (v !== null && typeof v === 'object') {
    const p = Object.entries(v as Record<string, unknown>)
      .filter(([k, y]) => Number.isFinite(Number(k)) && typeof y === 'number' && Number.isFinite(y))
      .map(([k, y]) => [Number(k), y as number] as [number, number])
      .sort((a, b) => a[0] - b[0]);
    return p.length > 0 ? p : null;
  }
  return null;
}
