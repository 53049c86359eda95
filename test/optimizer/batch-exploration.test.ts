/**
 * Stall exploration inside suggestBatch(q) (src/optimizer/stall.ts,
 * exploreInBatch; BayesSampler.proposeBatch): once the stall count passes a
 * multiple of `every`, the batch's first point is the exploration step a
 * sequential suggest() would make from the same study, and the rest are
 * chosen with it pending.
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { exploreInBatch, exploreNow, STALL_DEFAULTS } from '../../src/optimizer/stall';
import type { Params } from '../../src/space/types';
import { Rng } from '../../src/util/rng';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 }, log: () => undefined, initPoints: 4 } as const;

describe('exploreInBatch', () => {
  it('with q = 1 is exploreNow, whatever batchEvery', () => {
    const rng = new Rng(3);
    const v = [0];
    for (let i = 0; i < 40; i++) {
      v.push(rng.random() < 0.2 ? Math.max(...v) + 1 : -rng.random());
      for (const every of [1, 3, 4]) {
        const s = { ...STALL_DEFAULTS, every, batchEvery: 2 };
        expect(exploreInBatch(v, s, 1)).toBe(exploreNow(v, s));
      }
    }
  });

  it('is true when a multiple of `batchEvery` lies among the last q counts', () => {
    const flags = (batchEvery: number, q: number) => Array.from({ length: 13 }, (_, n) => exploreInBatch([1, ...Array(n).fill(0)], { ...STALL_DEFAULTS, batchEvery }, q));
    // the default, batchEvery 2, batches of 4: every batch once the last 2 trials did not improve
    expect(flags(STALL_DEFAULTS.batchEvery, 4)).toEqual([false, false, true, true, true, true, true, true, true, true, true, true, true]);
    // batchEvery 4, batches of 4: every batch once the count reaches 4
    expect(flags(4, 4)).toEqual([false, false, false, false, true, true, true, true, true, true, true, true, true]);
    // batchEvery 8, batches of 4: counts 8-11 hold 8, 12 (9-12) holds none
    expect(flags(8, 4).map((f, n) => (f ? n : -1)).filter((n) => n >= 0)).toEqual([8, 9, 10, 11]);
    // batchEvery 3, batches of 2: 3-4 hold 3, 5 (4-5) none, 6-7 hold 6, 8 none, 9-10 hold 9, 11 none, 12 holds 12
    expect(flags(3, 2).map((f, n) => (f ? n : -1)).filter((n) => n >= 0)).toEqual([3, 4, 6, 7, 9, 10, 12]);
  });
});

describe('suggestBatch with a stalled incumbent', () => {
  /** The maximum first, then 4 worse points: 4 trials without improvement, an exploration step due. */
  async function stalled(o: object = {}): Promise<BayesianOptimization> {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 11, ...o });
    await opt.register({ x: 0.3, y: 0.7 }, 0);
    for (const [x, y] of [[0.1, 0.2], [0.8, 0.3], [0.9, 0.9], [0.2, 0.4]]) await opt.register({ x, y }, quad({ x, y }));
    expect(exploreNow(opt.res.map((r) => r.target as number), STALL_DEFAULTS)).toBe(true);
    return opt;
  }

  it("the batch's first point is the exploration step suggest() makes; the others are model points away from it", async () => {
    const [batched, single, plain] = [await stalled(), await stalled(), await stalled({ stallExploration: false })];
    const batch = await batched.suggestBatch(4);
    const step = await single.suggest();
    const ei = await plain.suggestBatch(4);
    expect(batch[0]).toEqual(step);
    // without stall exploration the batch holds no such point
    expect(ei.some((p) => p.x === step.x && p.y === step.y)).toBe(false);
    // the rest: distinct, none on the exploration step
    const keys = new Set(batch.map((p) => `${p.x},${p.y}`));
    expect(keys.size).toBe(4);
    for (const o of [batched, single, plain]) o.dispose();
  }, 60_000);

  it('batches explore once 2 trials have not improved (batchEvery), where suggest() waits for 4 (every)', async () => {
    /** the maximum, then 2 worse points: suggest() explores at 4, a batch at 2 */
    const twoWorse = async (o: object = {}) => {
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 11, ...o });
      for (const [x, y] of [[0.1, 0.2], [0.8, 0.3], [0.3, 0.7], [0.9, 0.9], [0.2, 0.4]]) await opt.register({ x, y }, quad({ x, y }));
      return opt;
    };
    const [batched, stepAt2, plain, batchAt4] = [
      await twoWorse(), await twoWorse({ stallExploration: { every: 2 } }), await twoWorse({ stallExploration: false }),
      await twoWorse({ stallExploration: { batchEvery: 4 } }),
    ];
    const batch = await batched.suggestBatch(4);
    expect(batch[0]).toEqual(await stepAt2.suggest());
    // batchEvery 4 waits, as stall exploration off does
    expect(await batchAt4.suggestBatch(4)).toEqual(await plain.suggestBatch(4));
    expect(batch).not.toEqual(await (await twoWorse({ stallExploration: false })).suggestBatch(4));
    for (const o of [batched, stepAt2, plain, batchAt4]) o.dispose();
  }, 60_000);

  it('no exploration step while the incumbent improves: the batch is the one without stall exploration', async () => {
    const mk = (o: object) => new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, ...o });
    const [a, b] = [mk({}), mk({ stallExploration: false })];
    // the last point improves: the stall count is 0
    for (const o of [a, b]) for (const [x, y] of [[0.1, 0.2], [0.8, 0.3], [0.6, 0.6], [0.4, 0.9], [0.3, 0.65]]) await o.register({ x, y }, quad({ x, y }));
    expect(await a.suggestBatch(4)).toEqual(await b.suggestBatch(4));
    a.dispose();
    b.dispose();
  }, 60_000);
});
