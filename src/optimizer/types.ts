/** The trial types live in the study layer (below storage); re-exported here for the optimizer's users. */
export type { ModelPrediction, Recommendation, Trial, TrialSource, TrialStatus } from '../study/types';
