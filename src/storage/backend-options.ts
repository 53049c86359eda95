/**
 * Checks of the options a journal backend is constructed with in code (a
 * URL's query is checked where it is parsed, redis-url.ts): a negative or
 * NaN duration failed only at the first locked step, as the server's or the
 * file system's error text, and a misspelt key gave the default silently.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';

/** What each option must be: a duration in milliseconds (an integer >= 1), a string, a non-empty string or a boolean. */
export type OptionKind = 'ms' | 'string' | 'name' | 'boolean';

/**
 * @param what the receiver, in messages (`RedisJournalBackend`)
 * @throws InvalidOptionError naming the option: unknown, or not of its kind (undefined is "not given")
 */
export function checkBackendOptions(what: string, opts: unknown, spec: Readonly<Record<string, OptionKind>>): void {
  checkOptionKeys(opts, what, Object.keys(spec));
  for (const [k, v] of Object.entries(opts as Record<string, unknown>)) {
    if (v === undefined) continue;
    const kind = spec[k];
    const ok = kind === 'ms' ? Number.isSafeInteger(v) && (v as number) >= 1
      : kind === 'boolean' ? typeof v === 'boolean'
        : typeof v === 'string' && (kind === 'string' || v !== '');
    if (ok) continue;
    const expected = kind === 'ms' ? 'an integer number of milliseconds >= 1'
      : kind === 'boolean' ? 'a boolean' : kind === 'name' ? 'a non-empty string' : 'a string';
    throw new InvalidOptionError(`${what}: ${k}: expected ${expected}, got ${show(v)}`, k);
  }
}
