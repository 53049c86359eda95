/**
 * Optuna's journal encodings: operations (see ./types), distributions as
 * Optuna's `distribution_to_json` writes them, internal parameter values,
 * and `datetime.isoformat(timespec="microseconds")` times (naive, local).
 */
import { gridLevel, levelValue } from '../space/steps';
import type { Choice, ParamSpec, Params, SpaceSpec } from '../space/types';
import type { Direction } from '../study/types';
import { roundMicros } from '../util/clock';
import { isNum, isObject, parseJsonObject } from './params-check';
import { opJson } from './op-json';
import { parsePyJson } from './py-json';
import { OP, type JournalOp } from './types';
import type { Parsed } from './line-folder';
import { ownValue, setOwn } from '../util/own-key';

/** A distribution as Optuna writes it: `{"name": <class>, "attributes": {...}}`. */
export interface Distribution {
  name: string;
  attributes: Record<string, unknown>;
}

/** Optuna's distribution for a parameter of our space. */
export function distributionOf(spec: ParamSpec): Distribution {
  if (spec.type === 'categorical') return { name: 'CategoricalDistribution', attributes: { choices: [...spec.choices] } };
  if (spec.type === 'int') return { name: 'IntDistribution', attributes: { log: spec.log ?? false, step: spec.step ?? 1, low: spec.low, high: spec.high } };
  return { name: 'FloatDistribution', attributes: { step: spec.step ?? null, low: spec.low, high: spec.high, log: spec.log ?? false } };
}

/** A distribution for a value with no space to say what it is: a point float, or a one-choice categorical. */
export function distributionOfValue(v: Choice): Distribution {
  return typeof v === 'number'
    ? { name: 'FloatDistribution', attributes: { step: null, low: v, high: v, log: false } }
    : { name: 'CategoricalDistribution', attributes: { choices: [v] } };
}

/** Parses Optuna's distribution JSON (a string, or the object); null when it is not one. */
export function parseDistribution(x: unknown): Distribution | null {
  let o: unknown = x;
  if (typeof x === 'string') {
    try {
      o = parsePyJson(x); // Optuna writes it with json.dumps: a float choice may be a bare NaN or Infinity
    } catch {
      return null;
    }
  }
  if (!isObject(o)) return null;
  if (typeof o.name === 'string' && isObject(o.attributes)) return { name: o.name, attributes: o.attributes };
  // Optuna's abbreviated form: {"type": "float"|"int"|"categorical", ...}
  if (o.type === 'categorical' && Array.isArray(o.choices)) return { name: 'CategoricalDistribution', attributes: { choices: o.choices } };
  if ((o.type === 'float' || o.type === 'int') && isNum(o.low) && isNum(o.high)) {
    return {
      name: o.type === 'int' ? 'IntDistribution' : 'FloatDistribution',
      attributes: { low: o.low, high: o.high, log: o.log === true, step: o.step ?? (o.type === 'int' ? 1 : null) },
    };
  }
  return null;
}

/** Our spec for an Optuna distribution (deprecated Uniform/LogUniform/... classes included); null if unknown. */
export function specOf(d: Distribution): ParamSpec | null {
  const a = d.attributes;
  switch (d.name) {
    case 'CategoricalDistribution':
      return Array.isArray(a.choices) ? { type: 'categorical', choices: a.choices as Choice[] } : null;
    case 'IntDistribution':
    case 'IntUniformDistribution':
    case 'IntLogUniformDistribution':
    case 'FloatDistribution':
    case 'UniformDistribution':
    case 'LogUniformDistribution':
    case 'DiscreteUniformDistribution': {
      if (!isNum(a.low) || !isNum(a.high)) return null;
      const type = d.name.startsWith('Int') ? 'int' : 'float';
      const step = distributionStep(d);
      return { type, low: a.low, high: a.high, log: a.log === true || d.name === 'IntLogUniformDistribution' || d.name === 'LogUniformDistribution', ...(step === null ? {} : { step }) };
    }
    default:
      return null;
  }
}

/** The internal (float) value Optuna stores for `v` under `d`; null when `v` does not belong to it. */
export function toInternal(d: Distribution, v: Choice): number | null {
  if (d.name === 'CategoricalDistribution') {
    const i = (d.attributes.choices as Choice[]).findIndex((c) => c === v);
    return i >= 0 ? i : null;
  }
  return typeof v === 'number' ? v : null;
}

/** The value a trial sees for an internal value under `d`, as Optuna's `to_external_repr`. */
export function toExternal(d: Distribution, internal: unknown): Choice | null {
  if (!isNum(internal)) return null;
  if (d.name === 'CategoricalDistribution') {
    const c = (d.attributes.choices as Choice[])[Math.trunc(internal)];
    return c === undefined ? null : c;
  }
  if (d.name.startsWith('Int')) return Math.trunc(internal);
  // a float grid's value as this library writes its level: Optuna's low + k step (0.30000000000000004,
  // -0.19999999999999996) is the same point as 0.3, and a duplicate of it must read as one
  const step = distributionStep(d);
  const a = d.attributes;
  if (step !== null && isNum(a.low) && isNum(a.high)) {
    const grid = { low: a.low, high: a.high, step };
    const k = gridLevel(grid, internal);
    // never further than Optuna's own rounding of low + k step (a grid too fine for 15 digits is read as written)
    const level = k === null ? null : levelValue(grid, k);
    if (level !== null && Math.abs(level - internal) <= 1e-8 * step) return level;
  }
  return internal;
}

