/**
 * Validation at the API boundary: space definitions, bayes_opt `pbounds` and
 * user-supplied points. Every failure is a typed error whose message starts
 * with the parameter it concerns (`parameter "lr": ...`), or `space:` /
 * `point:` when no single parameter is at fault.
 */
import { InvalidPointError, InvalidSpaceError } from '../errors';
import { describe, describeList } from './format';
import { gridLevel, integral, levelCount, levelValue } from './steps';
import type { Choice, DimLayout, Params, ParamSpec, SpaceSpec } from './types';

/**
 * Integer bounds must lie within ±2^40. Beyond that the unit-cube encoding
 * (resolution ~2^-53) can no longer give each integer a slice wide enough for
 * an exact round trip, in particular on a log scale.
 */
export const INT_BOUND_LIMIT = 2 ** 40;

const NUMERIC_KEYS = new Set(['type', 'low', 'high', 'log', 'step']);
const CATEGORICAL_KEYS = new Set(['type', 'choices']);

/** A validated, normalized space: frozen spec copy, layout and encoded dimension. */
export interface NormalizedSpace {
  spec: SpaceSpec;
  layout: DimLayout[];
  dim: number;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  // a Map or a Date has no own keys to read: "must define at least one parameter" misled
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.prototype.toString.call(x) === '[object Object]';
}

/**
 * Whether `x`'s prototype is an array or holds keys of its own, as
 * `{ __proto__: [0, 1], x: [0, 1] }` written as a literal makes it: the
 * prototype is set, and the parameter it seems to declare would vanish
 * unsaid. A class instance's prototype (methods only, not enumerable) and
 * Object.create(null) pass.
 */
function prototypeReplaced(x: object): boolean {
  const proto: unknown = Object.getPrototypeOf(x);
  return proto !== null && typeof proto === 'object' && (Array.isArray(proto) || Object.keys(proto).length > 0);
}

/** The typed error of a space or pbounds object whose prototype was replaced (see prototypeReplaced), else null. */
function replacedError(what: 'space' | 'pbounds', x: object): InvalidSpaceError | null {
  return prototypeReplaced(x)
    ? new InvalidSpaceError(`${what}: its prototype holds values (a "__proto__" key written in an object literal sets the prototype; it declares no parameter)`)
    : null;
}

/** `describe(x)`, or "a Map", "a Date" for an object of another kind (JSON shows those as {} or a string). */
function got(x: unknown): string {
  const tag = typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.prototype.toString.call(x).slice(8, -1) : 'Object';
  return tag !== 'Object' ? `a ${tag}` : describe(x);
}

function spaceError(name: string, problem: string): InvalidSpaceError {
  return new InvalidSpaceError(`parameter ${JSON.stringify(name)}: ${problem}`, name);
}

function pointError(name: string, problem: string): InvalidPointError {
  return new InvalidPointError(`parameter ${JSON.stringify(name)}: ${problem}`, name);
}

/**
 * Validate a `SpaceSpec` (possibly from untyped JS or JSON) and build its
 * layout. Parameter order is `Object.keys` order (note that JS lists
 * integer-like keys such as "0" first).
 * @throws InvalidSpaceError naming the offending parameter.
 */
export function normalizeSpec(spec: unknown): NormalizedSpace {
  if (!isPlainObject(spec)) {
    throw new InvalidSpaceError(
      `space: must be an object mapping parameter names to definitions, got ${got(spec)}`,
    );
  }
  const replaced = replacedError('space', spec);
  if (replaced) throw replaced;
  const names = Object.keys(spec);
  if (names.length === 0) throw new InvalidSpaceError('space: must define at least one parameter');
  const out: [string, ParamSpec][] = [];
  const layout: DimLayout[] = [];
  let dim = 0;
  for (const name of names) {
    const p = normalizeParam(name, spec[name]);
    out.push([name, p]);
    if (p.type === 'categorical') {
      layout.push({ kind: 'categorical', name, dim, size: p.choices.length, choices: p.choices });
      dim += p.choices.length;
    } else {
      // a float with a step is a grid, laid out as an integer's levels are (see DimLayout)
      const kind = p.type === 'float' && p.step === undefined ? 'continuous' : 'integer';
      layout.push({ kind, name, dim, low: p.low, high: p.high, log: p.log === true, ...(p.step === undefined ? {} : { step: p.step }) });
      dim += 1;
    }
  }
  for (const l of layout) Object.freeze(l);
  return { spec: Object.freeze(Object.fromEntries(out)), layout, dim };
}

