export { GaussianProcess, type GPFitStats, type GPOptions, type GPState, type PredictOptions } from './gaussian-process';
export {
  cholesky, choleskyInPlace, choleskySolve, solveLower, solveLowerTranspose, triangularInverse,
  logDetFromCholesky, type CholeskyOptions, type CholeskyResult,
} from './linalg';
export {
  MarginalLikelihood, negLogMarginalLikelihood, type LikelihoodData, type NegLogMarginalLikelihoodOptions,
} from './likelihood';
export { likelihoodBackend, setLikelihoodBackend, type LikelihoodBackend } from './likelihood-wasm';
export {
  posteriorFromFactors, scaleInputs, kernelRow, forwardRows, dotSeq, detachFactors, type Posterior, type ScaledInputs,
} from './posterior';
export {
  defaultHyperPriors, negLogPrior, hyperparameterBounds, packHyperparameters, unpackHyperparameters,
  LENGTHSCALE_BOUNDS, SIGNAL_VARIANCE_BOUNDS, NOISE_VARIANCE_MAX, DEFAULT_NOISE_FLOOR,
  type HyperPriors, type LogNormalPrior,
} from './priors';
export {
  KERNEL_NAMES, kernelFromR2, kernelDerivR2, scaledSqDist, crossCovariance, type KernelName,
} from './kernels';
export type { GPHyperparameters, PosteriorFactors } from './types';
export { WarpMemo, type WarpMemoState } from './warp-memo';
export {
  boxCox, boxCoxInverse, yeoJohnson, yeoJohnsonInverse, fitPowerLambda, powerLogLikelihood,
  gapPowerTransform, selectOutputTransform, transformedEvidence, IDENTITY_TRANSFORM,
  type OutputTransform, type GapPowerTransform,
} from './transforms';
export { LENGTHSCALE_MODELS, laplaceLogEvidence, type LengthscaleModel } from './lengthscale-model';
