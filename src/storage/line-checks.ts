/**
 * Checks every journal loader applies, whatever the line format: a leading
 * UTF-8 byte order mark is not part of the first line, and a trial whose
 * params lie outside the study's space (out of range, not a listed choice, a
 * non-integer int, a missing or unknown parameter) is skipped and reported
 * with its line, as any other damaged line: loading it would make every
 * later suggestion fail on it.
 */
import { Space } from '../space/space';
import type { Params, SpaceSpec } from '../space/types';

/** Length of a leading UTF-8 byte order mark (U+FEFF) of `text`: 1 or 0. */
export function bomLength(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** `text` without a leading byte order mark. */
export function stripBom(text: string): string {
  return text.slice(bomLength(text));
}

/**
 * Checks trial params against a stored space. Build it once per space;
 * `problem` returns why the params do not fit (the space's own message,
 * e.g. `parameter "x": value 7.5 is outside [0, 1]`) or null.
 *
 * @example
 * const check = new PointCheck(header.space);
 * check.problem({ x: 7.5 }); // 'parameter "x": value 7.5 is outside [0, 1]'
 */
export class PointCheck {
  private readonly space: Space | null;
  /** a point of the space, filling in the parameters a partial point lacks */
  private readonly fill: Params | null;
  /** why the stored space itself is unusable (then no point is checked) */
  readonly spaceProblem: string | null;

  constructor(spec: SpaceSpec) {
    let space: Space | null = null;
    let problem: string | null = null;
    try {
      space = new Space(spec);
    } catch (e) {
      problem = (e as Error).message;
    }
    this.space = space;
    this.spaceProblem = problem;
    this.fill = space ? space.decode(new Float64Array(space.dim)) : null;
  }

  problem(params: unknown): string | null {
    if (!this.space) return null;
    try {
      this.space.validatePoint(params);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /**
   * Like `problem`, for params still being set one by one (as Optuna does):
   * a missing parameter is not a problem yet, an unknown one or a bad value is.
   */
  partialProblem(params: Readonly<Record<string, unknown>>): string | null {
    if (!this.space || !this.fill) return null;
    return this.problem({ ...this.fill, ...params });
  }
}