function normalizeParam(name: string, def: unknown): ParamSpec {
  if (name === '') throw spaceError(name, 'name must not be empty');
  // a point is a plain object keyed by name: this one would set its prototype instead of a value
  if (name === '__proto__') throw spaceError(name, 'name is reserved (it cannot be a key of a point)');
  if (!isPlainObject(def)) throw spaceError(name, `definition must be an object, got ${describe(def)}`);
  const type = def.type;
  if (type !== 'float' && type !== 'int' && type !== 'categorical') {
    throw spaceError(name, `unknown type ${describe(type)} (expected "float", "int" or "categorical")`);
  }
  const allowed = type === 'categorical' ? CATEGORICAL_KEYS : NUMERIC_KEYS;
  for (const key of Object.keys(def)) {
    if (!allowed.has(key)) throw spaceError(name, `unknown key ${JSON.stringify(key)}`);
  }
  if (type === 'categorical') return normalizeCategorical(name, def.choices);
  const p = normalizeNumeric(name, type, def.low, def.high, def.log);
  return def.step === undefined ? p : withStep(name, p as NumericSpec, def.step);
}

type NumericSpec = Extract<ParamSpec, { type: 'float' | 'int' }>;

/**
 * `p` with its `step` checked: a positive finite number (an integer for an
 * int), not with `log`, high low plus a whole number of steps (Optuna moves
 * high down to the grid with a warning; refused here, naming both grid
 * values beside it). An int's step 1 is no step.
 */
function withStep(name: string, p: NumericSpec, step: unknown): ParamSpec {
  if (typeof step !== 'number' || !Number.isFinite(step) || !(step > 0)) {
    throw spaceError(name, `step must be a positive finite number, got ${describe(step)}`);
  }
  if (p.type === 'int' && !Number.isInteger(step)) throw spaceError(name, `step must be an integer for an int parameter, got ${step}`);
  if (p.log) throw spaceError(name, 'step cannot be used with log: true (nor can it in Optuna)');
  if (p.type === 'int' && step === 1) return p;
  const grid = { low: p.low, high: p.high, step };
  if (levelCount(grid) - 1 > INT_BOUND_LIMIT) throw spaceError(name, `step ${step} gives more than 2^40 values on [${p.low}, ${p.high}]`);
  // neighbouring values 15 digits tell apart (1000 + 1e-12 is 1000 there); a grid of safe integers is exact
  const scale = Math.max(Math.abs(p.low), Math.abs(p.high));
  if (!integral(grid) && step < 1e-13 * scale) {
    throw spaceError(name, `step ${step} is too fine for values as large as ${scale}: 15 digits tell its levels apart from 1e-13 of that on`);
  }
  if (gridLevel(grid, p.high) === null) {
    const below = p.low + Math.floor((p.high - p.low) / step + 1e-9) * step;
    const fix = (v: number) => (p.type === 'int' ? v : Number(v.toPrecision(15)));
    throw spaceError(name, `high (${p.high}) must be low (${p.low}) plus a whole number of steps (${step}): ${fix(below)} or ${fix(below + step)}`);
  }
  return Object.freeze({ ...p, step });
}

function normalizeNumeric(
  name: string,
  type: 'float' | 'int',
  low: unknown,
  high: unknown,
  log: unknown,
): ParamSpec {
  const bounds: [string, unknown][] = [['low', low], ['high', high]];
  for (const [key, v] of bounds) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw spaceError(name, `${key} must be a finite number, got ${describe(v)}`);
    }
  }
  if (type === 'int') {
    for (const [key, v] of bounds) {
      if (!Number.isInteger(v)) throw spaceError(name, `${key} must be an integer, got ${describe(v)}`);
    }
    for (const [key, v] of bounds) {
      if (Math.abs(v as number) > INT_BOUND_LIMIT) {
        throw spaceError(name, `${key} must be within ±${INT_BOUND_LIMIT} (2^40), got ${describe(v)}`);
      }
    }
  }
  // + 0 turns -0 into 0 so the normalized spec prints and compares cleanly.
  const lo = (low as number) + 0;
  const hi = (high as number) + 0;
  if (!(lo <= hi)) throw spaceError(name, `low (${lo}) must not exceed high (${hi})`);
  if (log !== undefined && typeof log !== 'boolean') {
    throw spaceError(name, `log must be a boolean, got ${describe(log)}`);
  }
  const isLog = log === true;
  if (isLog && type === 'float' && !(lo > 0)) throw spaceError(name, `log scale requires low > 0, got ${lo}`);
  if (isLog && type === 'int' && !(lo >= 1)) {
    throw spaceError(name, `log scale requires low >= 1 for integers, got ${lo}`);
  }
  if (!isLog && !Number.isFinite(hi - lo)) {
    throw spaceError(name, `high - low overflows float64 (low ${lo}, high ${hi})`);
  }
  return Object.freeze({ type, low: lo, high: hi, log: isLog });
}

