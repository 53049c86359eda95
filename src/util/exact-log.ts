/**
 * The natural log of a positive integer, correctly rounded to float64, for
 * the few logs whose last bit decides a count (Hyperband's brackets, as
 * CPython counts them).
 */
const P = 200n;
const ONE = 1n << P;

/** 2 atanh(z) for z = num / den in [0, 1/3], in fixed point (P fraction bits). */
function twoAtanh(num: bigint, den: bigint): bigint {
  const z = (num << P) / den;
  const z2 = (z * z) >> P;
  let term = z;
  let sum = 0n;
  for (let i = 1n; term !== 0n; i += 2n) {
    sum += term / i;
    term = (term * z2) >> P;
  }
  return 2n * sum;
}

let LN2: bigint | null = null;

/**
 * ln x for an integer x >= 1, correctly rounded to float64: what
 * a C library whose log is correctly rounded (glibc's, so CPython's
 * math.log on Linux) returns, where fdlibm's log (./math.ts) may be one ulp
 * off (ln 3: fdlibm 1.0986122886681096, correctly rounded 1.0986122886681098).
 * Exact arithmetic on BigInts: x = 2^e m with m in [1, 2), ln x = e ln 2 +
 * 2 atanh((m - 1) / (m + 1)), in fixed point with 200 fraction bits, then
 * one rounding (Number(bigint) rounds to nearest). About 5 microseconds a
 * call, a hundred times fdlibm's: for the few logs whose last bit decides a
 * count, such as Hyperband's number of brackets.
 *
 * @example
 * logOfInteger(3); // 1.0986122886681098, the float nearest ln 3
 */
export function logOfInteger(x: number | bigint): number {
  const n = BigInt(x);
  if (n < 1n) throw new RangeError(`logOfInteger: expected an integer >= 1, got ${x}`);
  return logOfDyadic(n, 0n);
}

/**
 * ln x for a finite double x > 0, correctly rounded (as logOfInteger): what
 * CPython's math.log gives a float on Linux, such as Optuna's R / r.
 *
 * @example
 * logOfDouble(0.5); // -0.6931471805599453
 */
export function logOfDouble(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`logOfDouble: expected a finite number > 0, got ${x}`);
  // x = n / 2^s exactly: every double is an integer over a power of two
  let s = 0n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2; // exact: a doubling only moves the exponent
    s++;
  }
  return logOfDyadic(BigInt(v), s);
}

/** ln(n / 2^s) for an integer n >= 1, correctly rounded. */
function logOfDyadic(n: bigint, s: bigint): number {
  LN2 ??= twoAtanh(1n, 3n); // ln 2 = 2 atanh(1/3)
  const bits = BigInt(n.toString(2).length - 1);
  const m = (n << P) >> bits; // in [ONE, 2 ONE)
  const fixed = (bits - s) * LN2 + twoAtanh(m - ONE, m + ONE);
  return Number(fixed) * 2 ** -200; // the scaling by a power of two is exact
}
