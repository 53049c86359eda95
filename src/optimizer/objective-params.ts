/**
 * The params type the optimizers infer from their `space` or `pbounds`
 * option (see ObjectiveParams), and the helpers that keep that inference to
 * the option itself.
 */
import type { Params, ParamsOf, Pbounds, PboundsInput, PboundsParams, SpaceSpec } from '../space/types';

/** The brand of {@link NoPbounds}: a key no bounds object has. */
declare const pboundsNotGiven: unique symbol;

/**
 * The default of the `pbounds` type parameter (`B`): no bounds given. It
 * takes any bounds, and tells ObjectiveParams that `pbounds` was not given
 * (plain `Params`) from bounds typed `Pbounds` (every param a number).
 */
export type NoPbounds = Pbounds & { readonly [pboundsNotGiven]?: never };

/**
 * The params `f` receives: typed from `space` (floats and ints are numbers,
 * a categorical is the union of its choices when the space is written inline
 * in the constructor call or declared `as const`), or
 * all numbers from `pbounds` (`Record<string, number>` for bounds typed
 * `Pbounds`, whose names are not known); plain `Params` when neither is known.
 */
export type ObjectiveParams<S extends SpaceSpec = SpaceSpec, B extends PboundsInput = NoPbounds> =
  string extends keyof S
    ? (typeof pboundsNotGiven extends keyof B ? Params : string extends keyof B ? Record<string, number> : PboundsParams<B>)
    : ParamsOf<S>;

/**
 * `T`, in a place TypeScript infers nothing from (as its NoInfer, 5.4+): `B`
 * comes from `pbounds` alone, not from the params `f` declares (`(p: Params)
 * => ...` made it a wide record, read as bounds typed `Pbounds`).
 */
export type Uninferred<T> = [T][T extends unknown ? 0 : never];

/**
 * Bounds written out as a list of another length than 2 (`{ x: [0, 1, 2] }`)
 * refused at compile time; a plain `number[]` (bounds declared apart without
 * `as const`) passes, and is checked at run time.
 */
export type PairsOnly<B> = { [K in keyof B]: B[K] extends readonly [] | readonly [number, ...number[]] ? readonly [number, number] : B[K] };
