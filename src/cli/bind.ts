/**
 * One seed's study bound to its data and training options, as `compare`
 * runs it in-process and as each worker process (./worker-entry) rebuilds
 * it: both go through here, so both train alike.
 */
import type { Space } from '../space';
import { DIGITS_DEFAULTS } from '../studies/digits';
import { reportParts } from '../tfjs/fit';
import type { StudyData } from './data';
import type { Progress } from './progress';
import type { BoundStudy } from './run-strategy';
import type { ResolvedOptions } from './types';

/** The study of `seed`: its splits (and the retraining's), the evaluations' and the retraining's options. */
export function bindStudy(o: ResolvedOptions, study: BoundStudy['study'], data: StudyData, seed: number): BoundStudy {
  return {
    study,
    splits: data.splits as BoundStudy['splits'],
    ...(data.study === 'digits' && data.retrainSplits !== undefined ? { retrainSplits: data.retrainSplits as BoundStudy['splits'] } : {}),
    train: {
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed,
      // explicit, so the records can say what a curve's steps are (runStrategy)
      // (as many as the epoch has batches: trainTrial caps it so, and the record must say the steps it took)
      ...(data.study === 'digits'
        ? { reportsPerEpoch: reportParts(DIGITS_DEFAULTS.reportsPerEpoch, data.splits.train.n, o.batchSize) } : {}),
      ...(o.lrSchedule ? { lrSchedule: o.lrSchedule } : {}),
      ...(o.imageSize !== null && o.imageSize !== undefined ? { imageSize: o.imageSize } : {}),
    },
    ...(o.retrainSchedule ? {
      retrain: {
        lrSchedule: o.retrainSchedule,
        ...(o.retrainShift ? { shift: o.retrainShift } : {}),
        ...(o.retrainBatchSize !== null && o.retrainBatchSize !== undefined ? { batchSize: o.retrainBatchSize } : {}),
      },
    } : {}),
  };
}

/**
 * One short throwaway training before any timing: the first fit pays for
 * backend initialization and kernel compilation, which would otherwise be
 * charged to whichever strategy runs first.
 */
export async function warmUp(b: BoundStudy, space: Space, progress: Progress): Promise<void> {
  progress.status('warming up the training backend');
  const mid = space.decode(new Float64Array(space.dim).fill(0.5));
  await b.study.train(mid, b.splits, { ...b.train, epochs: 1, maxTrainRows: Math.min(256, b.train.batchSize ?? 256) });
}
