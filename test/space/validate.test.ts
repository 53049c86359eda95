import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, InvalidSpaceError } from '../../src/errors';
import { Space } from '../../src/space';
import type { SpaceSpec } from '../../src/space/types';
import { FC_SEED, spaceAndPoint, spaceSpec } from './arbitraries';

/** Run `f`, expecting an error of class `cls`; return it. */
function caught<E extends Error>(cls: new (...a: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as E;
  }
  throw new Error('expected a throw');
}

function spaceError(spec: unknown): InvalidSpaceError {
  return caught(InvalidSpaceError, () => new Space(spec as SpaceSpec));
}

const SPACE: SpaceSpec = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  units: { type: 'int', low: 32, high: 512 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};

describe('space definition errors', () => {
  const cases: [string, unknown, string | undefined, string][] = [
    ['low >= high', { lr: { type: 'float', low: 0.1, high: 0.01 } }, 'lr', 'parameter "lr": low (0.1) must not exceed high (0.01)'],
    ['int low > high', { n: { type: 'int', low: 4, high: 3 } }, 'n', 'parameter "n": low (4) must not exceed high (3)'],
    ['log low 0', { lr: { type: 'float', low: 0, high: 1, log: true } }, 'lr', 'parameter "lr": log scale requires low > 0, got 0'],
    ['log low < 0', { lr: { type: 'float', low: -1, high: 1, log: true } }, 'lr', 'parameter "lr": log scale requires low > 0, got -1'],
    ['int log low 0', { units: { type: 'int', low: 0, high: 8, log: true } }, 'units', 'parameter "units": log scale requires low >= 1 for integers, got 0'],
    ['empty choices', { act: { type: 'categorical', choices: [] } }, 'act', 'parameter "act": choices must not be empty'],
    ['duplicate choice', { act: { type: 'categorical', choices: ['relu', 'tanh', 'relu'] } }, 'act', 'parameter "act": duplicate choice "relu"'],
    ['duplicate numeric choice 0/-0', { k: { type: 'categorical', choices: [0, -0] } }, 'k', 'parameter "k": duplicate choice -0 (the same choice as 0)'],
    ['bad choice type', { act: { type: 'categorical', choices: ['a', null] } }, 'act', 'parameter "act": choices must be strings, finite numbers or booleans, got null'],
    ['NaN choice', { act: { type: 'categorical', choices: [1, NaN] } }, 'act', 'parameter "act": choices must be strings, finite numbers or booleans, got NaN'],
    ['choices not an array', { act: { type: 'categorical', choices: 'relu' } }, 'act', 'parameter "act": choices must be an array, got "relu"'],
    ['unknown type', { x: { type: 'double', low: 0, high: 1 } }, 'x', 'parameter "x": unknown type "double" (expected "float", "int" or "categorical")'],
    ['missing type', { x: { low: 0, high: 1 } }, 'x', 'parameter "x": unknown type undefined (expected "float", "int" or "categorical")'],
    ['unknown key', { lr: { type: 'float', low: 0, high: 1, lgo: true } }, 'lr', 'parameter "lr": unknown key "lgo"'],
    ['log on categorical', { act: { type: 'categorical', choices: ['a'], log: true } }, 'act', 'parameter "act": unknown key "log"'],
    ['infinite high', { lr: { type: 'float', low: 0, high: Infinity } }, 'lr', 'parameter "lr": high must be a finite number, got Infinity'],
    ['NaN low', { lr: { type: 'float', low: NaN, high: 1 } }, 'lr', 'parameter "lr": low must be a finite number, got NaN'],
    ['missing low', { lr: { type: 'float', high: 1 } }, 'lr', 'parameter "lr": low must be a finite number, got undefined'],
    ['string bound', { lr: { type: 'float', low: '0', high: 1 } }, 'lr', 'parameter "lr": low must be a finite number, got "0"'],
    ['non-integer int bound', { units: { type: 'int', low: 3.5, high: 8 } }, 'units', 'parameter "units": low must be an integer, got 3.5'],
    ['huge int bound', { seed: { type: 'int', low: 0, high: 1e13 } }, 'seed', 'parameter "seed": high must be within ±1099511627776 (2^40), got 10000000000000'],
    ['log not boolean', { lr: { type: 'float', low: 1, high: 2, log: 'yes' } }, 'lr', 'parameter "lr": log must be a boolean, got "yes"'],
    ['range overflow', { x: { type: 'float', low: -1e308, high: 1e308 } }, 'x', 'parameter "x": high - low overflows float64 (low -1e+308, high 1e+308)'],
    ['definition not an object', { x: 3 }, 'x', 'parameter "x": definition must be an object, got 3'],
    ['empty name', { '': { type: 'float', low: 0, high: 1 } }, '', 'parameter "": name must not be empty'],
    ['__proto__ as a name (a JSON space)', JSON.parse('{"__proto__": {"type": "float", "low": 0, "high": 1}}'), '__proto__',
      'parameter "__proto__": name is reserved (it cannot be a key of a point)'],
    // written as a literal, "__proto__" sets the prototype: the parameter vanished and the run went on without it
    ['__proto__ in an object literal', { __proto__: { type: 'float', low: 0, high: 1 }, x: { type: 'float', low: 0, high: 1 } }, undefined,
      'space: its prototype holds values (a "__proto__" key written in an object literal sets the prototype; it declares no parameter)'],
    ['empty space', {}, undefined, 'space: must define at least one parameter'],
    ['space not an object', [1, 2], undefined, 'space: must be an object mapping parameter names to definitions, got an array'],
    // it said "must define at least one parameter"
    ['a Map', new Map([['x', { type: 'float', low: 0, high: 1 }]]), undefined, 'space: must be an object mapping parameter names to definitions, got a Map'],
  ];
  it.each(cases)('%s', (_label, spec, param, message) => {
    const e = spaceError(spec);
    expect(e.message).toBe(message);
    expect(e.param).toBe(param);
  });

  it('reports the first invalid parameter in order', () => {
    const e = spaceError({ a: { type: 'float', low: 0, high: 1 }, b: { type: 'int', low: 2, high: 1 }, c: { type: 'x' } });
    expect(e.param).toBe('b');
  });
});

