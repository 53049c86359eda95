/**
 * The 2-D test functions of the posterior panel: the library's test problems
 * with all their global minimizers (Surjanovic & Bingham, Virtual Library of
 * Simulation Experiments), plus user-typed expressions.
 */
import { ackley, branin, himmelblau, sixHumpCamel, type TestProblem } from '../../src/problems';
import { compileExpression } from './expression';
import { InputError } from './input-error';

export interface Problem2D {
  id: string;
  label: string;
  /** [[x1 low, x1 high], [x2 low, x2 high]] */
  bounds: readonly [readonly [number, number], readonly [number, number]];
  /** the function to minimize */
  fn: (x1: number, x2: number) => number;
  /** known global minimum, or null (user expressions: estimated on the grid) */
  minimum: number | null;
  /** all known global minimizers */
  argmins: readonly (readonly [number, number])[];
}

function fromLibrary(id: string, label: string, p: TestProblem, argmins: readonly (readonly [number, number])[]): Problem2D {
  const b = Object.values(p.bounds);
  return {
    id, label,
    bounds: [[b[0][0], b[0][1]], [b[1][0], b[1][1]]],
    fn: (x1, x2) => p.fn([x1, x2]),
    minimum: p.minimum,
    argmins,
  };
}

export const PROBLEMS: readonly Problem2D[] = [
  fromLibrary('branin', 'Branin', branin, [[-Math.PI, 12.275], [Math.PI, 2.275], [9.42478, 2.475]]),
  fromLibrary('six-hump-camel', 'Six-hump camel', sixHumpCamel, [[0.0898, -0.7126], [-0.0898, 0.7126]]),
  fromLibrary('ackley', 'Ackley (2-D)', ackley(2), [[0, 0]]),
  fromLibrary('himmelblau', 'Himmelblau', himmelblau,
    [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]]),
];

/**
 * A problem from a typed expression in x and y on the given box.
 * @throws ExpressionError for a malformed expression; InputError for a bad box
 */
export function expressionProblem(src: string, bounds: readonly [readonly [number, number], readonly [number, number]]): Problem2D {
  const fn = compileExpression(src);
  for (const [i, [lo, hi]] of bounds.entries()) {
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw new InputError(`bounds of ${i === 0 ? 'x' : 'y'}: expected finite low < high, got [${lo}, ${hi}]`);
    }
    // the library's own rule (a space's range must be a finite double): said here, as a typing mistake
    if (!Number.isFinite(hi - lo)) {
      throw new InputError(`bounds of ${i === 0 ? 'x' : 'y'}: high - low overflows (got [${lo}, ${hi}]); keep the width below 1.7e308`);
    }
  }
  return { id: 'custom', label: `f(x, y) = ${src}`, bounds, fn, minimum: null, argmins: [] };
}
