/** Ready-made hyperparameter studies (taxi-fare regression MLP, digits CNN) on TensorFlow.js. */
export { taxiStudy, TAXI_SPACE, TAXI_DEFAULTS } from './taxi';
export type { TaxiTrainOptions } from './taxi';
export { digitsStudy, DIGITS_SPACE, DIGITS_DEFAULTS, DENSE_UNIT_STEP, denseUnits, digitsLoss } from './digits';
export type { DigitsTrainOptions } from './digits';
export type { StudyDescriptor, StudyTrainOptions } from './types';