describe('Space.fromOptions', () => {
  it('accepts pbounds as linear floats', () => {
    const s = Space.fromOptions({ pbounds: { x: [-2, 3], y: [0, 1] } });
    expect(s.spec).toEqual({ x: { type: 'float', low: -2, high: 3, log: false }, y: { type: 'float', low: 0, high: 1, log: false } });
    expect(s.names).toEqual(['x', 'y']);
    expect(s.dim).toBe(2);
  });

  it('accepts space', () => {
    const s = Space.fromOptions({ space: SPACE });
    expect(s.names).toEqual(['lr', 'units', 'act']);
    expect(s.dim).toBe(4);
    expect(s.layout.map((l) => l.dim)).toEqual([0, 1, 2]);
  });

  it('requires exactly one of space / pbounds', () => {
    const both = caught(InvalidOptionError, () => Space.fromOptions({ space: SPACE, pbounds: { x: [0, 1] } }));
    expect(both.message).toBe('pbounds: cannot be combined with "space"; pass only one of them');
    expect(both.option).toBe('pbounds');
    const neither = caught(InvalidOptionError, () => Space.fromOptions({}));
    expect(neither.message).toBe('space: one of "space" or "pbounds" is required');
    expect(neither.option).toBe('space');
  });

  it('validates pbounds entries', () => {
    const cases: [unknown, string | undefined, string][] = [
      [{ x: [1, 0] }, 'x', 'parameter "x": low (1) must not exceed high (0)'],
      [{ x: [0, 1, 2] }, 'x', 'parameter "x": bounds must be a [low, high] pair, got an array of 3'],
      [{ x: [0] }, 'x', 'parameter "x": bounds must be a [low, high] pair, got an array of 1'],
      [{ x: { low: 0 } }, 'x', 'parameter "x": bounds must be a [low, high] pair, got an object'],
      [{ x: [0, 'a'] }, 'x', 'parameter "x": high must be a finite number, got "a"'],
      [{}, undefined, 'pbounds: must define at least one parameter'],
      [{ __proto__: [0, 1], x: [0, 1] }, undefined,
        'pbounds: its prototype holds values (a "__proto__" key written in an object literal sets the prototype; it declares no parameter)'],
      ['x', undefined, 'pbounds: must be an object mapping parameter names to [low, high], got "x"'],
      [new Date(0), undefined, 'pbounds: must be an object mapping parameter names to [low, high], got a Date'],
    ];
    for (const [pbounds, param, message] of cases) {
      const e = caught(InvalidSpaceError, () => Space.fromOptions({ pbounds: pbounds as never }));
      expect(e.message).toBe(message);
      expect(e.param).toBe(param);
    }
  });

  it('takes pbounds from a class instance or a prototype-less object as it did; a prototype holding values is refused', () => {
    class Bounds {
      x = [0, 1] as const;
      y = [0, 2] as const;
      describe(): string { return 'bounds'; }
    }
    expect(Space.fromOptions({ pbounds: new Bounds() as never }).names).toEqual(['x', 'y']);
    expect(Space.fromOptions({ pbounds: Object.assign(Object.create(null), { x: [0, 1] }) }).names).toEqual(['x']);
    const inherited = Object.assign(Object.create({ y: [0, 1] }), { x: [0, 1] });
    expect(caught(InvalidSpaceError, () => Space.fromOptions({ pbounds: inherited })).message).toMatch(/^pbounds: its prototype holds values/);
  });

  it('returns a frozen normalized copy of the spec', () => {
    const spec = { act: { type: 'categorical' as const, choices: ['a', 'b'] } };
    const s = new Space(spec);
    spec.act.choices.push('c');
    expect(s.spec.act).toEqual({ type: 'categorical', choices: ['a', 'b'] });
    expect(Object.isFrozen(s.spec)).toBe(true);
    expect(Object.isFrozen(s.spec.act)).toBe(true);
  });
});

