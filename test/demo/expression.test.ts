import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError, MAX_EXPRESSION_LENGTH, MAX_NESTING } from '../../demo/src/expression';
import { expressionProblem, PROBLEMS } from '../../demo/src/problems';

/** Closed-form values are computed with Math in a different order: allow rounding only. */
const TOL_ULP = 1e-12;

describe('compileExpression', () => {
  it('follows the usual precedence: ^ over unary minus over * / over + -', () => {
    expect(compileExpression('1 + 2 * 3')(0, 0)).toBe(7);
    expect(compileExpression('(1 + 2) * 3')(0, 0)).toBe(9);
    expect(compileExpression('-x^2')(3, 0)).toBe(-9);
    expect(compileExpression('2^3^2')(0, 0)).toBe(512); // right-associative
    expect(compileExpression('2^-1')(0, 0)).toBe(0.5);
    expect(compileExpression('8 / 4 / 2')(0, 0)).toBe(1); // left-associative
    expect(compileExpression('x - y - 1')(5, 1)).toBe(3);
    expect(compileExpression('x**2')(3, 0)).toBe(9);
    expect(compileExpression('1.5e2 + .5')(0, 0)).toBe(150.5);
  });

  it('knows x, y, pi, e and the listed functions', () => {
    const f = compileExpression('sin(pi*x) + exp(y) + max(x, y) + sqrt(abs(-4)) + log(e)');
    expect(f(0.5, 0)).toBeCloseTo(1 + 1 + 0.5 + 2 + 1, 12);
  });

  it('reproduces the Branin function typed by hand', () => {
    const typed = compileExpression('(y - 5.1/(4*pi^2)*x^2 + 5/pi*x - 6)^2 + 10*(1 - 1/(8*pi))*cos(x) + 10');
    const branin = PROBLEMS.find((p) => p.id === 'branin')!;
    for (const [x, y] of [[-Math.PI, 12.275], [0, 0], [9.42478, 2.475], [2.5, 7.5]]) {
      const ref = branin.fn(x, y);
      expect(Math.abs(typed(x, y) - ref)).toBeLessThanOrEqual(TOL_ULP * Math.max(1, Math.abs(ref)));
    }
  });

  it('rejects malformed input with the position', () => {
    expect(() => compileExpression('')).toThrow('expression: empty expression at position 1');
    expect(() => compileExpression('x +')).toThrow('expression: unexpected end of input at position 4');
    expect(() => compileExpression('foo(x)')).toThrow(
      'expression: unknown name "foo" (use x, y, pi, e or a function such as sin, exp, sqrt) at position 1');
    expect(() => compileExpression('(x + 1')).toThrow('expression: expected ")" but found the end at position 7');
    expect(() => compileExpression('x $ y')).toThrow('expression: unexpected character "$" at position 3');
    expect(() => compileExpression('x y')).toThrow('expression: unexpected "y" at position 3');
    expect(() => compileExpression('max(x)')).toThrow('expression: expected "," but found ")" at position 6');
    expect(() => compileExpression('x')).not.toThrow();
    let caught: unknown = null;
    try {
      compileExpression('1 + * 2');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect((caught as ExpressionError).pos).toBe(4);
  });
});

describe('compileExpression limits', () => {
  it('refuses nesting past MAX_NESTING and text past MAX_EXPRESSION_LENGTH with an ExpressionError, not a stack overflow', () => {
    const nested = (k: number) => `${'('.repeat(k)}x${')'.repeat(k)}`;
    // every parenthesis is a level of unary() and the top level is one: 99 parentheses are 100 levels
    expect(compileExpression(nested(MAX_NESTING - 1))(2, 0)).toBe(2);
    expect(() => compileExpression(nested(MAX_NESTING))).toThrow(`expression: nested more than ${MAX_NESTING} levels deep at position ${MAX_NESTING + 1}`);
    expect(() => compileExpression('-'.repeat(150) + 'x')).toThrow(/^expression: nested more than 100 levels deep at position 101$/);
    expect(() => compileExpression(nested(20_000))).toThrow('expression: longer than 2,000 characters at position 2001');
    // the longest chain allowed evaluates (one call per term)
    const chain = Array(MAX_EXPRESSION_LENGTH / 2).fill('x').join('+');
    expect(chain.length).toBe(MAX_EXPRESSION_LENGTH - 1);
    expect(compileExpression(chain)(1, 0)).toBe(MAX_EXPRESSION_LENGTH / 2);
    let caught: unknown = null;
    try {
      compileExpression(nested(500));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
  });
});

describe('expressionProblem', () => {
  it('builds a problem on the given box', () => {
    const p = expressionProblem('x^2 + y^2', [[-1, 1], [-2, 2]]);
    expect(p.fn(1, 2)).toBe(5);
    expect(p.minimum).toBeNull();
    expect(p.bounds).toEqual([[-1, 1], [-2, 2]]);
  });

  it('rejects an empty or inverted box', () => {
    expect(() => expressionProblem('x', [[1, 1], [0, 1]])).toThrow('bounds of x: expected finite low < high, got [1, 1]');
    expect(() => expressionProblem('x', [[0, 1], [2, NaN]])).toThrow('bounds of y: expected finite low < high, got [2, NaN]');
    expect(() => expressionProblem('x', [[-1e308, 1e308], [0, 1]])).toThrow('bounds of x: high - low overflows (got [-1e+308, 1e+308]); keep the width below 1.7e308');
  });
});

describe('PROBLEMS', () => {
  it('lists minimizers at which each function attains its published minimum', () => {
    // Minimizers are published to 4-7 digits, so the value agrees to about that.
    const TOL_PUBLISHED = 1e-3;
    for (const p of PROBLEMS) {
      expect(p.argmins.length).toBeGreaterThan(0);
      for (const [x, y] of p.argmins) {
        expect(Math.abs(p.fn(x, y) - (p.minimum as number))).toBeLessThan(TOL_PUBLISHED);
        expect(x).toBeGreaterThanOrEqual(p.bounds[0][0]);
        expect(x).toBeLessThanOrEqual(p.bounds[0][1]);
        expect(y).toBeGreaterThanOrEqual(p.bounds[1][0]);
        expect(y).toBeLessThanOrEqual(p.bounds[1][1]);
      }
    }
  });
});
