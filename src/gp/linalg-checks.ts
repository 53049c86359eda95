/**
 * Argument checks of the exported helpers of ./linalg: O(1) each, so they
 * cost nothing beside the O(n) to O(n^3) work even on the hot paths (a
 * solve per candidate in q-batch.ts, a factorization per set): `n` a non-negative
 * integer, every matrix `n x n` values or more, every vector `n`, and what
 * a helper writes (`out`, choleskyInPlace's `A`) a Float64Array. A bad one
 * is an InvalidOptionError naming it (n = -1 was a RangeError, a missing
 * `b` a TypeError, a short array read NaN past its end). No entry is read
 * for a check: a non-finite value is cholesky's NumericalError, or NaN out
 * of a solve.
 */
import { InvalidOptionError } from '../errors';
import { show, showBrief } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import type { CholeskyOptions } from './linalg';

/** @throws InvalidOptionError naming `n` unless it is a non-negative integer */
export function checkN(who: string, n: unknown): void {
  if (!(Number.isSafeInteger(n) && (n as number) >= 0)) throw new InvalidOptionError(`${who}: n: expected a non-negative integer, got ${show(n)}`, 'n');
}

/**
 * @throws InvalidOptionError naming `name` unless `a` holds `need` values or more: an array or typed
 *   array, a Float64Array where `written`
 */
export function checkValues(who: string, name: string, a: unknown, need: number, shape: string, written: boolean): void {
  const len = (a as { length?: unknown } | null)?.length;
  const ok = written ? a instanceof Float64Array : typeof a === 'object' && a !== null && typeof len === 'number';
  if (!ok) throw new InvalidOptionError(`${who}: ${name}: expected ${written ? 'a Float64Array' : 'an array'} of ${shape} = ${need} values, got ${showBrief(a)}`, name);
  if ((len as number) < need) throw new InvalidOptionError(`${who}: ${name}: expected ${shape} = ${need} values, got ${len as number}`, name);
}

const CHOLESKY_OPTIONS = ['initialJitter', 'maxJitter'];

/** @throws InvalidOptionError naming `options` or the option that is unknown or not a positive finite number */
export function checkCholeskyOptions(who: string, opts: CholeskyOptions): void {
  checkOptionKeys(opts, who, CHOLESKY_OPTIONS);
  checkJitter('initialJitter', opts.initialJitter);
  checkJitter('maxJitter', opts.maxJitter);
}

/** 0 or a negative jitter retried for ever on a matrix that needs one. */
function checkJitter(k: string, v: unknown): void {
  if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
    throw new InvalidOptionError(`option "${k}": expected a positive finite number, got ${show(v)}`, k);
  }
}

/**
 * The checks of a solve: `n` a non-negative integer, `L` n x n values or
 * more, `b` n, `out` (when given) a Float64Array of n.
 */
export function checkSolve(who: string, L: unknown, n: number, b: unknown, out: unknown): void {
  checkN(who, n);
  checkValues(who, 'L', L, n * n, 'n x n', false);
  checkValues(who, 'b', b, n, 'n', false);
  if (out !== undefined) checkValues(who, 'out', out, n, 'n', true);
}
