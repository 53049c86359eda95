import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { checkRng, Rng } from '../../src/util/rng';
import { thrown } from '../optimizer/caught';

describe('Rng seed', () => {
  it('refuses a seed that is not a finite number, which drew as seed 0 did', () => {
    for (const [seed, got] of [['1', '"1"'], [NaN, 'NaN'], [Infinity, 'Infinity'], [null, 'null'], [1n, '1n']] as const) {
      const e = thrown(() => new Rng(seed as never));
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e).toMatchObject({ option: 'seed', message: `option "seed": expected a finite number, got ${got}` });
    }
  });

  it('takes any finite number, and no seed as 0', () => {
    expect(new Rng().random()).toBe(new Rng(0).random());
    expect(new Rng(undefined).random()).toBe(new Rng(0).random());
    expect(new Rng(1.5).random()).not.toBe(new Rng(1).random());
    expect(new Rng(-3).random()).toBeGreaterThanOrEqual(0);
  });

  it('gives every integer seed below 2^21 its own stream (the README\'s promise; the hash has 32 bits, so not every pair of seeds)', () => {
    // the two ends of the range and every 61st seed between (all 2^21 take seconds): integers below 2^21 differ in the
    // float64's high word alone, which the hash keeps whole
    const seeds = new Set<number>();
    for (let s = 0; s < 2 ** 16; s++) seeds.add(s).add(2 ** 21 - 1 - s);
    for (let s = 0; s < 2 ** 21; s += 61) seeds.add(s);
    const seen = new Set<string>();
    for (const seed of seeds) seen.add(new Rng(seed).state().join(','));
    expect(seen.size).toBe(seeds.size);
  });
});

describe('Rng state', () => {
  it('fromState and setState continue the stream where state() left it', () => {
    const a = new Rng(7);
    a.random();
    const saved = a.state();
    const b = Rng.fromState(saved);
    const c = new Rng(1);
    c.setState(saved);
    const next = [a.random(), a.random()];
    expect([b.random(), b.random()]).toEqual(next);
    expect([c.random(), c.random()]).toEqual(next);
  });

  it('refuse a state that is not 4 unsigned 32-bit integers, not all 0, with a typed error naming `state`; setState changes nothing then', () => {
    // all 0 drew 0 for good; a short state read its missing words as 0; null threw a TypeError
    const msg = (s: string) => `state: expected 4 unsigned 32-bit integers, not all 0 (what Rng.state() gives), got ${s}`;
    for (const [bad, shown] of [[[0, 0, 0, 0], '[0,0,0,0]'], [[1, 2], '[1,2]'], [null, 'null'], [[1, 2, 3, 2 ** 32], '[1,2,3,4294967296]'], [[1, 2, 3, 0.5], '[1,2,3,0.5]']] as const) {
      const e = thrown(() => Rng.fromState(bad as unknown as number[]));
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([(e as InvalidOptionError).message, (e as InvalidOptionError).option]).toEqual([msg(shown), 'state']);
      const r = new Rng(3);
      const before = r.state();
      expect(thrown(() => r.setState(bad as unknown as number[]))).toBeInstanceOf(InvalidOptionError);
      expect(r.state()).toEqual(before);
    }
  });
});

describe('checkRng', () => {
  it('takes anything with the draws of an Rng (another copy of the library\'s too), and names the parameter of what is not', () => {
    const copy = { ...Object.fromEntries(['nextUint32', 'random', 'int', 'uniform', 'normal', 'shuffle'].map((k) => [k, () => 0])) };
    expect(() => checkRng(new Rng(1))).not.toThrow();
    expect(() => checkRng(copy)).not.toThrow();
    const e = thrown(() => checkRng({ ...copy, normal: 1 }, { who: 'f', param: 'scramble' }));
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e).toMatchObject({ option: 'scramble', message: 'f: scramble: expected an Rng (new Rng(seed)), got {"normal":1}' });
    expect(thrown(() => checkRng(undefined)).message).toBe('rng: expected an Rng (new Rng(seed)), got undefined');
  });
});
