/**
 * Hyperband (Li et al., JMLR 18(185), 2018) as Optuna runs it: several ASHA
 * brackets with different early-stopping rates; each trial is put in one by a
 * hash of the study name and its id, and competes only with its bracket.
 */
import { InvalidOptionError } from '../errors';
import { logOfDouble, logOfInteger } from '../util/exact-log';
import { KEEP, lastStep, recordedAttr } from './curve';
import { intOption, prunerOptions } from './median';
import { SuccessiveHalvingPruner } from './successive-halving';
import { PRUNER_ATTR_PREFIX, type PruneInput, type Pruner, type PruneVerdict, type PrunerTrial } from './types';
import { given } from '../util/option-keys';

/** The trial system attribute recording the R a Hyperband pruner inferred ('auto'), with the report it first judged by it. */
export const MAX_RESOURCE_ATTR = `${PRUNER_ATTR_PREFIX}hyperband_max_resource`;

/** Options of {@link HyperbandPruner}. Defaults in brackets. */
export interface HyperbandOptions {
  /** r: the steps of the first rung of the most aggressive bracket [1] */
  minResource?: number;
  /**
   * R: the steps of a full training. 'auto' takes the largest last step of
   * the complete trials, plus one, at the first decision after one completed,
   * as Optuna 3.1 does: no report before that is judged, nor records a rung
   * value (a trial still running then records the rungs it had passed with
   * its value at its next report; PrunerTrial's `rungs`), and R below minResource makes no
   * brackets, so nothing is pruned. The brackets then depend on when that
   * decision came. The R inferred is recorded with that decision's report
   * (MAX_RESOURCE_ATTR), and a pruner that finds it recorded takes it
   * instead of inferring its own (Optuna's infers it per pruner object): a
   * resumed study, or another worker that saw the record, keeps the study's
   * brackets. Give R for brackets known beforehand ['auto']
   */
  maxResource?: number | 'auto';
  /** eta [3] */
  reductionFactor?: number;
  /** a rung promotes nobody until more than this many trials reached it (needs maxResource) [0] */
  bootstrapCount?: number;
}

/**
 * Hyperband over ASHA brackets: floor(log_eta(R / r)) + 1 brackets, the log
 * in floating point as Optuna computes it (so R / r an exact power of eta
 * may count one bracket fewer: 5, not 6, at R = 243, r = 1, eta = 3); bracket b
 * starts at rung step r * eta^b and receives a share of trials proportional to
 * ceil(n * eta^s / (s + 1)), s = n - 1 - b (Algorithm 1's n_i). A trial's
 * bracket is crc32(`${studyName}_${id}`) mod the shares' sum, as in Optuna.
 *
 * @example
 * new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 }); // 4 brackets
 */
export class HyperbandPruner implements Pruner {
  readonly name: string = 'hyperband';
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  private max: number | 'auto';
  private brackets: SuccessiveHalvingPruner[] = [];
  private shares: number[] = [];
  private totalShare = 0;
  /** bracket per trial id, for the study name last used (the hash is pure; this only saves time: a report reads every trial's) */
  private bracketCache: number[] = [];
  private cacheName = '';

  constructor(options?: HyperbandOptions) {
    const opts = prunerOptions(options, 'HyperbandPruner', ['minResource', 'reductionFactor', 'bootstrapCount', 'maxResource']);
    this.minResource = intOption('minResource', given(opts.minResource, 1), 1);
    this.reductionFactor = intOption('reductionFactor', given(opts.reductionFactor, 3), 2);
    this.bootstrapCount = intOption('bootstrapCount', given(opts.bootstrapCount, 0), 0);
    const max = given(opts.maxResource, 'auto');
    if (max !== 'auto') intOption('maxResource', max, this.minResource, ' or "auto"');
    if (this.bootstrapCount > 0 && max === 'auto') {
      throw new InvalidOptionError('option "bootstrapCount": needs a numeric maxResource, not "auto"', 'bootstrapCount');
    }
    this.max = max;
    if (max !== 'auto') this.init(max);
  }

  /** R: as given, or with 'auto' the one inferred at the first decision after a trial completed, or found recorded ('auto' until then). */
  get maxResource(): number | 'auto' {
    return this.max;
  }

  /** Number of brackets, or 0 while maxResource is still 'auto' and unknown. */
  get nBrackets(): number {
    return this.brackets.length;
  }

