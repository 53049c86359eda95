/** restOfDesign: a study's design less what its trials hold, counted as a multiset. */
import { describe, expect, it } from 'vitest';
import { restOfDesign } from '../../src/optimizer/design-points';
import type { Study } from '../../src/storage/study';

const study = (points: Record<string, unknown>[]) => ({ trials: points.map((params, id) => ({ id, params })) }) as unknown as Study;

describe('restOfDesign', () => {
  it('leaves out the points the trials hold, one design copy per trial', () => {
    const design = [{ i: 0 }, { i: 1 }, { i: 0 }, { i: 2 }, { i: 0 }];
    expect(restOfDesign(design, study([{ i: 0 }]))).toEqual([{ i: 1 }, { i: 0 }, { i: 2 }, { i: 0 }]);
    expect(restOfDesign(design, study([{ i: 0 }, { i: 0 }, { i: 2 }]))).toEqual([{ i: 1 }, { i: 0 }]);
    // a trial's point the design does not hold (registered by hand) takes nothing away
    expect(restOfDesign(design, study([{ i: 7 }]))).toEqual(design);
  });
});
