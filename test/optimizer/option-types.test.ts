/**
 * The types of the optimizers' options and callbacks: what compiles (this
 * file is type-checked with the rest, `npx tsc -p tsconfig.json --noEmit`;
 * a line marked @ts-expect-error must stay an error) and the run time
 * behind it.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import type { Trial } from '../../src/study/types';

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
