/**
 * Messages between `compare` and its worker processes (./worker-pool,
 * ./worker-entry). A worker is told the resolved options once, then runs
 * jobs one at a time: a strategy's search (without its retraining) or one
 * retraining of a recommended configuration.
 */
import type { Params } from '../space/types';
import type { RetrainResult } from './retrain';
import type { PrunerName, ResolvedOptions, StrategyName, StrategyRecord } from './types';

/** A unit of work: the search of one strategy on one seed, or retraining `k` of its recommended configuration. */
export type WorkerJob =
  | { kind: 'search'; seed: number; name: StrategyName; pruner: PrunerName }
  | { kind: 'retrain'; seed: number; label: string; params: Params; k: number };

export type ToWorker =
  | { type: 'init'; options: ResolvedOptions }
  | { type: 'job'; id: number; job: WorkerJob };

export type FromWorker =
  | { type: 'status' | 'advance' | 'note'; text: string }
  /** `tensorsLeft`: tfjs tensors alive after the job beyond those alive after the worker's warm-up (0: no leak) */
  | { type: 'done'; id: number; result: StrategyRecord | RetrainResult; tensorsLeft: number }
  | { type: 'error'; id: number | null; name: string; message: string; option?: string };
