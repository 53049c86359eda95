/** The read side of an optimizer: `res`, `trials` and the export, read from its study. */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import { MemoryJournalBackend } from '../../src/storage';

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
