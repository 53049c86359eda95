/**
 * A path argument's check, shared by the functions that read or write files
 * (reports, CSVs, data loaders and writers): a number failed as
 * `path.endsWith is not a function`, an empty string deep in a file call.
 */
import { InvalidOptionError } from '../errors';
import { showBrief } from './format-value';

/**
 * Refuses `value` unless it is a non-empty string, with an InvalidOptionError
 * naming `param`, prefixed by the function `who` when given, showing at most
 * 80 characters of what came.
 * @example checkPathArg(5, { who: 'writeIdx' }) // writeIdx: path: expected a file path (a non-empty string), got 5
 */
export function checkPathArg(value: unknown, opts: { who?: string; param?: string; kind?: string } = {}): asserts value is string {
  if (typeof value === 'string' && value !== '') return;
  const { who, param = 'path', kind = 'a file path' } = opts;
  throw new InvalidOptionError(`${who === undefined ? '' : `${who}: `}${param}: expected ${kind} (a non-empty string), got ${showBrief(value)}`, param);
}
