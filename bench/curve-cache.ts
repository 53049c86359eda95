/**
 * A cache of taxi trainings for bench/taxi-row.ts (`--curves FILE`): a
 * training's learning curve depends only on its configuration, its seed and
 * the training options (the weights and the batch order are seeded), so a
 * curve trained once can be replayed to any pruner, report by report, and
 * the row's record (values, pruning steps, epochs) is the one a live run
 * gives. An uncached configuration is trained to its end without a pruner
 * (early stopping as always) and appended to FILE (JSON lines, one per
 * training, safe to share between processes), so every pruned trial's
 * whole curve is known too (what the pruner's verdict cost). Retrainings are
 * cached the same way. Wall times of a replayed row mean nothing: epochs
 * are the clock.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import type { BoundStudy } from '../src/cli/run-strategy';
import type { Params } from '../src/space/types';
import { TAXI_DEFAULTS } from '../src/studies/taxi';

/** One cached training: the validation metric after each epoch (null: not finite) and whether its loss was finite. */
export interface CachedCurve {
  key: string;
  kind: 'train';
  values: (number | null)[];
  lossFinite: boolean[];
}
/** One cached retraining: the test metric. */
export interface CachedRetrain {
  key: string;
  kind: 'retrain';
  testMetric: number;
  epochsRun: number;
}
type Entry = CachedCurve | CachedRetrain;

type Study = BoundStudy['study'];
type TrainOpts = Parameters<Study['train']>[2] & { patience?: number; minDelta?: number };

/** The cache key of a training: the configuration (sorted keys) and the options that shape its curve. */
export function curveKey(kind: 'train' | 'retrain', params: Params, o: TrainOpts = {}): string {
  const p = Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]]));
  return JSON.stringify({ kind, p, seed: o.seed ?? null, epochs: o.epochs ?? null, batchSize: o.batchSize ?? null, rows: o.maxTrainRows ?? null, patience: o.patience ?? null,
    // a schedule other than the constant rate (the earlier keys, unchanged)
    ...(o.lrSchedule !== undefined && o.lrSchedule !== 'constant' ? { lrSchedule: o.lrSchedule } : {}) });
}

export class CurveCache {
  private readonly map = new Map<string, Entry>();
  trained = 0;
  replayed = 0;
  constructor(readonly file: string) {
    this.reload();
  }

  /** Reads entries other processes appended since. */
  reload(): void {
    if (!existsSync(this.file)) return;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as Entry;
        this.map.set(e.key, e);
      } catch { /* a line being written by another process: read next time */ }
    }
  }

  get(key: string): Entry | undefined {
    if (!this.map.has(key)) this.reload();
    return this.map.get(key);
  }

  put(e: Entry): void {
    this.map.set(e.key, e);
    appendFileSync(this.file, JSON.stringify(e) + '\n');
  }

  /**
   * Runs `make` unless another process is making the same entry (a lock file
   * next to the cache): then waits for its entry instead (at most 15 minutes).
   */
  private async once(key: string, make: () => Promise<void>): Promise<void> {
    const lock = `${this.file}.${createHash('sha1').update(key).digest('hex').slice(0, 16)}.lock`;
    for (;;) {
      if (this.map.has(key)) return;
      try {
        closeSync(openSync(lock, 'wx'));
        break;
      } catch {
        const stale = existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 15 * 60e3;
        if (stale) unlinkSync(lock);
        await new Promise((r) => setTimeout(r, 2000));
        this.reload();
      }
    }
    try {
      this.reload();
      if (!this.map.has(key)) await make();
    } finally {
      unlinkSync(lock);
    }
  }

  /** The whole curve of a training (trained and cached when missing). */
  async curve(study: Study, params: Params, splits: BoundStudy['splits'], opts: TrainOpts): Promise<CachedCurve> {
    const key = curveKey('train', params, opts);
    const hit = this.get(key);
    if (hit && hit.kind === 'train') {
      this.replayed++;
      return hit;
    }
    await this.once(key, () => this.trainInto(key, study, params, splits, opts));
    return this.map.get(key) as CachedCurve;
  }

  private async trainInto(key: string, study: Study, params: Params, splits: BoundStudy['splits'], opts: TrainOpts): Promise<void> {
    const r = await study.train(params, splits, { ...opts, context: undefined });
    const e: CachedCurve = {
      key, kind: 'train',
      values: r.history.map((h) => (Number.isFinite(h.valMetric) ? h.valMetric : null)),
      lossFinite: r.history.map((h) => Number.isFinite(h.loss)),
    };
    this.trained++;
    this.put(e);
  }

  /** `study` with its trainings replayed from (and added to) this cache. */
  wrap(study: Study): Study {
    const train: Study['train'] = async (params, splits, opts = {}) => {
      const o = opts as TrainOpts;
      if (o.maxTrainRows !== undefined) return study.train(params, splits, opts); // the warm-up
      const c = await this.curve(study, params, splits as BoundStudy['splits'], o);
      return replay(c, o);
    };
    const retrainAndTest: Study['retrainAndTest'] = async (params, splits, opts = {}) => {
      const key = curveKey('retrain', params, opts as TrainOpts);
      if (!this.get(key)) {
        await this.once(key, async () => {
          const r = await study.retrainAndTest(params, splits, opts);
          this.put({ key, kind: 'retrain', testMetric: r.testMetric, epochsRun: r.epochsRun });
        });
      }
      const hit = this.map.get(key) as CachedRetrain;
      return { testMetric: hit.testMetric, epochsRun: hit.epochsRun, trainMs: 0, history: [] };
    };
    return { ...study, train, retrainAndTest };
  }
}

/**
 * What trainTrial does with a curve (src/tfjs/train.ts), epoch by epoch:
 * the same best-value bookkeeping, the same final flag, the same reports to
 * the context, the same stop on patience or pruning.
 */
export async function replay(c: CachedCurve, o: TrainOpts) {
  const epochs = o.epochs ?? TAXI_DEFAULTS.epochs;
  const patience = o.patience ?? TAXI_DEFAULTS.patience;
  const minDelta = o.minDelta ?? 0;
  let best = NaN;
  let bestEpoch = -1;
  let pruned = false;
  let stoppedEarly = false;
  let run = 0;
  for (let epoch = 0; epoch < epochs && epoch < c.values.length; epoch++) {
    const v = c.values[epoch] ?? NaN;
    const lossOk = c.lossFinite[epoch];
    run++;
    o.onEpoch?.(epoch, { loss: lossOk ? 0 : NaN, valMetric: v, ms: 0 });
    if (Number.isFinite(v) && (!Number.isFinite(best) || v < best - minDelta)) {
      best = v;
      bestEpoch = epoch;
    }
    const final = epoch + 1 === epochs || !lossOk || epoch - bestEpoch >= patience;
    if (o.context && Number.isFinite(v) && (await o.context.report(epoch + 1, v, final ? { final } : undefined))) {
      pruned = true;
      break;
    }
    if (!lossOk || epoch - bestEpoch >= patience) {
      stoppedEarly = epoch + 1 < epochs;
      break;
    }
  }
  return { valMetric: best, bestEpoch, epochsRun: run, stoppedEarly, pruned, trainMs: 0, history: [] };
}
