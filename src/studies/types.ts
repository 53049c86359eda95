/** The shape of a ready-made hyperparameter study (a model family, its search space and its objective). */
import type * as tf from '@tensorflow/tfjs';
import type { Splits } from '../data/types';
import type { Params, SpaceSpec } from '../space/types';
import type { Reporter } from '../pruners';
import type { EpochLogs, RetrainResult, TrainTrialResult } from '../tfjs/train';

/** Options shared by a study's objective (one trial) and its final retraining. */
export interface StudyTrainOptions {
  /** Epochs at most (exactly, when retraining). Default: the study's. */
  epochs?: number;
  /** Default: the study's. */
  batchSize?: number;
  /** Early-stopping patience in epochs (objective only). Default: the study's. */
  patience?: number;
  /** Train on at most this many (leading) training rows; validation/test are not cut. Default: all. */
  maxTrainRows?: number;
  /** Seeds weight initialization, epoch shuffling and (the digits CNN's) dropout masks: the same seed trains the same weights. Default: unseeded. */
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, logs: EpochLogs) => void;
  /** the objective's context: each epoch's validation metric is reported to it, and a pruned trial stops (objective only) */
  context?: Reporter;
  /**
   * with a context: reports of the validation metric per epoch, for studies
   * that report within epochs (digits: 4, every quarter epoch; taxi: always 1)
   */
  reportsPerEpoch?: number;
}

/**
 * A study: `S` its data's split type, `O` its training options, `Sp` its
 * search space's type (so `new RandomSearch({ space: taxiStudy.space })`
 * types its params per parameter, as TAXI_SPACE does).
 */
export interface StudyDescriptor<S, O extends StudyTrainOptions = StudyTrainOptions, Sp extends SpaceSpec = SpaceSpec> {
  name: string;
  space: Sp;
  direction: 'minimize' | 'maximize';
  metricName: 'rmse' | 'accuracy';
  /** A fresh, uncompiled model for `params`; `inputShape` excludes the batch dimension. */
  buildModel(params: Params, inputShape: readonly number[], opts?: { seed?: number; numClasses?: number }): tf.LayersModel;
  /** Trains one trial on `data.train`, returns the best validation metric (see `train`). */
  objective(params: Params, data: Splits<S>, opts?: O): Promise<number>;
  /** As `objective`, with the full training record. */
  train(params: Params, data: Splits<S>, opts?: O): Promise<TrainTrialResult>;
  /** Retrains `params` on train + val for `epochs` and reports the test metric. */
  retrainAndTest(params: Params, data: Splits<S>, opts?: O): Promise<RetrainResult>;
}
