import type { Params } from '../space/types';

/** A stable identity for a point (key order ignored), for matching suggestions and duplicates. */
export function pointKey(p: Params): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}
