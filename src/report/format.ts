/** Number and parameter formatting shared by the printed tables and the HTML report. */
import type { Params } from '../space/types';
import { formatValue } from '../util/format-value';

export { formatValue };

/** `name=value, name=value` in the params' own order. */
export function formatParams(p: Params): string {
  return Object.entries(p).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ');
}
