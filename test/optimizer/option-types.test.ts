/**
 * The types of the optimizers' options and callbacks: what compiles (this
 * file is type-checked with the rest, `npx tsc -p tsconfig.json --noEmit`;
 * a line marked @ts-expect-error must stay an error) and the run time
 * behind it.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { RandomSearch, type OptimizerOptions } from '../../src/optimizer';
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

