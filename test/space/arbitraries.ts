/** fast-check generators for random spaces and points (shared by the space tests). */
import fc from 'fast-check';
import { INT_BOUND_LIMIT } from '../../src/space/validate';
import type { Choice, Params, ParamSpec, SpaceSpec } from '../../src/space/types';

/** Seed for every property test in this area, so failures reproduce. */
export const FC_SEED = 20240611;

const sortedPair = (a: number, b: number): [number, number] => (a < b ? [a, b] : [b, a]);

/** Linear float bounds: both typical and extreme (but finite high - low) ranges. */
const linearFloat: fc.Arbitrary<ParamSpec> = fc
  .oneof(
    fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })),
    fc.tuple(fc.double({ min: -1e300, max: 1e300, noNaN: true }), fc.double({ min: -1e300, max: 1e300, noNaN: true })),
  )
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => {
    const [low, high] = sortedPair(a, b);
    return { type: 'float', low, high };
  });

/** Log float bounds from any positive doubles (subnormal low included) or from decades. */
const logFloat: fc.Arbitrary<ParamSpec> = fc
  .oneof(
    fc.tuple(fc.double({ min: Number.MIN_VALUE, max: 1e308, noNaN: true }), fc.double({ min: Number.MIN_VALUE, max: 1e308, noNaN: true })),
    fc.tuple(fc.double({ min: -8, max: 3, noNaN: true }), fc.double({ min: -8, max: 3, noNaN: true })).map(
      ([a, b]) => [10 ** a, 10 ** b] as [number, number],
    ),
  )
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => {
    const [low, high] = sortedPair(a, b);
    return { type: 'float', low, high, log: true };
  });

const bigInt = (min: number, max: number) => fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);

const linearInt: fc.Arbitrary<ParamSpec> = fc
  .oneof(fc.tuple(bigInt(-20, 20), bigInt(-20, 20)), fc.tuple(bigInt(-INT_BOUND_LIMIT, INT_BOUND_LIMIT), bigInt(-INT_BOUND_LIMIT, INT_BOUND_LIMIT)))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => {
    const [low, high] = sortedPair(a, b);
    return { type: 'int', low, high };
  });

const logInt: fc.Arbitrary<ParamSpec> = fc
  .oneof(fc.tuple(bigInt(1, 50), bigInt(1, 50)), fc.tuple(bigInt(1, INT_BOUND_LIMIT), bigInt(1, INT_BOUND_LIMIT)))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => {
    const [low, high] = sortedPair(a, b);
    return { type: 'int', low, high, log: true };
  });

const choice: fc.Arbitrary<Choice> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const categorical: fc.Arbitrary<ParamSpec> = fc
  .uniqueArray(choice, { minLength: 1, maxLength: 6, comparator: 'SameValueZero' })
  .map((choices) => ({ type: 'categorical', choices }));

export const paramSpec: fc.Arbitrary<ParamSpec> = fc.oneof(linearFloat, logFloat, linearInt, logInt, categorical);

/** Any non-empty name, including ones like "__proto__" or "0". */
const names = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 });

export const spaceSpec: fc.Arbitrary<SpaceSpec> = names.chain((ns) =>
  fc.tuple(...ns.map(() => paramSpec)).map((ps) => Object.fromEntries(ns.map((n, i) => [n, ps[i]]))),
);

/** A valid value for one parameter (bounds included often). */
export function valueOf(p: ParamSpec): fc.Arbitrary<Choice> {
  if (p.type === 'categorical') return fc.constantFrom(...p.choices);
  if (p.type === 'int') return fc.oneof(fc.constantFrom(p.low, p.high), bigInt(p.low, p.high));
  return fc.oneof(fc.constantFrom(p.low, p.high), fc.double({ min: p.low, max: p.high, noNaN: true }));
}

export function pointOf(spec: SpaceSpec): fc.Arbitrary<Params> {
  const ns = Object.keys(spec);
  return fc.tuple(...ns.map((n) => valueOf(spec[n]))).map((vs) => Object.fromEntries(ns.map((n, i) => [n, vs[i]])));
}

/** A space together with one of its points. */
export const spaceAndPoint: fc.Arbitrary<[SpaceSpec, Params]> = spaceSpec.chain((s) =>
  pointOf(s).map((p): [SpaceSpec, Params] => [s, p]),
);
