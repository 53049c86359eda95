/** The read side of an optimizer: `res`, `trials` and the export, read from its study. */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import { MemoryJournalBackend } from '../../src/storage';
import { StateError } from '../../src/errors';

describe('res and trials', () => {
  it('read again without copying the study, show each register and tell, and cannot be written to', async () => {
    const o = new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 1, log: () => undefined });
    for (let i = 0; i < 50; i++) await o.register({ x: i / 50 }, i);
    // a loop reading res[i] copied the whole study at each read (3,000 trials: 7 to 11 s)
    for (let i = 0; i < o.res.length; i++) expect(o.res[i]).toBe(o.res[i]);
    expect(o.trials[7]).toBe(o.res[7]);
    const p = await o.suggest();
    expect(o.trials.map((t) => t.status).slice(-2)).toEqual(['complete', 'pending']);
    expect(o.res).toHaveLength(50);
    await o.register(p, 100);
    expect(o.res).toHaveLength(51);
    expect(o.res[50]).toMatchObject({ target: 100, status: 'complete' });
    const mine = o.res;
    mine.sort((a, b) => (b.target as number) - (a.target as number)); // the caller's own array
    expect(o.res[0].target).toBe(0);
    expect(() => {
      // @ts-expect-error a trial is frozen, and typed read-only
      o.res[0].target = -1;
    }).toThrow(TypeError);
    expect(() => {
      o.trials[1].params.x = 0.5;
    }).toThrow(TypeError);
    expect(o.res[0].target).toBe(0);
    expect(o.res[1].params.x).toBe(1 / 50);
    expect(o.max?.target).toBe(100);
    await o.close();
  });
});

describe('bestTrial', () => {
  it('is the whole record of max\'s trial (Optuna\'s best_trial): id, userAttrs, intermediate values; the first of equal bests; minimize too', async () => {
    for (const direction of ['maximize', 'minimize'] as const) {
      const o = new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 1, direction, log: () => undefined, pruner: 'none' });
      expect(o.bestTrial).toBeUndefined();
      const values = [0.4, 0.9, 0.1, 0.9, 0.5];
      for (const [i, v] of values.entries()) {
        const p = await o.suggest();
        await o.report(p, 1, v / 2);
        await o.register(p, v, { userAttrs: { i } });
      }
      await o.registerFailure({ x: 0.5 }, 'no');
      const id = direction === 'maximize' ? 1 : 2;
      expect(o.bestTrial).toEqual(o.res.find((t) => t.id === id));
      expect([o.bestTrial?.id, o.bestTrial?.userAttrs, o.bestTrial?.intermediate]).toEqual([id, { i: id }, { 1: values[id] / 2 }]);
      expect({ target: o.bestTrial?.target, params: o.bestTrial?.params }).toEqual(o.max);
      await o.close();
      expect(o.bestTrial?.id).toBe(id); // a read of the record, as res and max are after close
    }
  });
});

describe('refresh', () => {
  it('shows what other workers recorded since the last read (a watcher that only reads saw none of it); a study in memory has nothing to read', async () => {
    const journal = new MemoryJournalBackend();
    const make = () => new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 1, journal, log: () => undefined });
    const [watcher, worker] = [make(), make()];
    await Promise.all([watcher.ready(), worker.ready()]);
    await worker.register({ x: 0.2 }, 2, { userAttrs: { by: 'worker' } });
    await worker.register({ x: 0.7 }, 5);
    expect(watcher.res).toHaveLength(0);
    await watcher.refresh();
    expect([watcher.res.map((t) => t.target), watcher.max?.target, watcher.bestTrial?.params]).toEqual([[2, 5], 5, { x: 0.7 }]);
    const alone = new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 1, log: () => undefined });
    await alone.register({ x: 0.5 }, 1);
    await alone.refresh();
    expect(alone.res.map((t) => t.target)).toEqual([1]);
    await Promise.all([watcher.close(), worker.close(), alone.close()]);
    await expect(watcher.refresh()).rejects.toThrow(StateError);
  });
});

describe('exportBayesOpt', () => {
  it('works after close(), as res does: close, then save', async () => {
    const opt = new BayesianOptimization({
      f: ({ x }) => -((x - 0.3) ** 2), pbounds: { x: [0, 1] }, randomState: 4, engine: 'cpu', journal: new MemoryJournalBackend(), log: () => undefined,
    });
    await opt.maximize({ initPoints: 3, nIter: 1 });
    const [state, log] = [opt.exportBayesOpt('state'), opt.exportBayesOpt()];
    await opt.close();
    expect(opt.exportBayesOpt('state')).toBe(state);
    expect(opt.exportBayesOpt()).toBe(log);
    expect(JSON.parse(state).target).toHaveLength(4);
  });
});
