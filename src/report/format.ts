/** Number and parameter formatting shared by the printed tables and the HTML report. */
import type { Params } from '../space/types';

/** A parameter value with 3 significant digits (integers and strings as they are). */
export function formatValue(v: Params[string]): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** `name=value, name=value` in the params' own order. */
export function formatParams(p: Params): string {
  return Object.entries(p).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ');
}