function normalizeCategorical(name: string, choices: unknown): ParamSpec {
  if (!Array.isArray(choices)) throw spaceError(name, `choices must be an array, got ${describe(choices)}`);
  if (choices.length === 0) throw spaceError(name, 'choices must not be empty');
  const seen = new Set<Choice>();
  for (const c of choices as unknown[]) {
    const ok =
      typeof c === 'string' || typeof c === 'boolean' || (typeof c === 'number' && Number.isFinite(c));
    if (!ok) {
      throw spaceError(name, `choices must be strings, finite numbers or booleans, got ${describe(c)}`);
    }
    // Set membership is SameValueZero: 0 and -0 count as the same choice.
    if (seen.has(c)) throw spaceError(name, `duplicate choice ${Object.is(c, -0) ? '-0 (the same choice as 0)' : describe(c)}`);
    seen.add(c);
  }
  return Object.freeze({ type: 'categorical', choices: Object.freeze([...seen]) });
}

/**
 * Convert bayes_opt `pbounds` (`name -> [low, high]`) to a `SpaceSpec` of
 * linear floats; the result still goes through `normalizeSpec`.
 * @throws InvalidSpaceError naming the offending parameter.
 */
export function pboundsToSpec(pbounds: unknown): SpaceSpec {
  if (!isPlainObject(pbounds)) {
    throw new InvalidSpaceError(
      `pbounds: must be an object mapping parameter names to [low, high], got ${got(pbounds)}`,
    );
  }
  const replaced = replacedError('pbounds', pbounds);
  if (replaced) throw replaced;
  const names = Object.keys(pbounds);
  if (names.length === 0) throw new InvalidSpaceError('pbounds: must define at least one parameter');
  const entries: [string, ParamSpec][] = names.map((name) => {
    const b = pbounds[name];
    if (!Array.isArray(b) || b.length !== 2) {
      const got = Array.isArray(b) ? `an array of ${b.length}` : describe(b);
      throw spaceError(name, `bounds must be a [low, high] pair, got ${got}`);
    }
    return [name, { type: 'float', low: b[0], high: b[1] }];
  });
  return Object.fromEntries(entries);
}

/**
 * Check a user point against the layout and return a normalized copy with keys
 * in parameter order (categorical values are the space's own choice values).
 * @throws InvalidPointError naming the parameter: missing, unknown, non-number,
 *   non-integer for an int, out of range, or not among the choices.
 */
export function validatePoint(layout: readonly DimLayout[], p: unknown): Params {
  if (!isPlainObject(p)) {
    throw new InvalidPointError(
      `point: expected an object mapping parameter names to values, got ${describe(p)}`,
    );
  }
  for (const l of layout) {
    if (!Object.hasOwn(p, l.name)) {
      throw new InvalidPointError(`point: missing parameter ${JSON.stringify(l.name)}`, l.name);
    }
  }
  if (Object.keys(p).length !== layout.length) {
    const known = new Set(layout.map((l) => l.name));
    const extra = Object.keys(p).find((k) => !known.has(k)) as string;
    throw new InvalidPointError(`point: unknown parameter ${JSON.stringify(extra)}`, extra);
  }
  return Object.fromEntries(layout.map((l) => [l.name, validateValue(l, p[l.name])]));
}

/**
 * Whether {@link validatePoint} accepts `p`, without building its copy: the
 * proposal step asks this of every trial at every suggestion (about 10 ms a
 * suggestion at n = 1,000 through validatePoint).
 */
export function isValidPoint(layout: readonly DimLayout[], p: unknown): boolean {
  if (!isPlainObject(p) || Object.keys(p).length !== layout.length) return false;
  for (const l of layout) if (!Object.hasOwn(p, l.name) || valueProblem(l, p[l.name]) !== null) return false;
  return true;
}

/** What is wrong with `v` as a value of `l` (the error's message), or null. */
function valueProblem(l: DimLayout, v: unknown): string | null {
  if (l.kind === 'categorical') {
    // indexOf misses NaN and treats 0/-0 alike; NaN is never a valid choice anyway.
    return l.choices.indexOf(v as Choice) < 0 ? `value ${describe(v)} is not among the choices [${describeList(l.choices)}]` : null;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return `expected a finite number, got ${describe(v)}`;
  if (l.kind === 'integer' && l.step === undefined && !Number.isInteger(v)) return `expected an integer, got ${v}`;
  // a grid's ends are taken within its rounding as its inside is (0 + 3 x 0.1 is past a high of 0.3)
  if (l.kind === 'integer' && l.step !== undefined && gridLevel(l, v) !== null) return null;
  if (v < l.low || v > l.high) return `value ${v} is outside [${l.low}, ${l.high}]`;
  if (l.kind === 'integer' && l.step !== undefined) return `value ${v} is not on the grid ${l.low}, ${levelValue(l, 1)}, ... (step ${l.step})`;
  return null;
}

function validateValue(l: DimLayout, v: unknown): Choice {
  const problem = valueProblem(l, v);
  if (problem !== null) throw pointError(l.name, problem);
  if (l.kind === 'categorical') return l.choices[l.choices.indexOf(v as Choice)];
  // a grid's value as the grid writes it (0.30000000000000004 is 0.3 there)
  return l.kind === 'integer' && l.step !== undefined ? levelValue(l, gridLevel(l, v as number)!) : (v as number) + 0;
}
