/**
 * Checks of a training's inputs that run before anything is trained: the
 * data parts present and agreeing (rows of x and y, row shapes across
 * splits), the compile arguments, the model `build()` makes. Each failure is
 * an InvalidOptionError naming the option, where tfjs failed after an epoch
 * or a bare TypeError came from deep inside.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../errors';

export function sameRows(x: tf.Tensor, y: tf.Tensor, what: string, mayBeEmpty = false): void {
  if (x.shape[0] !== y.shape[0]) {
    throw new InvalidOptionError(
      `option "data": ${what} x has ${x.shape[0]} rows but y has ${y.shape[0]}`, 'data');
  }
  // an empty training set would return an untrained network's metric as a result, an empty validation set fails in tfjs
  if (x.shape[0] === 0 && !mayBeEmpty) throw new InvalidOptionError(`option "data": the ${what} set is empty`, 'data');
}

/**
 * The parts of `data` a training needs, each present: a tensor or `{ values, shape }`.
 * @throws InvalidOptionError naming `data` (a bare TypeError from deep inside before)
 */
export function checkDataParts(data: unknown, keys: readonly string[]): void {
  if (typeof data !== 'object' || data === null) throw new InvalidOptionError(`option "data": must be an object with ${keys.join(', ')} (got ${data === null ? 'null' : typeof data})`, 'data');
  for (const k of keys) {
    const v = (data as Record<string, unknown>)[k];
    const ok = v instanceof tf.Tensor || (typeof v === 'object' && v !== null && 'values' in v && Array.isArray((v as { shape?: unknown }).shape));
    if (!ok) throw new InvalidOptionError(`option "data": ${k} must be a tensor or { values, shape } (got ${v === undefined ? 'none' : v === null ? 'null' : typeof v})`, 'data');
  }
}

/**
 * `x` of a split fits the model's input: its rank, and every dimension the
 * input fixes (a `null` one, a sequence length, may vary). A validation set
 * of another width failed in tfjs only after a whole epoch of training.
 * Models of several inputs are left to tfjs.
 */
export function fitsInput(model: tf.LayersModel, x: tf.Tensor, what: string): void {
  if (model.inputs.length !== 1) return;
  const want = model.inputs[0].shape.slice(1);
  const got = x.shape.slice(1);
  if (want.length !== got.length || want.some((v, i) => v !== null && v !== got[i])) {
    const shown = want.map((v) => (v === null ? 'any' : String(v))).join(', ');
    throw new InvalidOptionError(`option "data": ${what} x has rows of shape [${got.join(', ')}] but the model takes [${shown}]`, 'data');
  }
}

/** `compile` is `{ optimizer, loss }`. @throws InvalidOptionError naming `compile` */
export function checkCompile(compile: unknown): void {
  if (typeof compile !== 'object' || compile === null || !('optimizer' in compile) || !('loss' in compile)) {
    throw new InvalidOptionError(`option "compile": must be { optimizer, loss } (got ${compile === null ? 'null' : typeof compile})`, 'compile');
  }
}

/** The model `build()` returned. @throws InvalidOptionError naming `build` when it is no tfjs model */
export function builtModel(build: unknown): tf.LayersModel {
  if (typeof build !== 'function') throw new InvalidOptionError(`option "build": must be a function returning a tf.LayersModel (got ${typeof build})`, 'build');
  const model = (build as () => unknown)();
  if (!(model instanceof tf.LayersModel)) {
    throw new InvalidOptionError(`option "build": must return a tf.LayersModel (got ${model === null ? 'null' : typeof model})`, 'build');
  }
  return model;
}
