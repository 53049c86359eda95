/** Bad arguments of the split and standardization functions (src/data/splits.ts): typed errors naming them. */
import { describe, expect, it } from 'vitest';
import { applyStandardization, fitStandardization, splitImages, stratifiedImageSplits, subsetImages } from '../../src/data/splits';
import type { ImageSplit } from '../../src/data/types';
import { refused } from '../optimizer/caught';

/** `n` 2 x 2 images, labels cycling 0..2. */
function images(n: number): ImageSplit {
  return { x: Float32Array.from({ length: n * 4 }, (_, i) => (i % 5) / 4), labels: Int32Array.from({ length: n }, (_, i) => i % 3), n, height: 2, width: 2, numClasses: 3 };
}


describe('image split arguments', () => {
  it('what is not an image split is an InvalidOptionError naming it (a TypeError reading n or x before)', () => {
    const msg = (option: string, got: string) => `option "${option}": expected an image split { x, labels, n, height, width, numClasses }, got ${got}`;
    for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], [{}, '{}'], [[], '[]'], ['x', '"x"']] as const) {
      refused(() => splitImages(v as never), 'split', msg('split', got));
      refused(() => stratifiedImageSplits(v as never), 'pool', msg('pool', got));
      refused(() => subsetImages(v as never, []), 'split', msg('split', got));
    }
    // pixels must be a typed array (subsetImages cuts images out with subarray)
    refused(() => splitImages({ ...images(1), x: [0, 0, 0, 0] } as never), 'split', msg('split', '{"x":[0,0,0,0],"labels":{"0":0},"n":1,"height":2,"width":2,"numClasses":3}'));
  });

  it('arrays that do not make n images are refused by splitImages and subsetImages as stratifiedImageSplits refuses them (blank images before)', () => {
    const short = { ...images(5), n: 6 };
    refused(() => splitImages(short), 'split', 'option "split": 20 pixels and 5 labels do not make n = 6 images of 2x2');
    refused(() => subsetImages(short, [0]), 'split', 'option "split": 20 pixels and 5 labels do not make n = 6 images of 2x2');
    refused(() => stratifiedImageSplits(short), 'pool', 'option "pool": 20 pixels and 5 labels do not make n = 6 images of 2x2');
    refused(() => splitImages({ ...images(0), n: -1 }), 'split', 'option "split": 0 pixels and 0 labels do not make n = -1 images of 2x2');
    expect(splitImages(images(10), { valFraction: 0.2 }).val.n).toBe(2);
  });

  it('subsetImages refuses rows that are not image indices (an index past the end took a blank image labelled 0)', () => {
    const s = images(3);
    refused(() => subsetImages(s, undefined as never), 'rows', 'option "rows": expected an array of image indices, got undefined');
    refused(() => subsetImages(s, [0, 3]), 'rows', 'option "rows": index 3 at 1 is not an image of 0..2');
    refused(() => subsetImages(s, [-1]), 'rows', 'option "rows": index -1 at 0 is not an image of 0..2');
    refused(() => subsetImages(s, [0.5]), 'rows', 'option "rows": index 0.5 at 0 is not an image of 0..2');
    expect(Array.from(subsetImages(s, [2, 0]).labels)).toEqual([2, 0]);
  });
});

describe('standardization arguments', () => {
  const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
  it('counts that are not whole numbers, a short matrix and stats of another width are refused naming them (-1 was a RangeError)', () => {
    refused(() => fitStandardization(x, 1, -1), 'd', 'option "d": expected a whole number >= 0, got -1');
    refused(() => fitStandardization(x, NaN, 2), 'n', 'option "n": expected a whole number >= 0, got NaN');
    refused(() => fitStandardization(x, 4, 2), 'x', 'option "x": expected n x d = 8 values (an array), got 6 values');
    refused(() => fitStandardization(undefined as never, 1, 1), 'x', 'option "x": expected n x d = 1 values (an array), got undefined');
    const stats = fitStandardization(x, 3, 2);
    refused(() => applyStandardization(x, 1, 1, -1 as never), 'stats', 'option "stats": expected d = 1 means and stds ({ mean, std }, as fitStandardization returns), got -1');
    refused(() => applyStandardization(x, 2, 3, stats), 'stats',
      'option "stats": expected d = 3 means and stds ({ mean, std }, as fitStandardization returns), got {"mean":{"0":3,"1":4},"std":{"0":1.632993161855452,"1":1.632993161855452}}');
    refused(() => applyStandardization(x, 1, -1, stats), 'd', 'option "d": expected a whole number >= 0, got -1');
    expect(Array.from(applyStandardization(x, 3, 2, stats))).toEqual(Array.from(Float32Array.from([-1.224744871391589, -1.224744871391589, 0, 0, 1.224744871391589, 1.224744871391589])));
  });
});
