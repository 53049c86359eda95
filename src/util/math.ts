/**
 * The float64 elementary functions the library's numerics call instead of
 * `Math.exp`, `Math.log`, ...: the same floats in every JavaScript runtime,
 * so a seeded study proposes the same points in Node, Deno and a browser,
 * and the WebAssembly modules (whose exp is fdlibm's) agree with the
 * JavaScript code everywhere.
 *
 * Each is the runtime's own function where that gives fdlibm's floats (V8
 * before version 12, so Node 20: the builtin is faster than the port), and
 * the ports of ./fdlibm.ts, ./fdlibm-expm1.ts and ./fdlibm-trig.ts elsewhere (Deno 2.9 and
 * Chromium, V8 15, round differently on 3% to 16% of arguments). The choice
 * is made once per function when this module loads, from 4,096 seeded
 * arguments across every branch of the algorithm ({@link builtinMatches});
 * either way the floats are fdlibm's.
 *
 * @example
 * ```ts
 * import { exp } from '../util/math';
 * const k = exp(-0.5 * r2); // not Math.exp: the same float in every runtime
 * ```
 */
import { fdlibmExp, fdlibmLog, fdlibmLog1p } from './fdlibm';
import { fdlibmExpm1 } from './fdlibm-expm1';
import { fdlibmCos, fdlibmSin } from './fdlibm-trig';

type Fn = (x: number) => number;

/** 4,096 seeded arguments: a quarter each from four ranges, with each range's edges. */
function probeArguments(): Float64Array {
  const out = new Float64Array(4096);
  let s = 0x2545f491;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    const q = i & 3;
    // [-1, 1]; [-750, 750] (exp's whole range); magnitudes 2^-60 .. 2^21
    // with either sign (tiny arguments, log's reduction, the trigonometric
    // reductions up to 2^19 pi/2); [0, 2 pi] (the normal deviates' angles)
    out[i] =
      q === 0 ? 2 * u - 1 : q === 1 ? -750 + 1500 * u : q === 2 ? (u < 0.5 ? -1 : 1) * 2 ** (81 * u - 60) : 2 * Math.PI * u;
  }
  return out;
}

/** Whether `builtin` gives `port`'s floats (NaN included) on every probe argument. */
export function builtinMatches(builtin: Fn, port: Fn, args: Float64Array = probeArguments()): boolean {
  for (let i = 0; i < args.length; i++) if (!Object.is(builtin(args[i]), port(args[i]))) return false;
  return true;
}

const ARGS = probeArguments();
const pick = (builtin: Fn, port: Fn): Fn => (builtinMatches(builtin, port, ARGS) ? builtin : port);

/** e^x; fdlibm's floats in every runtime. */
export const exp: Fn = pick(Math.exp, fdlibmExp);
/** The natural logarithm; fdlibm's floats in every runtime. */
export const log: Fn = pick(Math.log, fdlibmLog);
/** log(1 + x); fdlibm's floats in every runtime. */
export const log1p: Fn = pick(Math.log1p, fdlibmLog1p);
/** e^x - 1; fdlibm's floats in every runtime. */
export const expm1: Fn = pick(Math.expm1, fdlibmExpm1);
/** The cosine; fdlibm's floats in every runtime for |x| <= 2^19 pi/2. */
export const cos: Fn = pick(Math.cos, fdlibmCos);
/** The sine; fdlibm's floats in every runtime for |x| <= 2^19 pi/2. */
export const sin: Fn = pick(Math.sin, fdlibmSin);

/** Which functions this runtime runs as its own builtin (true) rather than the port. */
export const BUILTIN_MATH: Readonly<Record<'exp' | 'log' | 'log1p' | 'expm1' | 'cos' | 'sin', boolean>> = {
  exp: exp === Math.exp,
  log: log === Math.log,
  log1p: log1p === Math.log1p,
  expm1: expm1 === Math.expm1,
  cos: cos === Math.cos,
  sin: sin === Math.sin,
};
