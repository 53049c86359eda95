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
