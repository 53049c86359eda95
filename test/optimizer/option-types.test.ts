/**
 * The types of the optimizers' options and callbacks: what compiles (this
 * file is type-checked with the rest, `npx tsc -p tsconfig.json --noEmit`;
 * a line marked @ts-expect-error must stay an error) and the run time
 * behind it.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidOptionError, InvalidSpaceError } from '../../src/errors';
import { BayesianOptimization, RandomSearch, type OptimizerOptions } from '../../src/optimizer';
import type { Params, Pbounds } from '../../src/space/types';
import { MemoryJournalBackend, MemoryStudyStorage, type JournalBackend, type StudyStorage } from '../../src/storage';
import type { Trial } from '../../src/study/types';
import { thrown } from './caught';

const log = (): void => undefined;

describe('onTrial', () => {
  it('may return anything (an arrow that pushes, a chain of &&): the value is ignored, a promise awaited', async () => {
    const o = new RandomSearch({ pbounds: { x: [0, 1] }, f: ({ x }) => x, randomState: 1, log: () => undefined });
    const seen: Trial<{ x: number }>[] = [];
    await o.maximize({ initPoints: 3, nIter: 0, onTrial: (t) => seen.push(t) });
    await o.maximize({ initPoints: 2, nIter: 0, onTrial: (t) => (t.target ?? 0) > 2 && o.stop() });
    let waited = 0;
    await o.maximize({ initPoints: 2, nIter: 0, onTrial: async () => (await new Promise((r) => setTimeout(r, 1)), ++waited) });
    expect([seen.length, waited, o.res.length]).toEqual([3, 2, 7]);
    expectTypeOf(seen[0].params.x).toEqualTypeOf<number>();
    await o.close();
  });
});

describe('f', () => {
  it('returns a number or a promise of one: anything else is a type error, and still a failed trial at run time', async () => {
    // @ts-expect-error a string is no target
    const o = new RandomSearch({ pbounds: { x: [0, 1] }, f: () => 'abc', randomState: 1, log });
    // @ts-expect-error an async objective that forgot to return its value
    new RandomSearch({ pbounds: { x: [0, 1] }, f: async ({ x }) => void x, log }).dispose();
    new RandomSearch({ pbounds: { x: [0, 1] }, f: async ({ x }) => x, log }).dispose();
    await o.maximize({ initPoints: 1, nIter: 0 });
    expect(o.res[0]).toMatchObject({ status: 'failed', error: 'objective returned a string ("abc"), expected a finite number' });
    await o.close();
  });
});

describe('storage and journal', () => {
  it('take a path or URL, a JournalBackend or a StudyStorage; anything else is a type error, and an InvalidOptionError', async () => {
    expectTypeOf<NonNullable<OptimizerOptions['storage']>>().toEqualTypeOf<string | JournalBackend | StudyStorage>();
    expectTypeOf<NonNullable<OptimizerOptions['journal']>>().toEqualTypeOf<string | JournalBackend | StudyStorage>();
    // @ts-expect-error a number is no storage
    const e = thrown(() => new RandomSearch({ pbounds: { x: [0, 1] }, storage: 42, log }));
    expect(e).toBeInstanceOf(InvalidOptionError);
    for (const storage of [new MemoryJournalBackend(), new MemoryStudyStorage()]) {
      const o = new RandomSearch({ pbounds: { x: [0, 1] }, storage, log });
      await o.register({ x: 0.5 }, 1);
      expect(o.res).toHaveLength(1);
      await o.close();
    }
  });
});

describe('pbounds', () => {
  it('bounds typed Pbounds give number params (not any choice), as inline bounds do', async () => {
    const pbounds: Pbounds = { x: [2, 4], y: [-3, 3] };
    const o = new RandomSearch({ pbounds, f: ({ x, y }) => -(x ** 2) - (y - 1) ** 2, randomState: 1, log });
    expectTypeOf<NonNullable<typeof o.max>>().toEqualTypeOf<{ target: number; params: Record<string, number> }>();
    await o.maximize({ initPoints: 2, nIter: 0 });
    expect(o.res.map((t) => t.status)).toEqual(['complete', 'complete']);
    // neither bounds nor a space known (an options object typed apart): plain Params, as before
    const opts: OptimizerOptions = { pbounds: { x: [0, 1] }, f: (p: Params) => (p.x as number) * 2, log };
    const plain = new RandomSearch(opts);
    expectTypeOf<NonNullable<typeof plain.max>['params']>().toEqualTypeOf<Params>();
    // an objective declared over Params does not widen inline bounds' params
    const b = new BayesianOptimization({ pbounds: { x: [0, 1] }, f: (p: Params) => p.x as number, engine: 'cpu', log });
    expectTypeOf<NonNullable<typeof b.max>['params']>().toEqualTypeOf<{ x: number }>();
    for (const x of [o, plain, b]) await x.close();
  });

  it('bounds declared apart as number[] (no `as const`) compile; a list of another length than 2 is an InvalidSpaceError', async () => {
    const pb2 = { x: [2, 4], y: [-3, 3] };
    const o = new RandomSearch({ pbounds: pb2, f: ({ x, y }) => x + y, randomState: 1, log });
    expectTypeOf<NonNullable<typeof o.max>['params']>().toEqualTypeOf<{ x: number; y: number }>();
    await o.maximize({ initPoints: 2, nIter: 0 });
    expect(o.res.every((t) => t.status === 'complete' && t.params.x >= 2 && t.params.x <= 4)).toBe(true);
    await o.close();
    const three = { x: [0, 1, 2] };
    const e = thrown(() => new RandomSearch({ pbounds: three, log }));
    expect([e.constructor, e.message]).toEqual([InvalidSpaceError, 'parameter "x": bounds must be a [low, high] pair, got an array of 3']);
    // written out in the call, a list of 3 is a type error as well
    // @ts-expect-error bounds of 3 numbers
    expect(() => new RandomSearch({ pbounds: { x: [0, 1, 2] }, log })).toThrow(InvalidSpaceError);
  });
});
