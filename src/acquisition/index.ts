export {
  expectedImprovement, logExpectedImprovement, probabilityOfImprovement, logProbabilityOfImprovement,
  upperConfidenceBound, acquisitionScore, acquisitionValue, SIGMA_FLOOR,
  type AcquisitionKind, type AcquisitionSpec,
} from './functions';
export { erfc, erfcx, normCdf, normPdf, logNormCdf, logNormPdf, logH } from './special';
export { createCpuEngine, proposeOnCpu, scorePoints, topK, type CpuEngineOptions } from './cpu-engine';
export { AUTO_WORKERS_MAX, resolveWorkers, type WorkersOption } from './bounding-pool';
export { boundingBackend, loadBoundingWasm, setBoundingBackend, type BoundingBackend } from './bounding-wasm';
export { webAssemblyBackends, type WebAssemblyBackends } from './wasm-backends';
export * from './candidates';
export {
  CPU_CANDIDATE_BYTES, cpuCandidateCap, DEFAULT_CANDIDATES, MAX_CANDIDATES,
  type Engine, type EngineKind, type Evaluation, type ProposeRequest, type ProposeResult, type ProposeTimings,
} from './engine';
export { refineProposal, refineFromWinner, type RefineRequest, type RefineResult } from './refine';
export { acquisitionScoreGradient } from './score-gradient';
export { averagedScore, fantasyScores, type Fantasies } from './fantasy';
export { baseSamples, jointPosterior, pendingSetFactors, qEiFromSetFactors, qEiSamples, refineBySwaps, setFactors, singleSwaps, type JointPosterior, type SetScorer, type SwapResult } from './q-batch';
export { FLAT_LIPSCHITZ, LIPSCHITZ_SAMPLES, lipschitzConstant, logPenalizer, logSoftplus, meanGradient, penalizedScores, penalizers, type Penalizers } from './local-penalization';