  /** The bracket of trial `id`, or 0 before the brackets exist. */
  bracketOf(id: number, studyName = ''): number {
    if (!this.brackets.length) return 0;
    if (studyName !== this.cacheName) {
      this.bracketCache = [];
      this.cacheName = studyName;
    }
    // ids are 0, 1, 2, ...: an array; another id (a hand-made curve's) is hashed each time
    const small = Number.isSafeInteger(id) && id >= 0 && id < 1 << 24;
    const cached = small ? this.bracketCache[id] : undefined;
    if (cached !== undefined) return cached;
    let n = crc32(`${studyName}_${id}`) % this.totalShare;
    let b = 0;
    while (b < this.shares.length - 1 && n >= this.shares[b]) n -= this.shares[b++];
    if (small) this.bracketCache[id] = b;
    return b;
  }

  prune(input: PruneInput): boolean {
    return this.judge(input).prune;
  }

  /** The verdict of the trial's bracket, with its `completed_rung_<k>` attributes (as Optuna's bracket studies record them). */
  judge(input: PruneInput): PruneVerdict {
    let noted: Record<string, number> | undefined;
    if (this.max === 'auto') {
      const recorded = recordedAttr([input.trial, ...input.trials], MAX_RESOURCE_ATTR, (v) => Number.isSafeInteger(v) && v >= 1);
      if (recorded !== undefined) this.init(recorded);
      else {
        let max = -1;
        for (const t of input.trials) {
          const s = t.state === 'complete' ? lastStep(t) : undefined;
          if (s !== undefined && s > max) max = s;
        }
        // Optuna's rule: the last step (a count of steps when they start at 0) plus one
        if (max < 0) return KEEP;
        this.init(max + 1); // no report before this one was judged, so none recorded a rung value
        noted = { [MAX_RESOURCE_ATTR]: max + 1 };
      }
    }
    // R < r: no brackets (Optuna's too), nothing is pruned
    if (!this.brackets.length) return noted ? { prune: false, systemAttrs: noted } : KEEP;
    const name = input.studyName ?? '';
    const b = this.bracketOf(input.trial.id, name);
    // the bracket's trials, collected when first read (a report that reaches no rung reads none)
    let collected: PrunerTrial[] | null = null;
    const same: Iterable<PrunerTrial> = { [Symbol.iterator]: () => (collected ??= this.inBracket(input.trials, b, name)).values() };
    const v = this.brackets[b].judgeAmong(input.direction, input.trial, same);
    return noted ? { prune: v.prune, systemAttrs: { ...noted, ...v.systemAttrs } } : v;
  }

  private inBracket(trials: Iterable<PrunerTrial>, b: number, studyName: string): PrunerTrial[] {
    const out: PrunerTrial[] = [];
    for (const t of trials) if (this.bracketOf(t.id, studyName) === b) out.push(t);
    return out;
  }

  private init(maxResource: number): void {
    this.max = maxResource;
    const n = bracketCount(this.minResource, maxResource, this.reductionFactor);
    for (let b = 0; b < n; b++) {
      const s = n - 1 - b;
      const share = Math.ceil((n * this.reductionFactor ** s) / (s + 1));
      this.shares.push(share);
      this.totalShare += share;
      this.brackets.push(new SuccessiveHalvingPruner({
        minResource: this.minResource, reductionFactor: this.reductionFactor,
        minEarlyStoppingRate: b, bootstrapCount: this.bootstrapCount,
      }));
    }
  }
}

/**
 * Optuna 3.1's number of brackets, floor(math.log(R / r, eta)) + 1 in
 * floating point (0 when R < r): R / r as a double, and each log correctly
 * rounded, as CPython's on Linux. It differs from the exact count where R / r
 * is at or within a few ulps of a power of eta: 243 / 1 with eta = 3 gives
 * 4.999999999999999, so 5 brackets, not 6; 4^24 - 1 with eta = 4 gives 24.000000000000004,
 * so 25, not 24 (the exact count here before, and for every R that was not
 * an exact power).
 *
 * @example
 * bracketCount(1, 243, 3); // 5, as Optuna counts; bracketCount(1, 242, 3) is 5 too, bracketCount(1, 27, 3) 4
 */
export function bracketCount(r: number, R: number, eta: number): number {
  if (R < r) return 0;
  return Math.floor(logOfDouble(R / r) / logOfInteger(eta)) + 1;
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (IEEE, zlib's and Python's binascii.crc32) of a string's UTF-8 bytes. */
export function crc32(text: string): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
