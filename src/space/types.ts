/** Parameter and space definitions (the public, user-facing shapes). */

/** A real parameter on [low, high]; `log: true` searches log(value) uniformly (requires low > 0). */
export interface FloatParam {
  type: 'float';
  low: number;
  high: number;
  log?: boolean;
}

/** An integer parameter on [low, high] inclusive; `log: true` requires low >= 1. */
export interface IntParam {
  type: 'int';
  low: number;
  high: number;
  log?: boolean;
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
export type PboundsParams<B extends Pbounds> = { -readonly [K in keyof B]: number };

/**
 * How one parameter occupies the encoded unit cube. Encoding:
 * - continuous: u = (v - low)/(high - low), or (ln v - ln low)/(ln high - ln low) when log.
 * - integer: as continuous over [low - 0.5, high + 0.5] (so every integer owns an
 *   equal slice of u), decoded by rounding to the nearest integer and clamping.
 * - categorical: `size` one-hot dims starting at `dim`, decoded by argmax
 *   (first maximum wins).
 */
export type DimLayout =
  | { kind: 'continuous'; name: string; dim: number; low: number; high: number; log: boolean }
  | { kind: 'integer'; name: string; dim: number; low: number; high: number; log: boolean }
  | { kind: 'categorical'; name: string; dim: number; size: number; choices: readonly Choice[] };
