/**
 * topk.wgsl against the CPU engine's topK: same indices in the same order
 * (ties to the lower index, NaN never chosen), for sizes below, at and above
 * the workgroup size and across several reduction passes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { topK } from '../../src/acquisition/cpu-engine';
import { topKGpu } from '../../src/gpu';
import { Rng } from '../../src/util/rng';
import { openTestDevice, validationErrorOf } from './helpers';

const device = await openTestDevice();
afterAll(() => device?.destroy());

/** Scores exactly representable in f32, so CPU and GPU compare the same numbers. */
function scores(seed: number, m: number, levels = 0): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: m }, () => (levels > 0 ? rng.int(levels) : rng.normal() * 10));
}

async function check(s: Float32Array, k: number): Promise<void> {
  const { value, error } = await validationErrorOf(device!, () => topKGpu(device!, s, k));
  expect(error).toBeNull();
  const want = topK(s, k);
  expect(value.map((p) => p.index)).toEqual(want);
  expect(value.map((p) => p.score)).toEqual(want.map((i) => s[i]));
}

describe.skipIf(device === null)('parallel top-k', () => {
  for (const m of [1, 5, 255, 256, 257, 1023, 1024, 1025, 5000, 70001]) {
    it(`m = ${m}: k = 1 and k = 16 match the CPU`, async () => {
      const s = scores(m, m);
      await check(s, 1);
      await check(s, 16);
    });
  }

  it('ties go to the lower index, inside and across workgroups', async () => {
    await check(scores(1, 3000, 3), 16); // three distinct values: massive ties
    const flat = new Float32Array(5000).fill(2.5);
    await check(flat, 16); // all equal: indices 0..15
    const s = new Float32Array(4096).fill(-1);
    s[4000] = 7; s[17] = 7; s[2048] = 7; // equal maxima in different workgroups
    const [w] = await topKGpu(device!, s, 1);
    expect(w.index).toBe(17);
  });

  it('never picks NaN; keeps -Infinity; returns fewer than k when fewer are valid', async () => {
    const s = scores(2, 2000);
    for (let i = 0; i < 2000; i += 3) s[i] = NaN;
    s[1] = Infinity;
    s[4] = -Infinity;
    await check(s, 16);
    const few = Float32Array.from([NaN, -Infinity, NaN, 3, NaN]);
    const got = await topKGpu(device!, few, 16);
    expect(got).toEqual([{ score: 3, index: 3 }, { score: -Infinity, index: 1 }]);
    const none = await topKGpu(device!, Float32Array.from([NaN, NaN]), 4);
    expect(none).toEqual([]);
  });

  it('rejects k outside 1..16', async () => {
    await expect(topKGpu(device!, new Float32Array(4), 17)).rejects.toThrow('k must be 1..16, got 17');
  });
});
