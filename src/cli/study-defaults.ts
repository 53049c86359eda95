/**
 * The `compare` / `tune` defaults per study (see ./options, which validates
 * the options and applies these), with the measurements they rest on.
 */
import type { LrSchedule } from '../util/lr-schedule';
import type { StudyName } from './types';

/** Evaluations per strategy with a time budget and no `budget` given: a cap that the time runs out before. */
export const TIME_BUDGET_CAP = 1000;

/**
 * Per-study defaults, sized so that `compare` with no options finishes in
 * minutes on 2 CPU cores with tfjs's wasm backend. Measured on an idle
 * 2-core machine: taxi about 1 s per 3-epoch evaluation over 3,867 training rows
 * through the 512-256 MLP (default taxi `compare`: 71 s). The taxi protocol
 * (batch 128, 3 epochs) is the one `npm run bench:taxi-noise` found most able
 * to tell configurations apart: its seed-to-seed noise is smallest against the
 * spread between configurations.
 *
 * Digits run the seed study's network at its resolution (28 x 28, one epoch
 * per evaluation) on a slice of the real digits: an evaluation trains on
 * 1,000 images (100 per class) and is scored on the 800 validation images.
 * What limits accuracy after one epoch is the number of optimizer steps: the
 * seed took 468 (60,000 images at batch 64); at batch 64, 1,000 images give
 * 16 steps (79.9% validation accuracy, 15 CPU-seconds on tfjs's wasm
 * backend), the package's whole 7,200-image training split 113 (94.6%, about
 * 86 CPU-seconds). Batch 16 gives 1,000 images 63 steps (86.1%, 21
 * CPU-seconds); see bench/digits-steps.ts.
 * 8 evaluations per strategy (grid: 2 x 2 x 2); the recommended configuration
 * is retrained for one epoch on train + val from 3 weight seeds and scored on
 * the 2,000 held-out test digits. `retrainRows` stays the search's rows: on
 * all 7,200 training digits a retraining costs about 130 CPU-seconds an
 * epoch, and seed 1's Bayesian pick (learning rate 8.6e-3) reached 94.1%
 * test accuracy after 1 epoch and 95.6% after 2, short of 97%; with the
 * rate decayed linearly to 0 over the retraining (`retrainSchedule`
 * 'linear') 96.0% after 1 epoch (3 weight seeds). The default schedule stays
 * 'constant': on the default 1,000 + 800 digits one decayed retraining of
 * that pick collapsed to chance. `retrainRows` 'all', `retrainEpochs` 3,
 * `retrainBatchSize` 32, `retrainSchedule` 'warmup-linear' and `retrainShift`
 * 1 reached 97.9% (3 weight seeds) at about 235 CPU-seconds a retraining.
 *
 * `grace`: epochs before a pruner may stop an evaluation. On the taxi MLP the
 * first epoch ranks configurations by how fast Adam starts, not by where they
 * end: learning rates of 2e-3 to 5e-3 lead after epoch 1 and end at 2.44 to
 * 2.52 RMSE, those near 1e-3 trail there (about 3.0) and end best (2.35 to
 * 2.37). Of the 5 best of 55 configurations trained for 3 epochs (seed 1),
 * 1 was in the top quarter after epoch 1 (what ASHA with eta = 4 keeps), all
 * 5 after epoch 2. So taxi judges at epoch 2 (see the README's pruning runs).
 *
 * `pruning`: the protocol when a pruner runs and `epochs` (`retrainEpochs`)
 * are not given. A pruner can only save the epochs after the one where it
 * stops a training: at 3 epochs judged at epoch 2 that is one epoch in three,
 * too little to matter. So with a pruner the taxi study trains up to 12 epochs
 * per evaluation (early stopping, patience 3, as always) and retrains 12.
 * At 12 epochs the pruner waits longer (`pruning.grace`, 4; also when
 * `--epochs` asks 12 or more): ASHA (reduction factor 4) then judges once,
 * at epoch 4, and a training stopped there saves up to 8 epochs. Judged at
 * epoch 2 (grace 2, and rungs at 2 and 8), ASHA kept the fast starters:
 * configurations whose best epoch is 2 lead there and end early, and on
 * seed 1 the configuration that ended best was 15th of 20 after epoch 2.
 * Digits keeps its protocol (null). The default run, without a pruner, is
 * unchanged.
 */
export const STUDY_DEFAULTS: Record<StudyName, {
  budget: number; epochs: number; retrainEpochs: number; retrainRepeats: number; batchSize: number; rows: number;
  retrainRows: number | 'all' | null; imageSize: number | null; grace: number; processes: number; pruning: { epochs: number; retrainEpochs: number; grace: number } | null;
}> = {
  taxi: {
    budget: 20, epochs: 3, retrainEpochs: 3, retrainRepeats: 3, batchSize: 128, rows: 5000, retrainRows: null, imageSize: null, grace: 2, processes: 1,
    pruning: { epochs: 12, retrainEpochs: 12, grace: 4 },
  },
  digits: {
    budget: 8, epochs: 1, retrainEpochs: 1, retrainRepeats: 3, batchSize: 16, rows: 1000, retrainRows: null, imageSize: null, grace: 1, processes: 2,
    pruning: null,
  },
};

export const DEFAULT_SEED = 1;

/** The digits retraining's schedule by default: the study's (`DIGITS_RETRAIN_SCHEDULE`, which loads tfjs; a test keeps them equal). */
export const DIGITS_RETRAIN_SCHEDULE_CLI: LrSchedule = 'constant';