describe('point validation', () => {
  const space = new Space(SPACE);
  const ok = { lr: 0.01, units: 64, act: 'relu' };
  const cases: [string, unknown, string | undefined, string][] = [
    ['missing', { units: 64, act: 'relu' }, 'lr', 'point: missing parameter "lr"'],
    ['unknown', { ...ok, foo: 1 }, 'foo', 'point: unknown parameter "foo"'],
    ['out of range', { ...ok, lr: 5 }, 'lr', 'parameter "lr": value 5 is outside [0.0001, 0.1]'],
    ['below range', { ...ok, units: 31 }, 'units', 'parameter "units": value 31 is outside [32, 512]'],
    ['non-integer', { ...ok, units: 3.5 }, 'units', 'parameter "units": expected an integer, got 3.5'],
    ['string number', { ...ok, lr: 'abc' }, 'lr', 'parameter "lr": expected a finite number, got "abc"'],
    ['NaN', { ...ok, lr: NaN }, 'lr', 'parameter "lr": expected a finite number, got NaN'],
    ['null', { ...ok, units: null }, 'units', 'parameter "units": expected a finite number, got null'],
    ['not a choice', { ...ok, act: 'gelu' }, 'act', 'parameter "act": value "gelu" is not among the choices ["relu", "tanh"]'],
    ['not an object', 3, undefined, 'point: expected an object mapping parameter names to values, got 3'],
  ];
  it.each(cases)('%s', (_label, p, param, message) => {
    const e = caught(InvalidPointError, () => space.validatePoint(p));
    expect(e.message).toBe(message);
    expect(e.param).toBe(param);
    expect(space.contains(p as never)).toBe(false);
    expect(() => space.encode(p as never)).toThrow(message);
  });

  it('returns a normalized copy in parameter order', () => {
    const p = { act: 'tanh', units: 64.0, lr: 0.1 };
    const q = space.validatePoint(p);
    expect(Object.keys(q)).toEqual(['lr', 'units', 'act']);
    expect(q).toEqual({ lr: 0.1, units: 64, act: 'tanh' });
    expect(q).not.toBe(p);
    expect(space.contains(p)).toBe(true);
  });

  it('accepts bounds themselves', () => {
    expect(space.contains({ lr: 1e-4, units: 512, act: 'relu' })).toBe(true);
  });
});

