/** Search space: parameter definitions, validation, unit-cube encoding, initial designs and grids. */
export { Space } from './space';
export type {
  CategoricalParam,
  Choice,
  DimLayout,
  FloatParam,
  IntParam,
  ParamSpec,
  Params,
  ParamsOf,
  ParamValue,
  Pbounds,
  PboundsInput,
  PboundsParams,
  SpaceSpec,
} from './types';
export { INT_BOUND_LIMIT, normalizeSpec, pboundsToSpec, validatePoint } from './validate';
export type { NormalizedSpace } from './validate';
export {
  argmaxChoice,
  clamp01,
  decodePoint,
  designToPoint,
  encodedDim,
  encodeInto,
  snapInto,
  unitToValue,
  valueToUnit,
} from './encode';
export { latinHypercube, sobolDesign, uniformDesign, unitDesign } from './designs';
export type { DesignMethod } from './designs';
export { SobolSequence } from './sobol';
export { SOBOL_MAX_DIM } from './sobol-directions';
export { gridCounts, gridIterate, gridLevels, gridMembership, gridPoints, gridSize } from './grid';
