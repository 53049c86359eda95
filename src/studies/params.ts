/** Reading typed values out of a study's params. */
import { InvalidOptionError, InvalidPointError } from '../errors';
import type { Params } from '../space/types';

/** `params[name]` as a finite number, else an InvalidPointError naming the parameter. */
export function numberParam(params: Params, name: string): number {
  const v = params[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidPointError(`parameter "${name}": must be a finite number (got ${JSON.stringify(v)})`, name);
  }
  return v;
}

/** Checks an optional positive-integer option. */
export function checkPositiveInt(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new InvalidOptionError(`option "${name}": must be a positive integer (got ${value})`, name);
  }
}

/** Seed for the i-th seeded initializer, or undefined when unseeded. */
export function layerSeed(seed: number | undefined, i: number): number | undefined {
  return seed === undefined ? undefined : (seed * 7919 + i) >>> 0;
}