// Mutations that make one parameter invalid; each keeps the parameter's name.
const breakParam = fc.constantFrom(
  (p: Record<string, unknown>) => ({ ...p, type: 'nope' }),
  (p: Record<string, unknown>) => ({ ...p, extra: 1 }),
  (p: Record<string, unknown>) =>
    p.type === 'categorical' ? { ...p, choices: [] } : { ...p, low: (p.high as number) + Math.max(1, Math.abs(p.high as number)) },
  (p: Record<string, unknown>) =>
    p.type === 'categorical'
      ? { ...p, choices: [...(p.choices as unknown[]), (p.choices as unknown[])[0]] }
      : { ...p, high: Infinity },
  (p: Record<string, unknown>) =>
    p.type === 'categorical' ? { ...p, choices: [undefined] } : { ...p, low: -1, log: true },
  (p: Record<string, unknown>) =>
    p.type === 'categorical' ? { ...p, choices: 'a' } : { ...p, low: NaN },
  (p: Record<string, unknown>) =>
    p.type === 'int' ? { ...p, high: (p.high as number) + 0.5 } : { ...p, type: 'int', low: 0.5, high: 2 },
);

describe('property: invalid spaces and points name the parameter', () => {
  it('a broken parameter in a random space gives InvalidSpaceError naming it', () => {
    fc.assert(
      fc.property(spaceSpec, fc.nat(), breakParam, (spec, k, mutate) => {
        const names = Object.keys(spec);
        const name = names[k % names.length];
        const bad = Object.fromEntries(names.map((n) => [n, n === name ? mutate(spec[n] as never) : spec[n]]));
        const e = spaceError(bad);
        expect(e.param).toBe(name);
        expect(e.message.startsWith(`parameter ${JSON.stringify(name)}: `)).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('a broken value in a random point gives InvalidPointError naming it', () => {
    const breakValue = fc.constantFrom('missing', 'extra', 'string', 'nan', 'outside', 'fraction');
    fc.assert(
      fc.property(spaceAndPoint, fc.nat(), breakValue, ([spec, point], k, how) => {
        const space = new Space(spec);
        expect(space.validatePoint(point)).toEqual(point);
        expect(space.contains(point)).toBe(true); // the copy-free check agrees with validatePoint
        const name = space.names[k % space.names.length];
        const def = spec[name];
        const bad: Record<string, unknown> = Object.fromEntries(Object.entries(point));
        let expected = name;
        if (how === 'missing') delete bad[name];
        else if (how === 'extra') {
          expected = `${name}\u0000extra`;
          bad[expected] = 1;
        } else if (how === 'string') bad[name] = def.type === 'categorical' ? {} : '1';
        else if (how === 'nan') bad[name] = NaN;
        else if (def.type === 'categorical') bad[name] = Symbol('not a choice');
        else if (how === 'outside') bad[name] = def.high + Math.max(1, Math.abs(def.high));
        else bad[name] = def.type === 'int' ? def.low + 0.5 : Infinity;
        const e = caught(InvalidPointError, () => space.validatePoint(bad));
        expect(space.contains(bad as never)).toBe(false);
        expect(e.param).toBe(expected);
        expect(e.message).toContain(JSON.stringify(expected));
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});
