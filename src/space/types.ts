/** Parameter and space definitions (the public, user-facing shapes). */

/**
 * A real parameter on [low, high]; `log: true` searches log(value) uniformly
 * (requires low > 0). With `step` it takes only low, low + step, ..., high
 * (Optuna's `suggest_float(step=)`; high must be low plus a whole number of
 * steps, and a step cannot go with `log`).
 */
export interface FloatParam {
  type: 'float';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}

/**
 * An integer parameter on [low, high] inclusive; `log: true` requires low >= 1.
 * With `step` (an integer >= 1) it takes only low, low + step, ..., high
 * (Optuna's `suggest_int(step=)`, KerasTuner's `hp.Int(step=)`; not with `log`).
 */
export interface IntParam {
  type: 'int';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}

export type Choice = string | number | boolean;

/** One of a finite set of choices (one-hot encoded). */
export interface CategoricalParam {
  type: 'categorical';
  choices: readonly Choice[];
}

export type ParamSpec = FloatParam | IntParam | CategoricalParam;

/** A typed search space: parameter name -> definition. Order of keys is the order of dimensions. */
export type SpaceSpec = Record<string, ParamSpec>;

/** bayes_opt shorthand: name -> [low, high], a linear float. */
export type Pbounds = Record<string, readonly [number, number]>;

/**
 * What the optimizers' `pbounds` option takes: Pbounds, or bounds declared
 * apart without `as const` (`const pb = { x: [2, 4] }` is `number[]`, not a
 * pair); a list that is not two numbers is an InvalidSpaceError at run time.
 */
export type PboundsInput = Record<string, readonly [number, number] | readonly number[]>;

/** A point in the user's terms: parameter name -> value. */
export type Params = Record<string, Choice>;

/**
 * The value one parameter takes: a categorical's choices (a union of
 * literals when they are declared `as const`), else a number.
 */
export type ParamValue<P extends ParamSpec> = P extends { type: 'categorical'; choices: readonly (infer C)[] } ? C : number;

/**
 * The params an objective receives for a typed space, e.g.
 * `{ lr: { type: 'float', ... }, act: { type: 'categorical', choices: ['relu', 'tanh'] as const } }`
 * gives `{ lr: number; act: 'relu' | 'tanh' }`.
 */
export type ParamsOf<S extends SpaceSpec> = { -readonly [K in keyof S]: ParamValue<S[K]> };

/** The params an objective receives for bayes_opt bounds: every value a number. */
export type PboundsParams<B extends PboundsInput> = { -readonly [K in keyof B]: number };

/**
 * How one parameter occupies the encoded unit cube. Encoding:
 * - continuous: u = (v - low)/(high - low), or (ln v - ln low)/(ln high - ln low) when log.
 * - integer: as continuous over [low - 0.5, high + 0.5] (so every integer owns an
 *   equal slice of u), decoded by rounding to the nearest integer and clamping.
 *   With `step` (an int or a float parameter that has one) the grid low, low +
 *   step, ..., high, each value owning an equal slice of u (see ./steps); its
 *   values are integers only for an int parameter.
 * - categorical: `size` one-hot dims starting at `dim`, decoded by argmax
 *   (first maximum wins).
 */
export type DimLayout =
  | { kind: 'continuous'; name: string; dim: number; low: number; high: number; log: boolean }
  | { kind: 'integer'; name: string; dim: number; low: number; high: number; log: boolean; step?: number }
  | { kind: 'categorical'; name: string; dim: number; size: number; choices: readonly Choice[] };
