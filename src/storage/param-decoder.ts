/**
 * Decodes a journal's trial params: each value in Optuna's internal form
 * through its distribution (categorical choices are stored as indices), and
 * the first distribution seen per parameter, which tells a study's space
 * when it stores none, and each distribution Optuna's compatibility rule
 * tells apart from those seen before, so that a space given now is checked
 * against every trial's (whichever came first). Distribution texts are
 * parsed once each: every trial repeats the same few.
 */
import type { Choice } from '../space/types';
import { incompatibility, parseDistribution, toExternal, type Distribution } from './optuna-format';
import type { JournalTrial } from './types';
import { setOwn } from '../util/own-key';

/** How many mutually incompatible distributions of one parameter are kept (enough to name a difference). */
const MAX_VARIANTS = 16;

export class ParamDecoder {
  /** the first distribution seen per parameter of the study */
  readonly distributions = new Map<string, Distribution>();
  /**
   * per parameter, the first distribution of each kind the compatibility rule
   * tells apart (kind, log scale, step, choices; bounds aside), at most
   * MAX_VARIANTS: a study whose trials used two grids for one parameter was
   * checked against the first trial's alone, so its trials' order decided
   * whether a space opened it
   */
  readonly variants = new Map<string, Distribution[]>();
  /** distribution JSON text -> parsed */
  private readonly cache = new Map<string, Distribution | null>();

  /** Forgets the study's distributions (its trials are gone). */
  clear(): void {
    this.distributions.clear();
    this.variants.clear();
  }

  private distribution(x: unknown): Distribution | null {
    if (typeof x !== 'string') return parseDistribution(x);
    let d = this.cache.get(x);
    if (d === undefined) {
      d = parseDistribution(x);
      if (this.cache.size < 10_000) this.cache.set(x, d);
    }
    return d;
  }

  /** Sets `trial.params[name]` from `internal` through distribution `dist`; returns why it cannot, or null. */
  set(trial: JournalTrial, name: string, internal: unknown, dist: unknown): string | null {
    const d = this.distribution(dist);
    if (!d) return `parameter ${JSON.stringify(name)}: no valid distribution`;
    const v: Choice | null = toExternal(d, internal);
    if (v === null) {
      // Optuna's None choice (a valid value there): the parameter is left out, the line is sound
      if (d.name === 'CategoricalDistribution' && (d.attributes.choices as unknown[])[Math.trunc(internal as number)] === null) return null;
      return `parameter ${JSON.stringify(name)}: ${JSON.stringify(internal)} does not fit its distribution`;
    }
    setOwn(trial.params, name, v);
    if (!this.distributions.has(name)) this.distributions.set(name, d);
    this.noteVariant(name, d);
    return null;
  }

  private noteVariant(name: string, d: Distribution): void {
    const seen = this.variants.get(name);
    if (!seen) {
      this.variants.set(name, [d]);
      return;
    }
    // the common case, every trial alike, is one comparison
    if (seen.length >= MAX_VARIANTS || seen.some((v) => v === d || incompatibility(v, d) === null)) return;
    seen.push(d);
  }
}
