/**
 * One journal operation as a JSON line whose floats read back in Python as
 * floats. JavaScript has one number type, so `JSON.stringify` writes a
 * float of 1 as `1`, which Python's `json` reads as the int 1: Optuna would
 * hand `trial.params['x']` back as an int for a float parameter at a whole
 * value (a bound, often), and `-0.0` as `0`. Optuna writes these fields with
 * `json.dumps` of Python floats, so they are written here as Python's float
 * repr (`1.0`, `-0.0`, `1e-05`): the value fields, a parameter's internal
 * value (Optuna's internal form is a float for numeric distributions and the
 * choice's index, an int, for categorical ones), intermediate values, the
 * `completed_rung_<k>` values pruners record, and an enqueued trial's float
 * parameters when the space says which those are. Everything else (user
 * attrs, whose types JavaScript does not know) is written as JSON.stringify
 * writes it.
 */
import type { SpaceSpec } from '../space/types';
import { isObject } from './params-check';
import { pyFloat } from './py-json';
import { rungOfKey, type JournalOp } from './types';
import { ownValue } from '../util/own-key';

const json = (v: unknown): string => JSON.stringify(v);
const float = (v: unknown): string => (typeof v === 'number' ? pyFloat(v) : json(v));
const floats = (v: unknown): string => (Array.isArray(v) ? `[${v.map(float).join(',')}]` : json(v));

/** `{"k":v,...}` with `write(key, value)` choosing each value's text. */
function object(o: Record<string, unknown>, write: (k: string, v: unknown) => string): string {
  return `{${Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => `${json(k)}:${write(k, v)}`).join(',')}}`;
}

/** Whether a distribution (Optuna's JSON text) is categorical: its internal values are indices, ints. */
function categorical(distribution: unknown): boolean {
  if (typeof distribution !== 'string') return false;
  try {
    return (JSON.parse(distribution) as { name?: unknown }).name === 'CategoricalDistribution';
  } catch {
    return false;
  }
}

/** A system attrs object: pruners' rung values as floats, an enqueued trial's float parameters as floats. */
function systemAttrs(attrs: unknown, space: SpaceSpec | undefined): string {
  if (!isObject(attrs)) return json(attrs);
  return object(attrs, (k, v) => {
    if (rungOfKey(k) !== null) return float(v);
    if (k === 'fixed_params' && isObject(v) && space) return object(v, (name, x) => (ownValue(space, name)?.type === 'float' ? float(x) : json(x)));
    return json(v);
  });
}

/**
 * The JSON text of `op` (no newline), floats as Python writes them; `space`
 * says which of an enqueued trial's `fixed_params` are floats.
 * @example opJson({ op_code: 7, worker_id: 'w', trial_id: 0, step: 1, intermediate_value: 2 }) // '{"op_code":7,...,"step":1,"intermediate_value":2.0}'
 */
export function opJson(op: JournalOp, space?: SpaceSpec): string {
  const distributions = isObject(op.distributions) ? op.distributions : {};
  return object(op, (k, v) => {
    switch (k) {
      case 'value':
      case 'intermediate_value':
        return float(v);
      case 'values':
        return floats(v);
      case 'param_value_internal':
        return categorical(op.distribution) ? json(v) : float(v);
      case 'params':
        return isObject(v) ? object(v, (name, x) => (categorical(distributions[name]) ? json(x) : float(x))) : json(v);
      case 'intermediate_values':
        return isObject(v) ? object(v, (_, x) => float(x)) : json(v);
      case 'system_attr':
      case 'system_attrs':
        return systemAttrs(v, space);
      default:
        return json(v);
    }
  });
}