/** Why an existing distribution and ours cannot describe one parameter (Optuna's compatibility rule), or null. */
export function incompatibility(old: Distribution, now: Distribution): string | null {
  const kind = (d: Distribution) => (d.name === 'CategoricalDistribution' ? 'categorical' : d.name.startsWith('Int') ? 'int' : 'float');
  if (kind(old) !== kind(now)) return `${kind(old)} in the journal but ${kind(now)} now`;
  if (kind(old) === 'categorical') {
    const a = JSON.stringify(old.attributes.choices);
    const b = JSON.stringify(now.attributes.choices);
    return a === b ? null : `choices ${a} in the journal but ${b} now`;
  }
  const la = old.attributes.log === true || old.name.includes('Log');
  const lb = now.attributes.log === true;
  if (la !== lb) return `log ${la} in the journal but ${lb} now`;
  // Optuna's rule leaves the step out; a study continued on another grid would mix two, so it counts here
  const [sa, sb] = [distributionStep(old), distributionStep(now)];
  return sa === sb ? null : `step ${sa ?? 'none'} in the journal but ${sb ?? 'none'} now`;
}

/** The step of an Optuna numeric distribution (null for none; an int's step 1 is none). */
function distributionStep(d: Distribution): number | null {
  const a = d.attributes;
  const step = d.name === 'DiscreteUniformDistribution' ? a.q : a.step;
  if (typeof step !== 'number' || !Number.isFinite(step)) return null;
  return d.name.startsWith('Int') && step === 1 ? null : step;
}

/** Params with their distributions in Optuna's internal form; `space` gives the distributions when it has the name. */
export function encodeParams(params: Params, space?: SpaceSpec): { params: Record<string, number>; distributions: Record<string, string> } | string {
  const out: Record<string, number> = {};
  const dists: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const spec = ownValue(space, k);
    const d = spec ? distributionOf(spec) : distributionOfValue(v);
    const x = toInternal(d, v);
    if (x === null) return `parameter ${JSON.stringify(k)}: ${JSON.stringify(v)} is not one of its choices`;
    setOwn(out, k, x);
    setOwn(dists, k, JSON.stringify(d));
  }
  return { params: out, distributions: dists };
}

/** Optuna's StudyDirection value. */
export function directionCode(d: Direction): number {
  return d === 'minimize' ? 1 : 2;
}

export function directionOf(code: unknown): Direction | undefined {
  return code === 1 ? 'minimize' : code === 2 ? 'maximize' : undefined;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Epoch ms as Python's naive local `isoformat(timespec="microseconds")`,
 * keeping the fraction of a millisecond to the microsecond (tellTime orders
 * tells within one millisecond by it).
 */
export function isoTime(ms: number): string {
  const us = Math.round(ms * 1000);
  const whole = Math.floor(us / 1000);
  const d = new Date(whole);
  const micros = d.getMilliseconds() * 1000 + (us - whole * 1000);
  // the year in 4 digits, as Python writes it (year 999 was '999-01-01', no ISO time)
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
}

/** Epoch ms of an ISO time, microseconds kept as a fraction (naive ones are local, as Python writes them); null when it is not one. */
export function parseIsoTime(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return null;
  const frac = m[7] ? Number(m[7].padEnd(6, '0')) / 1000 : 0;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  // Date(y, ...) and Date.UTC read a year below 100 as 1900 + y (year 50 was 1950): setFullYear puts it
  // back, and only there (built on year 2000, a valid wall time in its spring-forward gap moved an hour)
  if (!m[8]) {
    const local = new Date(y, mo - 1, d, h, mi, se);
    if (y < 100) local.setFullYear(y, mo - 1, d);
    return roundMicros(local.getTime() + frac);
  }
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  if (y < 100) utc.setUTCFullYear(y, mo - 1, d);
  const base = roundMicros(utc.getTime() + frac);
  if (m[8] === 'Z') return base;
  const sign = m[8][0] === '-' ? -1 : 1;
  const off = m[8].slice(1).replace(':', '');
  return base - sign * (Number(off.slice(0, 2)) * 60 + Number(off.slice(2))) * 60_000;
}

/** Parses one line into an operation (fields are checked when it is applied). */
export function parseOp(line: string): Parsed<JournalOp> {
  const parsed = parseJsonObject(line);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  if (o.op_code === undefined) return { ok: false, reason: 'missing "op_code"' };
  if (!Number.isInteger(o.op_code) || (o.op_code as number) < OP.CREATE_STUDY || (o.op_code as number) > OP.SET_TRIAL_SYSTEM_ATTR) {
    return { ok: false, reason: `unknown op_code ${JSON.stringify(o.op_code)}` };
  }
  if (typeof o.worker_id !== 'string') return { ok: false, reason: 'missing "worker_id"' };
  return { ok: true, event: o as JournalOp };
}

/** Journal lines for operations, newline included, floats as Python writes them (see opJson; `space` types enqueued points). */
export function formatOps(ops: readonly JournalOp[], space?: SpaceSpec): string {
  return ops.map((o) => opJson(o, space) + '\n').join('');
}
