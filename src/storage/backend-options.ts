/**
 * Checks of the options a journal backend (and Journal.open) is constructed with in code (a
 * URL's query is checked where it is parsed, redis-url.ts): a negative or
 * NaN duration failed only at the first locked step, as the server's or the
 * file system's error text, and a misspelt key gave the default silently.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';

/**
 * What each option must be: a duration in milliseconds (an integer >= 1), a
 * string, a non-empty string, a boolean, an object, a function, or one of
 * the values listed (`oneOf`, described as `expected`).
 */
export type OptionKind = 'ms' | 'string' | 'name' | 'boolean' | 'object' | 'function' | { oneOf: readonly unknown[]; expected: string };

const EXPECTED: Readonly<Record<Exclude<OptionKind, object>, string>> = {
  ms: 'an integer number of milliseconds >= 1', string: 'a string', name: 'a non-empty string', boolean: 'a boolean', object: 'an object', function: 'a function',
};

function isKind(v: unknown, kind: OptionKind): boolean {
  if (typeof kind === 'object') return kind.oneOf.includes(v);
  switch (kind) {
    case 'ms': return Number.isSafeInteger(v) && (v as number) >= 1;
    case 'boolean': return typeof v === 'boolean';
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'function': return typeof v === 'function';
    default: return typeof v === 'string' && (kind === 'string' || v !== '');
  }
}

/**
 * @param what the receiver, in messages (`RedisJournalBackend`)
 * @throws InvalidOptionError naming the option: unknown, or not of its kind (undefined is "not given")
 */
export function checkBackendOptions(what: string, opts: unknown, spec: Readonly<Record<string, OptionKind>>): void {
  checkOptionKeys(opts, what, Object.keys(spec));
  for (const [k, v] of Object.entries(opts as Record<string, unknown>)) {
    if (v === undefined) continue;
    const kind = spec[k];
    if (!isKind(v, kind)) throw new InvalidOptionError(`${what}: ${k}: expected ${typeof kind === 'object' ? kind.expected : EXPECTED[kind]}, got ${show(v)}`, k);
  }
}
