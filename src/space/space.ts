/**
 * The search space: validated parameter definitions plus the encoding to the
 * unit cube that the Gaussian process and the acquisition engines work in.
 */
import { InvalidOptionError, InvalidPointError } from '../errors';
import { checkRng, type Rng } from '../util/rng';
import { type DesignMethod, unitDesign } from './designs';
import { distinctFirst } from './distinct';
import { decodePoint, designToPoint, encodeInto, snapInto } from './encode';
import { describe } from './format';
import { gridIterate, gridMembership, gridPoints, gridSize } from './grid';
import { SOBOL_MAX_DIM } from './sobol-directions';
import type { DimLayout, Params, PboundsInput, SpaceSpec } from './types';
import { isValidPoint, normalizeSpec, pboundsToSpec, validatePoint } from './validate';

const METHODS: readonly DesignMethod[] = ['random', 'lhs', 'sobol'];

/**
 * A search space, checked: its parameters, and their encoding to the unit
 * cube (`dim` coordinates, one per choice of a categorical) that the GP and
 * the engines work in.
 * @example
 * ```ts
 * const space = new Space({ lr: { type: 'float', low: 1e-4, high: 1, log: true }, act: { type: 'categorical', choices: ['relu', 'tanh'] } });
 * const u = space.encode({ lr: 0.01, act: 'tanh' }); // dim = 3 coordinates in [0, 1]
 * space.decode(u);                                    // { lr: 0.01 (to rounding), act: 'tanh' }
 * ```
 */
export class Space {
  /** Parameter names, in dimension order. */
  readonly names: readonly string[];
  /** Encoded dimension (each categorical contributes one coordinate per choice). */
  readonly dim: number;
  /** One entry per parameter, in `names` order. */
  readonly layout: readonly DimLayout[];
  /** Normalized, frozen copy of the definition (`log` always present on numeric parameters). */
  readonly spec: SpaceSpec;

  /**
   * Build from optimizer options: exactly one of `space` (typed definition)
   * or `pbounds` (bayes_opt shorthand `name -> [low, high]`, linear floats).
   * @throws InvalidOptionError (option 'space' when neither is given, 'pbounds' when both are)
   * @throws InvalidSpaceError when the definition is invalid
   */
  static fromOptions(opts: { space?: SpaceSpec | undefined; pbounds?: PboundsInput | undefined }): Space {
    const hasSpace = opts?.space !== undefined;
    const hasPbounds = opts?.pbounds !== undefined;
    if (hasSpace && hasPbounds) {
      throw new InvalidOptionError('pbounds: cannot be combined with "space"; pass only one of them', 'pbounds');
    }
    if (!hasSpace && !hasPbounds) {
      throw new InvalidOptionError('space: one of "space" or "pbounds" is required', 'space');
    }
    return new Space(hasSpace ? (opts.space as SpaceSpec) : pboundsToSpec(opts.pbounds));
  }

  /** @throws InvalidSpaceError whose `.param` names the parameter at fault */
  constructor(spec: SpaceSpec) {
    const n = normalizeSpec(spec);
    this.spec = n.spec;
    this.layout = Object.freeze(n.layout);
    this.dim = n.dim;
    this.names = Object.freeze(n.layout.map((l) => l.name));
  }

  /**
   * Check a user-supplied point (e.g. a registered or probed one).
   * @returns a normalized copy, keys in parameter order
   * @throws InvalidPointError whose `.param` names the parameter at fault
   */
  validatePoint(p: unknown): Params {
    return validatePoint(this.layout, p);
  }

  /** True when `p` is a valid point of this space (validatePoint would accept it; nothing is copied). */
  contains(p: Params): boolean {
    return isValidPoint(this.layout, p);
  }

  /**
   * Encode a point (validated first) to a `dim`-vector in [0, 1].
   * @throws InvalidPointError
   */
  encode(p: Params): Float64Array {
    return encodeInto(this.layout, validatePoint(this.layout, p), new Float64Array(this.dim));
  }

  /** Decode any `dim`-vector (coordinates clamped to [0, 1], NaN read as 0) to a valid point. */
  decode(u: ArrayLike<number>): Params {
    this.checkLength(u);
    return decodePoint(this.layout, u);
  }

  /** Canonical encoding of the point `u` decodes to (see `snapInto`): idempotent, decode(snap(u)) = decode(u). */
  snap(u: ArrayLike<number>): Float64Array {
    this.checkLength(u);
    return snapInto(this.layout, u);
  }

  /**
   * An initial design of `n` encoded, snapped points (each a `dim`-vector).
   * The design is drawn with one coordinate per parameter, mapped to a point
   * (a categorical's coordinate picks a choice uniformly) and encoded, so
   * one-hot groups are always valid and LHS/Sobol stratify each parameter.
   * In a space of integers and categoricals only, the first min(n, D) points
   * are distinct (D: the number of distinct points; see ./distinct).
   * @param method 'lhs' (default), 'random' or 'sobol' (scrambled; at most SOBOL_MAX_DIM parameters)
   * @throws InvalidOptionError for a bad `rng`, `n` or `method`
   */
  sample(rng: Rng, n: number, method: DesignMethod = 'lhs'): Float64Array[] {
    checkRng(rng);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new InvalidOptionError(`n: must be a non-negative integer, got ${describe(n)}`, 'n');
    }
    if (!METHODS.includes(method)) {
      throw new InvalidOptionError(
        `method: unknown design ${describe(method)} (expected "random", "lhs" or "sobol")`,
        'method',
      );
    }
    if (method === 'sobol' && this.layout.length > SOBOL_MAX_DIM) {
      throw new InvalidOptionError(
        `method: "sobol" supports at most ${SOBOL_MAX_DIM} parameters, got ${this.layout.length}`,
        'method',
      );
    }
    return distinctFirst(this.layout, unitDesign(method, rng, n, this.layout.length), rng).map((t) =>
      encodeInto(this.layout, designToPoint(this.layout, t), new Float64Array(this.dim)),
    );
  }

  /** A grid of at most `budget` points; see ./grid for counts, levels and order. */
  grid(budget: number): Params[] {
    return gridPoints(this.layout, budget);
  }

  /** The points of `grid(budget)` one at a time, in its order, built as they are taken. */
  iterateGrid(budget: number): Generator<Params, void, undefined> {
    return gridIterate(this.layout, budget);
  }

  /** `grid(budget).length`, without building the points. */
  gridSize(budget: number): number {
    return gridSize(this.layout, budget);
  }

  /** Whether a point is one of `grid(budget)`'s, without building them. */
  onGrid(budget: number): (p: Params) => boolean {
    return gridMembership(this.layout, budget);
  }

  private checkLength(u: ArrayLike<number>): void {
    // null was a TypeError reading `length`
    if (typeof u !== 'object' || u === null || typeof u.length !== 'number') {
      throw new InvalidPointError(`encoded point: expected an array of ${this.dim} coordinates, got ${u === null ? 'null' : typeof u}`);
    }
    if (u.length !== this.dim) {
      throw new InvalidPointError(`encoded point: expected ${this.dim} coordinates, got ${u.length}`);
    }
  }
}
