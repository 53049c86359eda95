/**
 * The fdlibm ports (src/util/fdlibm.ts, fdlibm-trig.ts) and the functions the
 * library calls (src/util/math.ts). On V8 11 (Node 20) the runtime's Math is
 * fdlibm, so there the ports must equal it bit for bit, on seeded arguments
 * in every range their branches split, on random bit patterns and on each
 * branch's edges; on another engine, within one unit in the last place.
 */
import { describe, expect, it } from 'vitest';
import { fdlibmExp, fdlibmLog, fdlibmLog1p } from '../../src/util/fdlibm';
import { fdlibmExpm1 } from '../../src/util/fdlibm-expm1';
import { fdlibmCos, fdlibmSin } from '../../src/util/fdlibm-trig';
import { BUILTIN_MATH, builtinMatches, cos, exp, expm1, log, log1p, sin } from '../../src/util/math';

const V8_MAJOR = Number(process.versions.v8.split('.')[0]);
/** Node 20's V8, whose Math functions are fdlibm's: the reference the ports must equal. */
const FDLIBM_MATH = V8_MAJOR === 11;

type Fn = (x: number) => number;
const PORTS: [string, Fn, Fn][] = [
  ['exp', fdlibmExp, Math.exp], ['log', fdlibmLog, Math.log], ['log1p', fdlibmLog1p, Math.log1p],
  ['expm1', fdlibmExpm1, Math.expm1], ['cos', fdlibmCos, Math.cos], ['sin', fdlibmSin, Math.sin],
];

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Seeded arguments: N from each range the algorithms' branches split. */
function argumentsFor(seed: number, n: number): Float64Array {
  const r = xorshift(seed);
  const words = new Uint32Array(2);
  const asDouble = new Float64Array(words.buffer);
  const ranges: (() => number)[] = [
    () => 2 * r() - 1,
    () => (r() - 0.5) * 1500, // exp's whole range and beyond
    () => (r() < 0.5 ? -1 : 1) * 2 ** (r() * 80 - 60), // tiny to 2^20, either sign
    () => 1 + (r() - 0.5) * 2 ** (-r() * 50), // log's arguments near 1
    () => (r() - 0.5) * 2e6, // the trigonometric medium reduction
    () => {
      words[0] = (r() * 2 ** 32) >>> 0;
      words[1] = (r() * 2 ** 32) >>> 0;
      return asDouble[0]; // any bit pattern: subnormals, infinities, NaNs
    },
  ];
  const out = new Float64Array(n * ranges.length);
  for (let i = 0; i < out.length; i++) out[i] = ranges[i % ranges.length]();
  return out;
}

/** Each branch's edges, the values either side of them, and the special values. */
const EDGES = [
  0, 1, Infinity, NaN, 5e-324, 2.2250738585072014e-308, 1e-310, 2 ** -54, 2 ** -29, 2 ** -28, 2 ** -27, 2 ** -20,
  0.5 * Math.LN2, 1.5 * Math.LN2, 56 * Math.LN2, 709.782712893384, 709.79, 745.1332191019411, 745.14, 708.4,
  0.3, 0.78125, Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4, Math.PI, 2 * Math.PI, 32 * Math.PI / 2, 2 ** 19 * Math.PI / 2,
  Math.SQRT2, Math.SQRT1_2, 0.4142135623730951, -0.2928932188134524, 2 ** 53, 1e300,
].flatMap((x) => [x, -x, x * (1 + 2 ** -52), x * (1 - 2 ** -53), -x * (1 + 2 ** -52)]);

/** Units in the last place between two finite doubles of one sign. */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0] - i[1];
  return Number(d < 0n ? -d : d);
}

describe('fdlibm ports', () => {
  const args = Float64Array.from([...argumentsFor(1, 50_000), ...EDGES]);

  for (const [name, port, builtin] of PORTS) {
    it(`${name}: Node 20's Math.${name} bit for bit (another engine's within one ulp) on ${args.length} arguments`, () => {
      const differ: string[] = [];
      for (const x of args) {
        const a = port(x);
        const b = builtin(x);
        // on another engine: one ulp at most (cos and sin beyond 2^19 pi/2 are the builtin itself)
        const tolerated = FDLIBM_MATH ? 0 : Number.isFinite(b) ? 1 : 0;
        if (ulps(a, b) > tolerated) differ.push(`${name}(${x}) = ${a}, Math: ${b}`);
      }
      expect(differ.slice(0, 5)).toEqual([]);
    });
  }

  it('keeps the values the library relies on exact', () => {
    expect(fdlibmExp(0)).toBe(1);
    expect(fdlibmExp(1)).toBe(Math.E);
    expect(fdlibmLog(1)).toBe(0);
    expect(fdlibmLog(Math.E)).toBe(1);
    expect(fdlibmLog(0)).toBe(-Infinity);
    expect(fdlibmLog(-1)).toBeNaN();
    expect(fdlibmLog1p(-1)).toBe(-Infinity);
    expect(fdlibmLog1p(1e-20)).toBe(1e-20);
    expect(fdlibmExpm1(1e-20)).toBe(1e-20);
    expect(fdlibmExpm1(-Infinity)).toBe(-1);
    expect(fdlibmExp(-Infinity)).toBe(0);
    expect(fdlibmExp(710)).toBe(Infinity);
    expect(fdlibmCos(0)).toBe(1);
    expect(Object.is(fdlibmSin(-0), -0)).toBe(true);
    expect(fdlibmCos(Infinity)).toBeNaN();
  });
});

describe('the functions the library calls (src/util/math.ts)', () => {
  it('equal the ports bit for bit, whichever each runtime runs', () => {
    const args = argumentsFor(2, 20_000);
    const pairs: [Fn, Fn][] = [[exp, fdlibmExp], [log, fdlibmLog], [log1p, fdlibmLog1p], [expm1, fdlibmExpm1], [cos, fdlibmCos], [sin, fdlibmSin]];
    for (const [f, port] of pairs) expect(builtinMatches(f, port, args)).toBe(true);
  });

  it("run the builtins where they give fdlibm's floats (all six on Node 20), the ports elsewhere", () => {
    const matches = Object.fromEntries(PORTS.map(([name, port, builtin]) => [name, builtinMatches(builtin, port)]));
    expect(BUILTIN_MATH).toEqual(matches);
    if (FDLIBM_MATH) expect(Object.values(BUILTIN_MATH)).toEqual([true, true, true, true, true, true]);
  });

  it('refuse a builtin that differs from the port in the last bit on one argument in a thousand', () => {
    let calls = 0;
    const offByOne = (x: number) => (++calls % 1000 === 0 ? fdlibmExp(x) * (1 + 2 ** -52) : fdlibmExp(x));
    expect(builtinMatches(offByOne, fdlibmExp)).toBe(false);
    expect(builtinMatches(fdlibmExp, fdlibmExp)).toBe(true);
  });
});
