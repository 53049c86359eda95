import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError, InvalidPointError, MemoryJournalBackend, MemoryStudyStorage, RandomSearch, StateError,
  type Pruner, type TrialContext,
} from '../../src/index';

/** Loss after `epoch` epochs for quality q: 0.2 + q + 1 / epoch (lower is better). */
const loss = (q: number, epoch: number) => 0.2 + q + 1 / epoch;

async function curveObjective({ q }: Record<string, unknown>, ctx: TrialContext): Promise<number> {
  let v = NaN;
  for (let epoch = 1; epoch <= 16; epoch++) {
    v = loss(q as number, epoch);
    if (await ctx.report(epoch, v)) return v;
  }
  return v;
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('pruning through the optimizer', () => {
  it('ASHA ends bad trials as pruned at their last report; the rest complete with every report recorded', async () => {
    const opt = new RandomSearch({ f: curveObjective, pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 3, pruner: 'asha', log: () => {} });
    await opt.maximize({ initPoints: 4, nIter: 16 });
    const res = opt.res;
    expect(res).toHaveLength(20);
    const pruned = res.filter((t) => t.status === 'pruned');
    const complete = res.filter((t) => t.status === 'complete');
    expect(pruned.length).toBeGreaterThan(5);
    expect(complete.length).toBeGreaterThan(0);
    for (const t of pruned) {
      const steps = Object.keys(t.intermediate ?? {}).map(Number);
      expect([1, 4]).toContain(t.step); // ASHA rungs at epochs 1, 4, 16 (16 is the end)
      expect(steps[steps.length - 1]).toBe(t.step);
      expect(t.target).toBe(loss(t.params.q as number, t.step as number));
    }
    for (const t of complete) {
      expect(Object.keys(t.intermediate ?? {})).toHaveLength(16);
      expect(t.target).toBe(loss(t.params.q as number, 16));
      expect(t.step).toBeUndefined();
    }
    // each rung-0 verdict follows the rule: kept iff in the best max(1, floor(n/4)) of the epoch-1 values so far
    const first: number[] = [];
    for (const t of res) {
      const v = (t.intermediate as Record<number, number>)[1];
      first.push(v);
      const keep = Math.max(1, Math.floor(first.length / 4));
      const better = first.filter((x) => x < v).length;
      expect(t.status === 'pruned' && t.step === 1, `trial ${t.id}`).toBe(better >= keep);
    }
  });

  it('a pruned trial is never the max, even with the best value', async () => {
    // prunes trial 1 at its first report, whatever the value
    const pruneOne: Pruner = { name: 'one', prune: ({ trial }) => trial.id === 1 };
    const opt = new RandomSearch({
      f: async ({ q }, ctx) => {
        const v = ctx.trialId === 1 ? -100 : (q as number);
        await ctx.report(1, v);
        return v;
      },
      pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 1, pruner: pruneOne, log: () => {},
    });
    await opt.maximize({ initPoints: 3, nIter: 0 });
    const t1 = opt.res[1];
    expect([t1.status, t1.target, t1.step]).toEqual(['pruned', -100, 1]);
    expect(opt.max?.target).toBe(Math.min(opt.res[0].target as number, opt.res[2].target as number));
    expect((await opt.recommend())?.id).not.toBe(1);
  });

  it('pruned trials count against a resume budget and are never re-asked', async () => {
    const storage = new MemoryStudyStorage();
    const f = curveObjective;
    const a = new RandomSearch({ f, pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 5, pruner: 'asha', storage, log: () => {} });
    await a.maximize({ initPoints: 3, nIter: 9, resume: true });
    const before = a.res.map((t) => [t.id, t.status]);
    expect(before.some(([, s]) => s === 'pruned')).toBe(true);
    let calls = 0;
    const b = new RandomSearch({ f: (p, ctx) => (calls++, curveObjective(p, ctx)), pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 6, pruner: 'asha', storage, log: () => {} });
    await b.maximize({ initPoints: 3, nIter: 9, resume: true });
    expect(calls).toBe(0);
    expect(b.res.map((t) => [t.id, t.status])).toEqual(before);
  });

  it('a rung decision reads the reports of another worker on the same storage', async () => {
    const storage = new MemoryStudyStorage();
    let releaseA!: () => void;
    const gateA = new Promise<void>((r) => (releaseA = r));
    let aReported!: () => void;
    const aAtRung = new Promise<void>((r) => (aReported = r));
    const verdicts: Record<string, boolean[]> = { A: [], B: [] };
    const worker = (name: 'A' | 'B', value: number) => new RandomSearch({
      f: async (_p, ctx) => {
        if (name === 'B') await aAtRung; // B reports after A's step-1 report is stored
        verdicts[name].push(await ctx.report(1, value));
        if (name === 'A') {
          aReported();
          await gateA; // A keeps running while B is judged
        }
        return value;
      },
      pbounds: { q: [0, 1] }, direction: 'minimize', randomState: name === 'A' ? 1 : 2, pruner: 'asha', storage, log: () => {},
    });
    const a = worker('A', 1);
    const b = worker('B', 2);
    const runA = a.maximize({ initPoints: 1, nIter: 0 });
    await b.maximize({ initPoints: 1, nIter: 0 });
    releaseA();
    await runA;
    // rung 0 holds A's 1 (running) and B's 2: keep max(1, floor(2/4)) = 1, so B stops
    expect(verdicts).toEqual({ A: [false], B: [true] });
    expect(storage.load().trials.map((t) => t.status).sort()).toEqual(['complete', 'pruned']);
  });

  it('shouldPrune gives the latest verdict; later reports are refused', async () => {
    const seen: unknown[] = [];
    const opt = new RandomSearch({
      f: async (_p, ctx) => {
        seen.push(ctx.shouldPrune());
        seen.push(await ctx.report(1, 5));
        seen.push(ctx.shouldPrune());
        await ctx.report(2, 4).catch((e) => seen.push(e instanceof StateError ? e.message : e));
        return 4;
      },
      pbounds: { q: [0, 1] }, randomState: 1, log: () => {},
      pruner: { name: 'always', prune: () => true },
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(seen).toEqual([false, true, true, 'report: trial 0 was pruned at step 1; nothing was recorded']);
    expect(opt.res[0]).toMatchObject({ status: 'pruned', target: 5, step: 1, intermediate: { 1: 5 } });
  });

  it('a final report is recorded and never judged: the trial completes even when the pruner would stop it', async () => {
    let asked = 0;
    const seen: boolean[] = [];
    const opt = new RandomSearch({
      f: async (_p, ctx) => {
        seen.push(await ctx.report(1, 5, { final: true }), ctx.shouldPrune());
        return 5;
      },
      pbounds: { q: [0, 1] }, randomState: 1, log: () => {},
      pruner: { name: 'always', prune: () => (asked++, true) },
    });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(seen).toEqual([false, false, false, false]);
    expect(asked).toBe(0);
    for (const t of opt.res) expect(t).toMatchObject({ status: 'complete', target: 5, intermediate: { 1: 5 } });
  });

  it("a final report at a rung step records ASHA's rung value with no verdict: it counts at the rung for later trials", async () => {
    const values = [0.1, 0.9, 0.5]; // minimized; trial 0 ends at the rung (step 1) with a final report
    const stopped: boolean[] = [];
    let calls = 0;
    const opt = new RandomSearch({
      f: async (_p, ctx) => {
        const i = calls++;
        stopped.push(await ctx.report(1, values[i], i === 0 ? { final: true } : undefined));
        return values[i];
      },
      pbounds: { q: [0, 1] }, randomState: 1, log: () => {}, direction: 'minimize', pruner: 'asha',
    });
    await opt.maximize({ initPoints: 3, nIter: 0 });
    // trial 0's 0.1 holds rung 0, so 0.9 (rank 2 of 2, keep 1) is stopped; 0.5 ranks 2 of 3 (keep max(1, floor(3 / 4)) = 1): stopped
    expect(opt.res.map((t) => [t.status, t.rungs ?? null])).toEqual([['complete', { 0: 0.1 }], ['pruned', { 0: 0.9 }], ['pruned', { 0: 0.5 }]]);
    expect(stopped).toEqual([false, true, true]);
  });

  it('bad reports are typed errors that record nothing; earlier reports stay', async () => {
    const errors: unknown[] = [];
    let saved: TrialContext | undefined;
    const opt = new RandomSearch({
      f: async (_p, ctx) => {
        saved = ctx;
        await ctx.report(2, 0.5);
        for (const [s, v] of [[2, 0.4], [1, 0.4], [3, NaN], [3.5, 0.4]] as const) {
          await ctx.report(s, v).catch((e) => errors.push(e));
        }
        await ctx.report(3, 0.3);
        return 0.3;
      },
      pbounds: { q: [0, 1] }, randomState: 1, pruner: 'median', log: () => {},
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(errors.map((e) => [e instanceof InvalidPointError, (e as InvalidPointError).param])).toEqual([
      [true, 'step'], [true, 'step'], [true, 'value'], [true, 'step'],
    ]);
    expect((errors[0] as Error).message).toBe('report: step: 2 must be greater than the last reported step (2)');
    expect(opt.res[0]).toMatchObject({ status: 'complete', target: 0.3, intermediate: { 2: 0.5, 3: 0.3 } });
    // after the trial ended
    await expect(saved!.report(4, 0.1)).rejects.toThrow(new StateError('report: trial 0 has already ended; nothing was recorded'));
    expect(opt.res[0].intermediate).toEqual({ 2: 0.5, 3: 0.3 });
  });

  it("report's options are checked, and nothing is reported after the final step", async () => {
    const errors: Error[] = [];
    const opt = new RandomSearch({
      f: async (_p, ctx) => {
        for (const o of [{ final: 'yes' }, { foo: 1 }, null]) await ctx.report(1, 0.5, o as never).catch((e) => errors.push(e));
        await ctx.report(1, 0.5, { final: true });
        await ctx.report(2, 0.4).catch((e) => errors.push(e));
        return 0.5;
      },
      pbounds: { q: [0, 1] }, randomState: 1, pruner: 'median', log: () => {},
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(errors.map((e) => [e.constructor.name, e.message])).toEqual([
      ['InvalidOptionError', 'report: option "final": expected a boolean, got "yes"'],
      ['InvalidOptionError', 'report: option "foo": unknown option (known: final)'],
      ['InvalidOptionError', 'report: options must be an object like { final: true }, got null'],
      ['StateError', 'report: trial 0 reported its final step 1; nothing was recorded'],
    ]);
    expect(opt.res[0]).toMatchObject({ status: 'complete', target: 0.5, intermediate: { 1: 0.5 } });
  });

  it('reports not awaited are written in order, each checked against the one before, and land before the trial ends', async () => {
    for (const journal of [undefined, new MemoryJournalBackend()]) {
      const errors: Error[] = [];
      const opt = new RandomSearch({
        f: async (_p, ctx) => {
          for (const [s, v] of [[1, 0.1], [1, 0.2], [3, 0.3], [2, 0.4], [4, 0.5]] as const) ctx.report(s, v).catch((e) => errors.push(e));
          return 0.5; // without awaiting the reports
        },
        pbounds: { q: [0, 1] }, randomState: 1, log: () => {}, ...(journal ? { journal } : {}),
      });
      await opt.maximize({ initPoints: 1, nIter: 0 });
      expect(errors.map((e) => e.message)).toEqual([
        'report: step: 1 must be greater than the last reported step (1)',
        'report: step: 2 must be greater than the last reported step (3)',
      ]);
      expect(opt.res[0]).toMatchObject({ status: 'complete', intermediate: { 1: 0.1, 3: 0.3, 4: 0.5 } });
    }
  });

  it('an objective that lets a bad report throw fails, keeping what it reported', async () => {
    const opt = new RandomSearch({
      f: async (_p, ctx) => {
        await ctx.report(1, 0.5);
        await ctx.report(2, Infinity);
        return 0.1;
      },
      pbounds: { q: [0, 1] }, randomState: 1, log: () => {},
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(opt.res[0]).toMatchObject({ status: 'failed', intermediate: { 1: 0.5 } });
    expect(opt.res[0].error).toBe('objective threw: report: value: expected a finite number, got Infinity');
    await tick();
  });

  it('the pruner option: unknown names are an InvalidOptionError naming pruner', () => {
    let err: unknown;
    try {
      new RandomSearch({ pbounds: { q: [0, 1] }, pruner: 'sha' as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).option).toBe('pruner');
    expect(new RandomSearch({ pbounds: { q: [0, 1] }, log: () => {} }).pruner.name).toBe('none');
    expect(new RandomSearch({ pbounds: { q: [0, 1] }, pruner: 'hyperband', log: () => {} }).pruner.name).toBe('hyperband');
  });
});

describe('pruning with a journal (Optuna\'s format)', () => {
  it('writes reports as intermediate values and pruned trials as PRUNED at their last value; the verdicts equal the in-memory study\'s; a resume keeps them', async () => {
    const { MemoryJournalBackend, Journal } = await import('../../src/index');
    const journal = new MemoryJournalBackend();
    const opt = new RandomSearch({ f: curveObjective, pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 3, pruner: 'asha', journal, log: () => {} });
    await opt.maximize({ initPoints: 4, nIter: 8 });
    const mem = new RandomSearch({ f: curveObjective, pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 3, pruner: 'asha', log: () => {} });
    await mem.maximize({ initPoints: 4, nIter: 8 });
    // the same trials, verdicts, values and reports as with the in-memory study
    const view = (o: RandomSearch) => o.res.map((t) => [t.id, t.status, t.target, t.step, t.intermediate]);
    expect(view(opt)).toEqual(view(mem));
    expect(mem.res.map((t) => t.status)).toContain('pruned');
    opt.dispose();

    // the lines: one SET_TRIAL_INTERMEDIATE_VALUE per report, a pruned trial ends in state 2 (PRUNED) with its last value
    const ops = journal.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const reports = ops.filter((o) => o.op_code === 7);
    expect(reports).toHaveLength(mem.res.reduce((n, t) => n + Object.keys(t.intermediate ?? {}).length, 0));
    for (const t of mem.res.filter((x) => x.status === 'pruned')) {
      const end = ops.find((o) => o.op_code === 6 && o.trial_id === t.id && o.state !== 0);
      expect(end).toMatchObject({ state: 2, values: [t.target] });
      expect(reports.filter((o) => o.trial_id === t.id).map((o) => [o.step, o.intermediate_value]))
        .toEqual(Object.entries(t.intermediate!).map(([k, v]) => [Number(k), v]));
    }

    // reopened, the journal has the same trials: reports, pruned state, last step and value
    const state = await (await Journal.open(journal, { readOnly: true })).load();
    expect(state.skipped).toEqual([]);
    expect(state.trials.map((t) => [t.id, t.status, t.target, t.step, t.intermediate])).toEqual(view(mem));
    const resumed = new RandomSearch({ f: curveObjective, pbounds: { q: [0, 1] }, direction: 'minimize', randomState: 3, pruner: 'asha', journal, log: () => {} });
    await resumed.ready();
    expect(view(resumed)).toEqual(view(mem));
    resumed.dispose();
  });
});
