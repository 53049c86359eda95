/**
 * A small, safe parser for user-typed test functions f(x, y): numbers, the
 * variables x and y, the constants pi and e, + - * / ^ (right-associative,
 * binds tighter than unary minus, as in maths: -x^2 = -(x^2)), parentheses
 * and a fixed set of functions. Compiles to a closure; never calls eval.
 */

import { InputError } from './input-error';

type Node = (x: number, y: number) => number;

const FUNCS1: Record<string, (a: number) => number> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, exp: Math.exp, log: Math.log, ln: Math.log,
  log10: Math.log10, sqrt: Math.sqrt, abs: Math.abs, floor: Math.floor, ceil: Math.ceil,
};
const FUNCS2: Record<string, (a: number, b: number) => number> = {
  min: Math.min, max: Math.max, pow: Math.pow, atan2: Math.atan2,
};
const CONSTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/**
 * Limits that keep parsing and evaluation off the call stack's end (both
 * recurse once per nesting level, and evaluation once per term of a chain
 * such as x+x+...): 20,000 nested parentheses overflowed it with a
 * RangeError instead of an ExpressionError.
 */
export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_NESTING = 100;

/** A parse error; `pos` is the 0-based character offset. */
export class ExpressionError extends InputError {
  constructor(message: string, readonly pos: number) {
    super(`expression: ${message} at position ${pos + 1}`);
    this.name = 'ExpressionError';
  }
}

interface Token { kind: 'num' | 'id' | 'op' | 'end'; text: string; value: number; pos: number }

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', text: num[0], value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'id', text: id[0], value: NaN, pos: i });
      i += id[0].length;
      continue;
    }
    if (src.startsWith('**', i)) {
      out.push({ kind: 'op', text: '^', value: NaN, pos: i });
      i += 2;
      continue;
    }
    if ('+-*/^(),'.includes(c)) {
      out.push({ kind: 'op', text: c, value: NaN, pos: i });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character "${c}"`, i);
  }
  out.push({ kind: 'end', text: '', value: NaN, pos: src.length });
  return out;
}

/**
 * Compiles `src` into `f(x, y)`.
 * @throws ExpressionError naming the problem and its position
 */
export function compileExpression(src: string): (x: number, y: number) => number {
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`longer than ${MAX_EXPRESSION_LENGTH.toLocaleString('en-US')} characters`, MAX_EXPRESSION_LENGTH);
  }
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p];
  const eat = (text: string): boolean => {
    if (toks[p].kind === 'op' && toks[p].text === text) { p++; return true; }
    return false;
  };
  const expect = (text: string) => {
    if (!eat(text)) {
      const t = peek();
      throw new ExpressionError(`expected "${text}" but found ${t.kind === 'end' ? 'the end' : `"${t.text}"`}`, t.pos);
    }
  };

  // sum := product (('+' | '-') product)*
  function sum(): Node {
    let left = product();
    for (;;) {
      if (eat('+')) { const a = left, b = product(); left = (x, y) => a(x, y) + b(x, y); }
      else if (eat('-')) { const a = left, b = product(); left = (x, y) => a(x, y) - b(x, y); }
      else return left;
    }
  }
  // product := unary (('*' | '/') unary)*
  function product(): Node {
    let left = unary();
    for (;;) {
      if (eat('*')) { const a = left, b = unary(); left = (x, y) => a(x, y) * b(x, y); }
      else if (eat('/')) { const a = left, b = unary(); left = (x, y) => a(x, y) / b(x, y); }
      else return left;
    }
  }
  // unary := ('-' | '+') unary | power; every level of nesting (a sign, an exponent, a parenthesis,
  // a function's argument) passes here once
  function unary(): Node {
    if (++depth > MAX_NESTING) throw new ExpressionError(`nested more than ${MAX_NESTING} levels deep`, peek().pos);
    try {
      if (eat('-')) { const a = unary(); return (x, y) => -a(x, y); }
      if (eat('+')) return unary();
      return power();
    } finally {
      depth--;
    }
  }
  // power := atom ('^' unary)?   (right-associative; the exponent may be negative)
  function power(): Node {
    const base = atom();
    if (eat('^')) { const e = unary(); return (x, y) => base(x, y) ** e(x, y); }
    return base;
  }
  function atom(): Node {
    const t = peek();
    if (t.kind === 'num') { p++; const v = t.value; return () => v; }
    if (eat('(')) { const inner = sum(); expect(')'); return inner; }
    if (t.kind === 'id') {
      p++;
      const name = t.text.toLowerCase();
      if (name === 'x') return (x) => x;
      if (name === 'y') return (_x, y) => y;
      if (name in CONSTS) { const v = CONSTS[name]; return () => v; }
      const f1 = FUNCS1[name];
      const f2 = FUNCS2[name];
      if (f1 === undefined && f2 === undefined) {
        throw new ExpressionError(`unknown name "${t.text}" (use x, y, pi, e or a function such as sin, exp, sqrt)`, t.pos);
      }
      expect('(');
      const a = sum();
      if (f2 !== undefined) {
        expect(',');
        const b = sum();
        expect(')');
        return (x, y) => f2(a(x, y), b(x, y));
      }
      expect(')');
      return (x, y) => f1(a(x, y));
    }
    throw new ExpressionError(t.kind === 'end' ? 'unexpected end of input' : `unexpected "${t.text}"`, t.pos);
  }

  if (toks[0].kind === 'end') throw new ExpressionError('empty expression', 0);
  const root = sum();
  if (peek().kind !== 'end') throw new ExpressionError(`unexpected "${peek().text}"`, peek().pos);
  return root;
}
