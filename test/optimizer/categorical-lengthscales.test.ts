/**
 * The optimizer's GP gives a categorical with more than TIE_CHOICES choices
 * one lengthscale for all its one-hot columns, and a smaller one one per
 * choice (bench/mixed.ts measured both ways).
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { TIE_CHOICES } from '../../src/optimizer/gp-config';
import type { Params } from '../../src/space/types';

/** The fitted log lengthscales of the optimizer's GP after `n` trials (its saved model state). */
async function lengthscalesAfter(choices: number, lengthscales: 'ard' | 'auto'): Promise<number[]> {
  const names = Array.from({ length: choices }, (_, i) => `c${i}`);
  const f = (p: Params) => -(((p.x as number) - 0.3) ** 2) - (names.indexOf(p.c as string) % 5) / 5;
  const opt = new BayesianOptimization({
    f, space: { x: { type: 'float', low: 0, high: 1 }, c: { type: 'categorical', choices: names } },
    randomState: 4, engine: 'cpu', candidates: 500, verbose: 0, gp: { lengthscales },
  });
  await opt.maximize({ initPoints: 12, nIter: 2 });
  const theta = (opt as unknown as { sampler: { modelState(): { theta: number[] } } }).sampler.modelState().theta;
  opt.dispose();
  return theta.slice(0, 1 + choices); // x, then the one-hot columns
}

describe('lengthscales of categorical columns', () => {
  it(`a categorical with more than ${TIE_CHOICES} choices: one lengthscale for its columns`, async () => {
    const l = await lengthscalesAfter(TIE_CHOICES + 4, 'ard');
    expect(l).toHaveLength(TIE_CHOICES + 5);
    expect(new Set(l.slice(1)).size).toBe(1);
  });

  it(`${TIE_CHOICES} choices or fewer: one per choice`, async () => {
    const l = await lengthscalesAfter(5, 'ard');
    expect(new Set(l.slice(1)).size).toBeGreaterThan(1);
  });
});
