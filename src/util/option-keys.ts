import { InvalidOptionError } from '../errors';

/**
 * Checks an options object: an object whose keys are all `known`. A
 * misspelt key (`prefr`, `epoch`) would otherwise give the default without a
 * word. `what` names the receiver in messages: `option "epoch": unknown
 * option of the taxi study (known: ...)`.
 * @throws InvalidOptionError naming the unknown key, or 'options' when `opts` is not an object
 */
export function checkOptionKeys(opts: unknown, what: string, known: readonly string[]): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InvalidOptionError(`${what}: options must be an object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`, 'options');
  }
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new InvalidOptionError(`option "${k}": unknown option of ${what} (known: ${known.join(', ')})`, k);
  }
}

/**
 * An option's value, or `fallback` when it was not given (left out or
 * `undefined`). Unlike `??`, null is a value, so the option's check refuses
 * it: `nIter: null` ran the default 25 trials where the constructor refused it.
 */
export function given<T>(v: T | undefined, fallback: T): T {
  return v === undefined ? fallback : v;
}

/**
 * `opts` without its undefined entries, to spread over defaults: a key given
 * as undefined is not given, and spread as it is it replaced the default with
 * undefined.
 */
export function definedEntries<T extends object>(opts: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(opts ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
